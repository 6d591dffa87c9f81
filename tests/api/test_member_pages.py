"""The member portal through a real cookie session: plan by week, log sets (htmx and plain
forms), check in, give feedback, update the plan from the logs."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from api.plans.demo import seed_planner_demo
from db.accounts import User

AVA = "demo-member-01"


def approved_plan(api_world: Any) -> dict[str, Any]:
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        trainer = db.scalar(select(User.id).where(User.email == "trainer@demo.spotter"))
    engine.dispose()
    headers = {"Authorization": "Bearer " + create_token(api_world.database_url, "t",
                                                         kind="user", user_id=trainer)}
    made = api_world.client.post("/api/plans", json={"member_id": AVA, "weeks": 4},
                                 headers=headers)
    assert made.status_code == 201, made.text
    return dict(api_world.client.post(f"/api/plans/{made.json()['id']}/approve",
                                      headers=headers).json())


def member_session(api_world: Any) -> str:
    email, password = api_world.demo.accounts["member"]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    api_world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    page = api_world.client.get("/member").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_without_a_plan_the_portal_says_so_and_check_in_works(api_world) -> None:
    csrf = member_session(api_world)
    client = api_world.client
    page = client.get("/member")
    assert page.status_code == 200 and "No active plan yet" in page.text
    checked = client.post("/member/checkin", follow_redirects=False, data={
        "csrf_token": csrf, "sleep": "2", "energy": "2", "stress": "4", "soreness": "4",
        "pain": "1"})
    assert checked.status_code == 303
    assert "readiness" in client.get("/member").text
    bad = client.post("/member/checkin", data={"csrf_token": csrf, "sleep": "9",
                                               "energy": "2", "stress": "4",
                                               "soreness": "4", "pain": "1"})
    assert bad.status_code == 422 and "sleep" in bad.text


def test_member_logs_sets_gives_feedback_and_updates_the_plan(api_world) -> None:
    seed_planner_demo(api_world.database_url)
    plan = approved_plan(api_world)
    csrf = member_session(api_world)
    client = api_world.client
    page = client.get("/member?week=1")
    session = plan["plan"]["weeks"][0]["sessions"][0]
    item = session["exercises"][0]
    assert item["name"] in page.text and "Log set 1" in page.text
    form = {"csrf_token": csrf, "plan_id": plan["id"], "week": "1", "day": str(session["day"]),
            "exercise_id": item["exercise_id"], "reps": str(item["reps"] or 30),
            "load_kg": "40", "rpe": "7"}
    logged = client.post("/member/logs", data=form, headers={"HX-Request": "true"})
    assert logged.status_code == 200 and "Logged: " in logged.text and "Log set 2" in logged.text
    stray = client.post("/member/logs", data={**form, "exercise_id": "Moon_Walk"},
                        headers={"HX-Request": "true"})
    assert stray.status_code == 200 and "not planned" in stray.text
    plain = client.post("/member/logs", data={**form, "rpe": "15"})
    assert plain.status_code == 422
    rated = client.post("/member/feedback", follow_redirects=False, data={
        "csrf_token": csrf, "plan_id": plan["id"], "week": "1", "day": str(session["day"]),
        "rating": "4", "comment": "good one"})
    assert rated.status_code == 303 and "You rated it 4/5" in client.get("/member?week=1").text
    updated = client.post("/member/adapt", follow_redirects=False, data={
        "csrf_token": csrf, "plan_id": plan["id"], "week": "1"})
    assert updated.status_code == 303
    assert client.post("/member/logs", data={k: v for k, v in form.items()
                                             if k != "csrf_token"}).status_code == 403


def test_staff_do_not_get_the_member_portal(api_world) -> None:
    email, password = api_world.demo.accounts["trainer"]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    api_world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    assert api_world.client.get("/member").status_code == 403


def test_the_portal_lists_only_the_members_own_class_summaries(api_world) -> None:
    from db.live import MemberClassSummary

    engine = create_engine(api_world.database_url)
    part = {"member_id": AVA, "totals": {"effort_points": 41.6, "avg_hr": 142.2, "max_hr": 181,
                                         "duration_s": 2400.0},
            "highlights": [{"kind": "pb", "message": "Most effort points yet"}],
            "improvements": [{"kind": "low", "message": "Long stretch below zone 2"}]}
    with Session(engine) as db, db.begin():
        db.add(MemberClassSummary(class_session_id="demo-class", member_id=AVA, payload=part,
                                  ended_at=1_767_000_000.0))
        db.add(MemberClassSummary(class_session_id="demo-class", member_id="demo-member-02",
                                  payload={**part, "highlights": [
                                      {"kind": "pb", "message": "Ben's own best"}]},
                                  ended_at=1_767_000_000.0))
    engine.dispose()
    member_session(api_world)
    page = api_world.client.get("/member").text
    section = page[page.index('id="my-classes"'):]
    assert "<strong>42</strong>" in section and "effort points" in section
    assert "peak 181 bpm" in section
    assert "Most effort points yet" in section and "Long stretch below zone 2" in section
    assert "Ben's own best" not in page
