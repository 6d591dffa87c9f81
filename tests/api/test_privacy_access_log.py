"""The data access log (issue 20, item 5): trainer and admin reads and changes of a
member's data leave entries, members see only the entries about themselves, and the
admin's page and API filter them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.plans.demo import seed_planner_demo
from db.privacy import DataAccess
from tests.api.test_admin_database import login_admin
from tests.api.test_summaries_api import store_summary

AVA, BEN = "demo-member-01", "demo-member-02"


@pytest.fixture
def world(api_world) -> Any:
    seed_planner_demo(api_world.database_url)
    store_summary(api_world.database_url)
    return api_world


def entries(database_url: str) -> list[DataAccess]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            return list(db.scalars(select(DataAccess).order_by(DataAccess.at)))
    finally:
        engine.dispose()


def test_staff_reads_are_logged_and_members_own_reads_are_not(world) -> None:
    client = world.client
    member, trainer, admin = (world.auth(r) for r in ("member", "trainer", "admin"))
    assert client.get("/api/members/me/profile", headers=member).status_code == 200
    assert entries(world.database_url) == []
    assert client.get(f"/api/members/{AVA}/profile", headers=trainer).status_code == 200
    assert client.get(f"/api/members/{AVA}/checkins", headers=admin).status_code == 200
    assert client.get("/api/classes/demo-class/summary", headers=trainer).status_code == 200
    made = client.post("/api/plans", json={"member_id": AVA, "weeks": 2}, headers=trainer)
    assert made.status_code == 201, made.text
    assert client.get(f"/api/plans/{made.json()['id']}", headers=admin).status_code == 200
    seen = {(e.actor_role, e.member_id, e.action, e.resource)
            for e in entries(world.database_url)}
    assert seen == {("trainer", AVA, "view", "profile"), ("admin", AVA, "view", "checkin"),
                    ("trainer", AVA, "view", "class_summary"),
                    ("trainer", BEN, "view", "class_summary"),
                    ("trainer", AVA, "change", "plan"), ("admin", AVA, "view", "plan")}
    # A refused read leaves nothing behind.
    before = len(entries(world.database_url))
    assert client.get(f"/api/members/{AVA}/profile", headers=member).status_code == 200
    assert client.get(f"/api/members/{BEN}/profile", headers=member).status_code == 403
    assert len(entries(world.database_url)) == before


def test_members_see_only_the_entries_about_themselves(world) -> None:
    client = world.client
    member, trainer, admin = (world.auth(r) for r in ("member", "trainer", "admin"))
    client.get("/api/classes/demo-class/summary", headers=trainer)
    mine = client.get("/api/members/me/access-log", headers=member)
    assert mine.status_code == 200
    body = mine.json()
    assert body["total"] == 1 and {e["member_id"] for e in body["entries"]} == {AVA}
    assert body["entries"][0]["actor_role"] == "trainer" and body["entries"][0]["actor_name"]
    assert client.get(f"/api/members/{AVA}/access-log", headers=member).status_code == 200
    assert client.get(f"/api/members/{BEN}/access-log", headers=member).status_code == 403
    assert client.get("/api/members/me/access-log", headers=trainer).status_code == 403
    assert client.get(f"/api/members/{BEN}/access-log", headers=admin).json()["total"] == 1
    # Reading the log is not itself a read of the member's health data.
    assert len(entries(world.database_url)) == 2


def test_admin_api_and_page_filter_and_paginate(world) -> None:
    client = world.client
    trainer, admin = world.auth("trainer"), world.auth("admin")
    client.get("/api/classes/demo-class/summary", headers=trainer)
    client.get(f"/api/members/{AVA}/profile", headers=admin)
    api = "/api/admin/access-log"
    assert client.get(api, headers=admin).json()["total"] == 3
    assert client.get(api, params={"member_id": BEN}, headers=admin).json()["total"] == 1
    by_admin = client.get(api, params={"action": "view", "member_id": AVA}, headers=admin)
    assert by_admin.json()["total"] == 2
    trainer_id = by_admin.json()["entries"][-1]["actor_user_id"]
    only = client.get(api, params={"actor": trainer_id}, headers=admin).json()
    assert only["total"] == 2 and {e["actor_role"] for e in only["entries"]} == {"trainer"}
    paged = client.get(api, params={"per_page": 2, "page": 2}, headers=admin).json()
    assert paged["total"] == 3 and len(paged["entries"]) == 1
    assert client.get(api, params={"action": "peek"}, headers=admin).status_code == 422
    assert client.get(api, headers=trainer).status_code == 403

    login_admin(world)
    page = client.get("/admin/access-log", params={"member_id": BEN})
    assert page.status_code == 200
    assert 'href="/admin/access-log" aria-current="page"' in page.text
    assert "1 entry" in page.text and "class summary" in page.text
    assert client.get("/admin/access-log", params={"action": "", "actor": ""}
                      ).status_code == 200


def test_member_fragment_says_who_looked(world) -> None:
    client = world.client
    client.get(f"/api/members/{AVA}/profile", headers=world.auth("trainer"))
    email, password = world.demo.accounts["member"]
    assert client.post("/login", data={"email": email, "password": password},
                       follow_redirects=False).status_code == 303
    fragment = client.get("/member/data/access")
    assert fragment.status_code == 200
    assert "Who looked at my data" in fragment.text and "viewed your profile" in fragment.text


def test_the_trainers_summary_page_logs_each_member_shown(api_world) -> None:
    from tests.api.test_summary_page import store_class

    store_class(api_world.database_url)
    page = api_world.client.get("/trainer/classes/demo-class/summary",
                                headers=api_world.auth("trainer"))
    assert page.status_code == 200
    shown = {(e.member_id, e.actor_role, e.resource) for e in entries(api_world.database_url)}
    assert shown == {(AVA, "trainer", "class_summary"), (BEN, "trainer", "class_summary")}


def test_an_admin_opening_or_changing_a_member_in_studio_data_is_logged(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    assert client.get("/admin/db/member/list", headers=admin).status_code == 200
    assert entries(api_world.database_url) == []  # the list is not a look at one member
    assert client.get(f"/admin/db/member/details/{AVA}", headers=admin).status_code == 200
    assert client.get(f"/admin/db/member/edit/{BEN}", headers=admin).status_code == 200
    seen = {(e.member_id, e.actor_role, e.action, e.resource)
            for e in entries(api_world.database_url)}
    assert seen == {(AVA, "admin", "view", "profile"), (BEN, "admin", "view", "profile")}
    login_admin(api_world)
    saved = client.post(f"/admin/db/member/edit/{AVA}", headers={"origin": "http://testserver"},
                        data={"display_name": "Ava", "email": "ava@example.org",
                              "hr_max": "190"}, follow_redirects=False)
    assert saved.status_code in (302, 303), saved.text[:300]
    changed = [e for e in entries(api_world.database_url) if e.action == "change"]
    assert [(e.member_id, e.resource) for e in changed] == [(AVA, "profile")]
