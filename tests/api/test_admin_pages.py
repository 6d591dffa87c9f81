"""The admin pages read plainly: the current tab is marked, notifications name what
happened and to whom, objective weights say what they buy; the site icon is served."""

from __future__ import annotations

from tests.api.test_admin_database import login_admin


def test_the_current_admin_tab_is_marked(api_world) -> None:
    login_admin(api_world)
    page = api_world.client.get("/admin/settings").text
    assert '<a href="/admin/settings" aria-current="page">Settings</a>' in page
    tabs = page[page.index('class="admin-nav"'):]
    assert '<a href="/admin" aria-current="page">' not in tabs[:tabs.index("</nav>")]
    assert '<a href="/admin" aria-current="page">Admin</a>' in page  # the header's section


def test_objective_weights_say_what_they_buy(api_world) -> None:
    login_admin(api_world)
    page = api_world.client.get("/admin/settings").text
    assert "Trainer waiting" in page and "per minute a trainer waits" in page
    assert ">idle minute <" not in page


def test_notifications_name_the_event_and_the_person(api_world) -> None:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from db.accounts import User
    from db.platform import OutboxMessage

    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        ava = db.scalar(select(User.id).where(User.email == "ava@demo.spotter"))
        db.add(OutboxMessage(event="plan.approved", payload={}, recipient_user_id=ava))
    engine.dispose()
    login_admin(api_world)
    page = api_world.client.get("/admin").text
    table = page[page.index("Latest notifications"):]
    assert "Your training plan was approved" in table and "<td>Ava</td>" in table
    assert "plan.approved" not in table and ava not in table


def test_the_site_icon_is_served(api_world) -> None:
    icon = api_world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg")
    page = api_world.client.get("/login").text
    assert '<link rel="icon" href="/static/favicon.svg"' in page
