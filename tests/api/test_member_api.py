"""Members' own data over the API: profile, logged sets, check-ins, feedback; each role
reaches only what it may."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from api.plans.demo import seed_planner_demo
from db.accounts import User
from db.models import Trainer

AVA, BEN = "demo-member-01", "demo-member-02"


def _token(database_url: str, user_id: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_token(database_url, "test", kind="user",
                                                      user_id=user_id)}


@pytest.fixture
def h(api_world) -> dict[str, dict[str, str]]:
    """Headers per identity: demo accounts, a trainer with no classes, Ben (no account yet)."""
    seed_planner_demo(api_world.database_url)
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        ids = {u.role: u.id for u in db.scalars(select(User).where(User.email.in_(
            [e for e, _ in api_world.demo.accounts.values()])))}
        db.add(Trainer(id="idle-trainer", display_name="Idle"))
        idle = User(email="idle@test.spotter", display_name="Idle", password_hash="!",
                    role="trainer", trainer_id="idle-trainer")
        ben = User(email="ben@test.spotter", display_name="Ben", password_hash="!",
                   role="member", member_id=BEN)
        db.add_all([idle, ben])
        db.flush()
        ids |= {"idle": idle.id, "ben": ben.id}
    engine.dispose()
    out = {who: _token(api_world.database_url, uid) for who, uid in ids.items()}
    return out | {"device": api_world.auth("device")}


def active_plan(api_world: Any, h: dict[str, dict[str, str]]) -> dict[str, Any]:
    client = api_world.client
    made = client.post("/api/plans", json={"member_id": AVA, "weeks": 2}, headers=h["trainer"])
    assert made.status_code == 201, made.text
    return dict(client.post(f"/api/plans/{made.json()['id']}/approve",
                            headers=h["trainer"]).json())


def test_profile_is_read_and_written_by_the_member_and_their_trainer(api_world, h) -> None:
    client = api_world.client
    mine = client.get("/api/members/me/profile", headers=h["member"]).json()
    assert mine["member_id"] == AVA and mine["profile"]["days_per_week"] == 4
    changed = {**mine["profile"], "days_per_week": 3}
    put = client.put("/api/members/me/profile", json=changed, headers=h["member"])
    assert put.status_code == 200 and put.json()["profile"]["days_per_week"] == 3
    by_trainer = client.get(f"/api/members/{AVA}/profile", headers=h["trainer"]).json()
    assert by_trainer["profile"]["days_per_week"] == 3
    wrong = client.put(f"/api/members/{AVA}/profile", json={**changed, "member_id": BEN},
                       headers=h["trainer"])
    assert wrong.status_code == 422
    assert client.get(f"/api/members/{AVA}/profile", headers=h["ben"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/profile", headers=h["idle"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/profile", headers=h["device"]).status_code == 403
    assert client.get("/api/members/me/profile", headers=h["trainer"]).status_code == 422
    assert client.get("/api/members/nobody/profile", headers=h["admin"]).status_code == 404


def test_sets_are_logged_against_the_active_plan_only(api_world, h) -> None:
    client = api_world.client
    no_plan = client.post("/api/members/me/logs", headers=h["member"], json={
        "week": 1, "day": 1, "exercise_id": "Barbell_Squat", "sets": [{"reps": 5}]})
    assert no_plan.status_code == 422 and "no active plan" in no_plan.json()["detail"]
    plan = active_plan(api_world, h)
    session = plan["plan"]["weeks"][0]["sessions"][0]
    item = session["exercises"][0]
    body = {"week": 1, "day": session["day"], "exercise_id": item["exercise_id"],
            "sets": [{"load_kg": 40, "reps": 8, "rpe": 8}, {"load_kg": 40, "reps": 7,
                                                              "rpe": 8.5}]}
    logged = client.post("/api/members/me/logs", json=body, headers=h["member"])
    assert logged.status_code == 201
    assert [s["set_index"] for s in logged.json()] == [1, 2]
    more = client.post(f"/api/members/{AVA}/logs", json={**body, "sets": [{"reps": 6}]},
                       headers=h["trainer"])  # her trainer logs a set for her in class
    assert more.status_code == 201 and more.json()[0]["set_index"] == 3
    stray = client.post("/api/members/me/logs", headers=h["member"],
                        json={**body, "exercise_id": "Moon_Walk"})
    assert stray.status_code == 422 and "planned:" in stray.json()["detail"]
    off_plan = client.post("/api/members/me/logs", headers=h["member"], json={**body, "week": 9})
    assert off_plan.status_code == 422
    silly = client.post("/api/members/me/logs", headers=h["member"],
                        json={**body, "sets": [{"reps": 5, "rpe": 14}]})
    assert silly.status_code == 422
    assert len(client.get("/api/members/me/logs", headers=h["member"]).json()) == 3
    assert client.get(f"/api/members/{AVA}/logs", headers=h["ben"]).status_code == 403
    assert client.post(f"/api/members/{AVA}/logs", json=body,
                       headers=h["ben"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/logs", headers=h["idle"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/logs", headers=h["admin"]).status_code == 200
    assert client.get("/api/members/me/logs", headers=h["ben"]).json() == []


def test_check_ins_give_a_status_and_stay_private(api_world, h) -> None:
    client = api_world.client
    good = client.post("/api/members/me/checkins", headers=h["member"], json={
        "sleep": 5, "energy": 5, "stress": 1, "soreness": 1, "pain": 1})
    assert good.status_code == 201 and good.json()["status"]["status"] == "train"
    sore = client.post("/api/members/me/checkins", headers=h["member"], json={
        "sleep": 2, "energy": 2, "stress": 4, "soreness": 5, "pain": 4,
        "pain_areas": ["knee"]}).json()
    assert sore["status"]["status"] in ("reduce", "recover") and sore["status"]["notes"]
    out_of_scale = client.post("/api/members/me/checkins", headers=h["member"], json={
        "sleep": 6, "energy": 5, "stress": 1, "soreness": 1, "pain": 1})
    assert out_of_scale.status_code == 422
    assert len(client.get("/api/members/me/checkins", headers=h["member"]).json()) == 2
    assert client.get(f"/api/members/{AVA}/checkins", headers=h["trainer"]).status_code == 200
    assert client.get(f"/api/members/{AVA}/checkins", headers=h["ben"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/checkins", headers=h["idle"]).status_code == 403


def test_feedback_on_a_workout(api_world, h) -> None:
    client = api_world.client
    plan = active_plan(api_world, h)
    day = plan["plan"]["weeks"][0]["sessions"][0]["day"]
    given = client.post("/api/members/me/feedback", headers=h["member"], json={
        "week": 1, "day": day, "rating": 4, "comment": "hard but good"})
    assert given.status_code == 201
    assert given.json()["session_ref"] == f"1-{day}" and given.json()["plan_id"] == plan["id"]
    assert client.post("/api/members/me/feedback", headers=h["member"], json={
        "week": 1, "day": day, "rating": 9}).status_code == 422
    assert [f["comment"] for f in client.get("/api/members/me/feedback",
                                             headers=h["member"]).json()] == ["hard but good"]
    assert client.get(f"/api/members/{AVA}/feedback", headers=h["ben"]).status_code == 403
    assert client.get(f"/api/members/{AVA}/feedback", headers=h["trainer"]).status_code == 200
