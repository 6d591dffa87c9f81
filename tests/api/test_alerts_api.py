"""Alerts of a class and acknowledgements, walked as every role."""

from __future__ import annotations

import json

import pytest
import redis
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token, create_user
from db.live import AlertRow
from db.models import Trainer
from streams.sink import acks_key


def add_alerts(database_url: str) -> None:
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        for i, (class_id, rule) in enumerate([("demo-class", "sustained_high"),
                                              ("demo-class", "dropout"),
                                              ("replay-class", "spike")]):
            db.add(AlertRow(id=f"alert-{i}", class_session_id=class_id,
                            member_id="demo-member-01", rule=rule, severity="warning",
                            message=f"{rule} for Ava", event_time=1_700_000_000.0 + i,
                            evidence={"start": 1.0, "end": 2.0}))
    engine.dispose()


def other_trainer(database_url: str) -> dict[str, str]:
    """Bearer headers of a trainer who does not teach the demo class."""
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(Trainer(id="other-trainer", display_name="Olly Other"))
    engine.dispose()
    user = create_user(database_url, "olly@test.spotter", "olly-pass-123", "trainer",
                       trainer_id="other-trainer")
    return {"Authorization": "Bearer " + create_token(database_url, "olly", kind="user",
                                                      user_id=user)}


@pytest.fixture
def world(api_world):
    add_alerts(api_world.database_url)
    yield api_world
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.delete(acks_key("demo-class"), acks_key("replay-class"))
    client.close()


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("trainer", 200), ("member", 403), ("device", 403), (None, 401)])
def test_who_may_list_a_classs_alerts(world, role, status) -> None:
    headers = world.auth(role) if role else {}
    response = world.client.get("/api/classes/demo-class/alerts", headers=headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert [a["rule"] for a in response.json()] == ["sustained_high", "dropout"]


def test_another_trainer_does_not_see_the_class(world) -> None:
    headers = other_trainer(world.database_url)
    assert world.client.get("/api/classes/demo-class/alerts", headers=headers
                            ).status_code == 404
    assert world.client.post("/api/alerts/alert-0/ack", headers=headers).status_code == 403


def test_the_trainer_acknowledges_once_and_tablets_hear_of_it(world) -> None:
    headers = world.auth("trainer")
    first = world.client.post("/api/alerts/alert-0/ack", headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["acknowledged_at"] and body["acknowledged_by"]
    again = world.client.post("/api/alerts/alert-0/ack", headers=world.auth("admin"))
    assert again.json()["acknowledged_at"] == body["acknowledged_at"]  # first one wins
    assert again.json()["acknowledged_by"] == body["acknowledged_by"]
    listed = world.client.get("/api/classes/demo-class/alerts", headers=headers).json()
    assert [a["acknowledged_at"] is not None for a in listed] == [True, False]
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        pushed = json.loads(client.hget(acks_key("demo-class"), "alert-0"))
    finally:
        client.close()
    assert pushed["by"] and pushed["at"] > 0


@pytest.mark.parametrize(("role", "alert_id", "status"), [
    ("member", "alert-0", 403), ("device", "alert-0", 403), (None, "alert-0", 401),
    ("trainer", "no-such-alert", 404),
    ("trainer", "alert-2", 403),  # a class the database does not know: admins only
    ("admin", "alert-2", 200),
])
def test_acknowledging_needs_the_right_person(world, role, alert_id, status) -> None:
    headers = world.auth(role) if role else {}
    response = world.client.post(f"/api/alerts/{alert_id}/ack", headers=headers)
    assert response.status_code == status, response.text
    assert "detail" in response.json() or status == 200


def test_a_cookie_session_needs_the_csrf_header_to_acknowledge(world) -> None:
    email, password = world.demo.accounts["trainer"]
    login = world.client.post("/login", data={"email": email, "password": password,
                                              "next": "/trainer"}, follow_redirects=False)
    assert login.status_code == 303
    refused = world.client.post("/api/alerts/alert-1/ack")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
