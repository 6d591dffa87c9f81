"""SQLAdmin at /admin/db: behind our session auth, admins only, same-site writes,
validated trainer availability."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.admin.database import check_availability
from db.models import Room, Trainer


@pytest.mark.parametrize(("role", "status"), [
    ("member", 403), ("trainer", 403), ("device", 403), ("admin", 200),
])
def test_only_admins_reach_the_studio_database(api_world, role, status) -> None:
    response = api_world.client.get("/admin/db/room/list", headers=api_world.auth(role),
                                    follow_redirects=False)
    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(api_world) -> None:
    response = api_world.client.get("/admin/db/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/db/"


def login_admin(api_world) -> None:
    email, password = api_world.demo.accounts["admin"]
    assert api_world.client.post("/login", data={"email": email, "password": password},
                                 follow_redirects=False).status_code == 303


def test_cookie_writes_must_come_from_this_site(api_world) -> None:
    login_admin(api_world)
    client = api_world.client
    form = {"name": "Studio 2", "capacity": "18", "features": '["bikes"]'}
    cross = client.post("/admin/db/room/create", data=form, follow_redirects=False,
                        headers={"origin": "https://evil.example"})
    assert cross.status_code == 403
    same = client.post("/admin/db/room/create", data=form, follow_redirects=False,
                       headers={"origin": "http://testserver"})
    assert same.status_code in (302, 303), same.text[:300]
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        assert db.scalar(select(Room).where(Room.name == "Studio 2")).capacity == 18
    engine.dispose()


def test_bad_availability_is_refused_on_the_form(api_world) -> None:
    login_admin(api_world)
    response = api_world.client.post(
        "/admin/db/trainer/edit/demo-trainer", headers={"origin": "http://testserver"},
        data={"display_name": "Sam Coach", "max_hours_per_week": "40",
              "qualifications": '["hiit"]',
              "availability": '[{"day": 9, "start": "07:00", "end": "12:00"}]'})
    assert "availability 0.day" in response.text
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        assert db.get(Trainer, "demo-trainer").availability == []
    engine.dispose()


@pytest.mark.parametrize(("windows", "ok"), [
    ([{"day": 0, "start": "07:00", "end": "12:00"}], True),
    ([], True), (None, True),
    ([{"day": 7, "start": "07:00", "end": "12:00"}], False),
    ([{"day": 1, "start": "12:00", "end": "07:00"}], False),
    ([{"day": 1, "start": "7am", "end": "12:00"}], False),
    ([{"day": 1, "start": "07:00", "end": "12:00", "room": "x"}], False),
    ({"day": 1}, False),
])
def test_availability_windows_table(windows, ok) -> None:
    if ok:
        assert isinstance(check_availability(windows), list)
    else:
        with pytest.raises(ValueError, match="availability"):
            check_availability(windows)


def test_every_studio_table_lists_and_opens_its_form(api_world) -> None:
    admin = api_world.auth("admin")
    for identity in ("room", "class-type", "trainer", "member", "class-session"):
        for page in ("list", "create"):
            response = api_world.client.get(f"/admin/db/{identity}/{page}", headers=admin)
            assert response.status_code == 200, (identity, page, response.text[:200])
    edit = api_world.client.get("/admin/db/trainer/edit/demo-trainer", headers=admin)
    assert edit.status_code == 200 and "availability" in edit.text


def test_the_studio_data_pages_wear_the_apps_theme_and_lead_back(api_world) -> None:
    login_admin(api_world)
    page = api_world.client.get("/admin/db/room/list").text
    assert 'data-bs-theme="dark"' in page and "/static/admin-db.css" in page
    assert '<a href="/admin">Overview</a>' in page  # the way back to the admin pages
    assert '<a class="brand" href="/">Spotter</a>' in page
    assert "<title>Rooms · Studio data · Spotter</title>" in page
    assert 'action="/logout"' in page and "(admin)</small>" in page  # who, and a way out


def test_room_capacity_and_class_revenue_are_bounded_on_the_form(api_world) -> None:
    login_admin(api_world)
    client, same_site = api_world.client, {"origin": "http://testserver"}
    room = client.post("/admin/db/room/create", headers=same_site, data={
        "name": "Hall 9", "capacity": "1000000", "features": "[]"})
    assert "Number must be between 1 and 10000" in room.text
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        assert db.scalar(select(Room).where(Room.name == "Hall 9")) is None
    engine.dispose()


@pytest.mark.parametrize(("table", "labels", "raw"), [
    ("room", ["Capacity (people)", "Equipment and features"], ["capacity", "features"]),
    ("class-type", ["Length (min)", "Revenue per attendee"], ["duration_min", "revenue_weight"]),
    ("trainer", ["Most hours a week", "Weekly availability"],
     ["max_hours_per_week", "display_name"]),
    ("member", ["Maximum heart rate (bpm)", "Resting heart rate (bpm)"], ["hr_max", "hr_rest"]),
    ("class-session", ["Starts (UTC)", "Class", "Trainer"], ["starts_at", "trainer_id"]),
])
def test_columns_are_labelled_in_words(api_world, table: str, labels: list[str],
                                       raw: list[str]) -> None:
    login_admin(api_world)
    page = api_world.client.get(f"/admin/db/{table}/list").text
    head = page[page.index("<thead"):page.index("</thead>")]
    for label in labels:
        assert label in head, label
    for name in raw:
        assert f">{name}<" not in head and f"> {name} <" not in head, name


def test_class_sessions_name_their_class_room_and_trainer(api_world) -> None:
    login_admin(api_world)
    page = api_world.client.get("/admin/db/class-session/list").text
    assert "HIIT 45" in page and "Studio 1" in page and "Sam Coach" in page
    assert "db.models" not in page  # no object reprs


def test_the_form_explains_its_json_fields(api_world) -> None:
    login_admin(api_world)
    page = api_world.client.get("/admin/db/trainer/create").text
    assert '"day": 0, "start": "07:00"' in page.replace("&#34;", '"').replace("&quot;", '"')


@pytest.mark.parametrize("role", ["member", "trainer"])
def test_other_roles_get_the_apps_own_refusal_page(api_world, role: str) -> None:
    email, password = api_world.demo.accounts[role]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    api_world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    refused = api_world.client.get("/admin/db/room/list")
    assert refused.status_code == 403
    assert "Not for this account" in refused.text and "/static/app.css" in refused.text
    assert "edited by admins" in refused.text and 'href="/login"' in refused.text
    assert f"({role})" in refused.text  # the header still knows who is logged in
