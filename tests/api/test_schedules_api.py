"""/api/schedules on the demo studio: generate, publish (class sessions appear for the
trainer), scenarios, repair, pins, suggestions from booking history, and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from db.accounts import User
from db.models import Booking, ClassSession, Member, Trainer

FAST = {"time_limit_s": 3}
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def world(api_world):
    """Bearer headers per role made directly (a login per role would hash with Argon2)."""
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        ids = {u.role: u.id for u in db.scalars(select(User).where(
            User.email.in_([e for e, _ in api_world.demo.accounts.values()])))}
    engine.dispose()
    for role in ("admin", "trainer", "member"):
        token = create_token(api_world.database_url, f"schedules {role}", kind="user",
                             user_id=ids[role])
        setattr(api_world, role, {"Authorization": f"Bearer {token}"})
    return api_world


def db_session(world) -> Session:
    return Session(create_engine(world.database_url))


def generate(world, **body) -> dict:
    response = world.client.post("/api/schedules/generate", json={**FAST, **body},
                                 headers=world.admin)
    assert response.status_code == 201, response.text
    return response.json()


def add_trainer(world, trainer_id: str = "sub-trainer") -> None:
    with db_session(world) as db, db.begin():
        db.add(Trainer(id=trainer_id, display_name="Sub Coach", qualifications=["hiit"],
                       availability=[{"day": d, "start": "06:00", "end": "22:00"}
                                     for d in range(7)]))


def test_generate_publish_and_who_sees_what(world) -> None:
    client = world.client
    assert client.get("/api/schedules/published", headers=world.member).status_code == 404
    draft = generate(world)
    assert draft["status"] == "draft" and draft["solver_status"] in ("OPTIMAL", "FEASIBLE")
    assert draft["classes"] == len(draft["schedule"]) > 0
    assert draft["violations"] == []
    terms = draft["objective_breakdown"]
    assert {"attendance", "revenue", "idle_time", "imbalance"} <= set(terms)
    assert terms["attendance"]["value"] == pytest.approx(draft["predicted_attendance"], abs=0.1)
    assert draft["gap"] is not None and 0 <= draft["gap"] < 0.05
    assert draft["best_bound"] >= draft["objective"] - 1e-6
    assert draft["baselines"]["manager"] > 0 and draft["baselines"]["greedy"] > 0
    assert draft["demand"]["source"] == "priors"
    assert draft["names"]["trainers"]["demo-trainer"] == "Sam Coach"
    week = date.fromisoformat(draft["week_start"])
    assert week.weekday() == 0 and week > datetime.now(UTC).date()

    # trainers read, members and devices do not; only admins write
    assert client.get(f"/api/schedules/{draft['id']}", headers=world.trainer).status_code == 200
    assert client.get("/api/schedules", headers=world.trainer).json()[0]["id"] == draft["id"]
    assert draft["score"] == pytest.approx(
        sum(t["weighted"] if t["stage"] == "value" else -t["weighted"]
            for t in terms.values()), abs=1e-3)
    assert draft["span"]["weeks"] == 1 and draft["proof"]
    assert client.get("/api/schedules", headers=world.member).status_code == 403
    assert client.get(f"/api/schedules/{draft['id']}", headers=world.member).status_code == 403
    # trainers propose drafts (the admins hear of it) but do not publish them
    proposed = client.post("/api/schedules/generate", json=FAST, headers=world.trainer)
    assert proposed.status_code == 201 and proposed.json()["proposed_by"] == "Sam Coach"
    assert "proposed by Sam Coach" in proposed.json()["name"]
    told_admin = client.get("/api/notifications", headers=world.admin).json()
    assert any(n["event"] == "schedule.proposed" for n in told_admin), told_admin
    assert client.post(f"/api/schedules/{proposed.json()['id']}/publish",
                       headers=world.trainer).status_code == 403
    assert client.delete(f"/api/schedules/{draft['id']}",
                         headers=world.trainer).status_code == 403  # not theirs
    assert client.delete(f"/api/schedules/{proposed.json()['id']}",
                         headers=world.trainer).status_code == 204  # their own
    assert client.post("/api/schedules/generate", json=FAST,
                       headers=world.member).status_code == 403
    assert client.post(f"/api/schedules/{draft['id']}/publish",
                       headers=world.trainer).status_code == 403
    assert client.post(f"/api/schedules/{draft['id']}/publish",
                       headers=world.auth("device")).status_code == 403
    assert client.get("/api/schedules").status_code == 401

    published = client.post(f"/api/schedules/{draft['id']}/publish", headers=world.admin)
    assert published.status_code == 200, published.text
    assert published.json()["sessions_created"] == draft["classes"]
    assert client.post(f"/api/schedules/{draft['id']}/publish",
                       headers=world.admin).status_code == 409
    # the week's classes now exist and the trainer sees them as their own
    mine = client.get("/api/classes", headers=world.trainer).json()
    starts = {datetime.fromisoformat(c["starts_at"]).replace(tzinfo=UTC) for c in mine}
    in_week = [s for s in starts if week <= s.date() < week + timedelta(days=7)]
    assert len(in_week) == draft["classes"]
    timetable = client.get("/api/schedules/published", headers=world.member)
    assert timetable.status_code == 200 and len(timetable.json()["classes"]) == draft["classes"]
    told = client.get("/api/notifications", headers=world.trainer).json()
    assert any(n["event"] == "schedule.published" for n in told), told


def test_republishing_the_same_week_keeps_unchanged_classes_and_archives(world) -> None:
    client = world.client
    first = generate(world)
    client.post(f"/api/schedules/{first['id']}/publish", headers=world.admin)
    add_trainer(world)  # the studio changed: the next draft may move classes
    second = generate(world, week_start=first["week_start"])
    assert "changes" in second["objective_breakdown"]  # scored against the published week
    result = client.post(f"/api/schedules/{second['id']}/publish", headers=world.admin).json()
    assert result["archived"] == [first["id"]]
    assert result["sessions_kept"] + result["sessions_created"] == second["classes"]
    assert result["sessions_kept"] + result["sessions_removed"] == first["classes"]
    statuses = {s["id"]: s["status"] for s in client.get("/api/schedules",
                                                         headers=world.admin).json()}
    assert statuses == {first["id"]: "archived", second["id"]: "published"}
    with db_session(world) as db:
        week = date.fromisoformat(first["week_start"])
        count = db.scalar(select(func.count()).select_from(ClassSession).where(
            ClassSession.starts_at >= datetime.combine(week, datetime.min.time()),
            ClassSession.status == "scheduled"))
    assert count == second["classes"]  # no duplicates left behind


def test_infeasible_week_names_the_conflicting_rules(world) -> None:
    response = world.client.post("/api/schedules/generate", headers=world.admin, json={
        **FAST, "sessions": {"demo-hiit": {"min": 29, "max": 29}}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "demo-hiit must run at least 29 times a week" in detail
    assert "demo-trainer may teach at most 4 classes a day" in detail  # the admin's cap


def _huge_price() -> dict:
    """An instance whose price per attendee would overflow the integer objective."""
    from scheduler.instances import example_instance

    instance = example_instance().model_dump(mode="json")
    instance["class_types"][0]["revenue_weight"] = 1e308
    return instance


BAD = [
    ({"week_start": "2030-01-02"}, "give a Monday"),
    ({"instance": {"rooms": []}}, "opening_hours"),
    ({"sessions": {"demo-hiit": {"min": 3, "max": 1}}}, "min_sessions 3 > max_sessions 1"),
    ({"time_limit_s": 1000}, "less than or equal to 120"),
    ({"weights": {"attendance": -1}}, "greater than or equal to 0"),
    ({"week_start": "0001-01-01"}, "outside 2000-01-01 .. 2099-12-31"),
    ({"week_start": "9999-12-27"}, "outside 2000-01-01 .. 2099-12-31"),
    ({"week_start": "2030-01-07", "end_date": "9999-12-31"}, "outside 2000-01-01"),
    ({"instance": _huge_price()}, "less than or equal to 100000"),
]


def test_bad_requests_are_422_with_the_reason(world) -> None:
    for body, words in BAD:
        response = world.client.post("/api/schedules/generate", json=body,
                                     headers=world.admin)
        assert response.status_code == 422, body
        assert words in response.text, (body, response.text)


def test_instance_json_scenarios_compare_side_by_side(world) -> None:
    from scheduler.instances import example_instance

    inst = example_instance().model_dump(mode="json", exclude_none=True)
    a = generate(world, instance=inst, name="attendance first")
    b = generate(world, instance=inst, name="trainer comfort",
                 weights={"idle_minute": 2.0, "imbalance": 20.0})
    assert a["source"] == b["source"] == "instance"
    assert b["weights"]["idle_minute"] == 2.0 and a["weights"]["idle_minute"] == 0.02
    compared = world.client.get(f"/api/schedules/compare?a={a['id']}&b={b['id']}",
                                headers=world.trainer)
    assert compared.status_code == 200
    body = compared.json()
    assert body["a"]["objective_breakdown"]["idle_time"]["weight"] == 0.02
    assert body["b"]["objective_breakdown"]["idle_time"]["weight"] == 2.0
    diff = body["diff"]
    assert diff["unchanged"] + sum(1 for c in diff["changes"] if c["kind"] != "added") \
        == a["classes"]
    # planned for a file, not the studio: publishing it would name rooms the studio lacks
    refused = world.client.post(f"/api/schedules/{a['id']}/publish", headers=world.admin)
    assert refused.status_code == 422 and "Studio A" in refused.json()["detail"]


def test_repair_pins_and_discard(world) -> None:
    client = world.client
    add_trainer(world)
    draft = generate(world)
    client.post(f"/api/schedules/{draft['id']}/publish", headers=world.admin)
    sam = [i for i, c in enumerate(draft["schedule"]) if c["trainer"] == "demo-trainer"]
    pinned = client.put(f"/api/schedules/{draft['id']}/pins", headers=world.admin,
                        json={"index": 0, "pinned": True})
    assert pinned.status_code == 200 and pinned.json()["pinned"] == [0]
    assert client.put(f"/api/schedules/{draft['id']}/pins", headers=world.admin,
                      json={"index": 999}).status_code == 422
    # a new draft keeps the pinned class exactly
    kept = draft["schedule"][0]
    nxt = generate(world)
    assert kept in nxt["schedule"] and nxt["pinned"] == [nxt["schedule"].index(kept)]
    client.delete(f"/api/schedules/{nxt['id']}", headers=world.admin)
    assert client.get(f"/api/schedules/{nxt['id']}", headers=world.admin).status_code == 404
    assert client.delete(f"/api/schedules/{draft['id']}",
                         headers=world.admin).status_code == 409

    day = draft["schedule"][sam[0]]["day"] if sam else "Mon"
    fixed = client.post(f"/api/schedules/{draft['id']}/repair", headers=world.admin, json={
        "change": {"kind": "trainer_unavailable", "trainer": "demo-trainer", "day": day},
        "time_limit_s": 3})
    assert fixed.status_code == 201, fixed.text
    body = fixed.json()
    repaired = body["draft"]
    assert repaired["status"] == "draft" and repaired["repair"]["of"] == draft["id"]
    assert not any(c["trainer"] == "demo-trainer" and c["day"] == day
                   for c in repaired["schedule"])
    hit = [c for c in draft["schedule"] if c["trainer"] == "demo-trainer" and c["day"] == day]
    assert len(body["substitutes"]) == len(hit)
    for sub in body["substitutes"]:
        assert "demo-trainer" not in sub["trainers"]
    # every published class is unchanged or accounted for in the change list
    assert len(body["changes"]) >= len(hit)
    assert client.post(f"/api/schedules/{draft['id']}/repair", headers=world.admin, json={
        "change": {"kind": "room_closed", "room": "nowhere"}}).status_code == 422


def seed_history(world, slot: dict, weeks: int, booked: int) -> None:
    """Past weeks of one class at ``slot``'s day and time, ``booked`` members each."""
    today = datetime.now(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].index(slot["day"])
    h, m = (int(x) for x in slot["start"].split(":"))
    with db_session(world) as db, db.begin():
        for k in range(1, weeks + 1):
            starts = datetime.combine(this_monday - timedelta(weeks=k) + timedelta(days=days),
                                      datetime.min.time(), tzinfo=UTC) + timedelta(hours=h,
                                                                                  minutes=m)
            session = ClassSession(class_type_id=slot["class_type"], room_id=slot["room"],
                                   trainer_id=slot["trainer"], starts_at=starts,
                                   ends_at=starts + timedelta(minutes=45), status="ended")
            db.add(session)
            db.flush()
            for n in range(booked):
                member_id = f"hist-{n:02d}"
                if db.get(Member, member_id) is None:
                    db.add(Member(id=member_id, display_name=f"History {n}"))
                    db.flush()
                db.add(Booking(class_session_id=session.id, member_id=member_id,
                               status="attended" if n % 2 == 0 else "no_show"))


def test_history_drives_demand_and_under_used_classes_get_suggestions(world) -> None:
    draft = generate(world)
    slot = draft["schedule"][0]
    seed_history(world, slot, weeks=4, booked=4)  # 2 of 30 places used: well under 40 %
    found = world.client.get(f"/api/schedules/{draft['id']}/adjustments",
                             headers=world.trainer)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["history_classes"] == 4 and body["weeks"] == 4
    mine = [s for s in body["suggestions"] if s["day"] == slot["day"]
            and s["start"] == slot["start"]]
    assert mine and mine[0]["kind"] == "move_or_reduce"
    evidence = mine[0]["evidence"]
    assert evidence["attended"] == [2, 2, 2, 2] and evidence["capacity"] == 30
    assert evidence["mean_utilisation"] == pytest.approx(2 / 30, abs=0.001)
    assert world.client.get(f"/api/schedules/{draft['id']}/adjustments",
                            headers=world.member).status_code == 403
    again = generate(world)
    assert again["demand"] == {"source": "history", "history_classes": 4}
    at_slot = [c for c in again["schedule"] if (c["day"], c["start"]) == (slot["day"],
                                                                          slot["start"])]
    # the model learnt that this slot draws ~2 people: it no longer predicts the prior ~18
    for c in at_slot:
        assert c["predicted_attendance"] < slot["predicted_attendance"]
