"""In-session suggestions: live evidence of a member with a plan session today becomes a
stated change, stored once per episode, announced on the class channel, accepted or
dismissed by the class's trainer, and shown on the member's plan with its evidence."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.live.suggestion_signals import READINESS
from api.live.suggestions import SuggestionService, class_date
from db.models import ClassSession
from db.session import make_engine, make_sessionmaker
from db.session_changes import PlanSessionChange
from db.training import ReadinessCheckin, WorkoutPlan
from planner.io import default_library
from planner.session_changes import LiveEvidence
from streams.sink import live_channel
from tests.api.test_plans_api import AVA, PlanWorld, generate
from tests.api.test_plans_api import world as world  # noqa: F401  (the fixture)

CLASS = "demo-class"
SQUAT_PATTERN = "squat"


def plan_today(world: PlanWorld) -> dict[str, Any]:
    """Ava's approved plan, with a squat session on the demo class's date (week 1)."""
    plan = generate(world)
    assert world.post("trainer", f"/api/plans/{plan['id']}/approve").status_code == 200
    library = default_library()
    engine = create_engine(world.api.database_url)
    with Session(engine) as db, db.begin():
        on = class_date(db.get(ClassSession, CLASS))
        row = db.get(WorkoutPlan, plan["id"])
        body = copy.deepcopy(row.plan)  # a new value, so the JSON column is written
        week1 = body["weeks"][0]
        leg = next(s for s in week1["sessions"] if any(
            library.get(i["exercise_id"]).pattern == SQUAT_PATTERN for i in s["exercises"]))
        others = [s for s in week1["sessions"] if s is not leg and s["day"] != on.isoweekday()]
        week1["sessions"] = sorted([*others, {**leg, "day": on.isoweekday()}],
                                   key=lambda s: s["day"])
        row.plan = body
        row.approved_at = datetime.combine(on, datetime.min.time(), UTC)
    engine.dispose()
    squat = next(i for i in leg["exercises"]
                 if library.get(i["exercise_id"]).pattern == SQUAT_PATTERN)
    return {"id": plan["id"], "squat": squat, "day": on.isoweekday()}


@pytest.fixture
async def service(world: PlanWorld, redis_server_url: str) -> AsyncIterator[SuggestionService]:
    redis = Redis.from_url(redis_server_url)
    engine = make_engine(world.api.database_url)
    yield SuggestionService(redis, make_sessionmaker(engine))
    await redis.aclose()
    await engine.dispose()


def fault_alert(alert_id: str = "alert-1", exercise: str = "squat") -> dict[str, Any]:
    now = time.time()
    return {"type": "alert", "alert": {
        "alert_id": alert_id, "class_session_id": CLASS, "member_id": AVA,
        "rule": "repeated_form_fault", "severity": "warning",
        "message": f"knees caving in 3 of the last 5 {exercise} reps: cue them",
        "event_time": now, "evidence_start": now - 6, "evidence_end": now, "value": 3.0}}


def heat_alert(alert_id: str) -> dict[str, Any]:
    now = time.time()
    return {"type": "alert", "alert": {
        "alert_id": alert_id, "class_session_id": CLASS, "member_id": AVA,
        "rule": "sustained_high", "severity": "warning", "message": "over a minute",
        "event_time": now, "evidence_start": now - 75, "evidence_end": now, "value": 0.95}}


async def run(service: SuggestionService, message: dict[str, Any]) -> list[dict[str, Any]]:
    """What one board message suggests (the service's own path, without pub/sub)."""
    service.observe(CLASS, message)
    made = []
    while not service.queue.empty():
        class_id, member_id, evidence = service.queue.get_nowait()
        made += await service.handle(class_id, member_id, evidence)
    return made


async def test_a_repeated_form_fault_suggests_the_easier_variant_once(world, service) -> None:
    plan = plan_today(world)
    listener = service.redis.pubsub()
    await listener.subscribe(live_channel(CLASS))
    (made,) = await run(service, fault_alert())
    assert made["member_id"] == AVA and made["plan_id"] == plan["id"]
    assert (made["week"], made["day"], made["status"]) == (1, plan["day"], "pending")
    assert made["exercise_id"] == plan["squat"]["exercise_id"]
    mod = made["modifications"][0]
    assert mod["kind"] in ("regress", "reduce_intensity")
    if mod["kind"] == "regress":
        assert made["headline"].startswith(f"Regress {plan['squat']['name']} to ")
    assert made["evidence"]["numbers"]["faulty_reps"] == 3
    assert made["evidence"]["text"].startswith("knees caving in 3 of the last 5 squat reps")
    assert made["evidence"]["ref"] == "alert-1"
    announced = None
    async with asyncio.timeout(5):
        while announced is None:
            message = await listener.get_message(ignore_subscribe_messages=True, timeout=1)
            if message:
                announced = json.loads(message["data"])
    assert announced == {"type": "suggestion", "suggestion": made}
    await listener.aclose()
    # the same alert redelivered, and a later alert on the same exercise: nothing new
    assert await run(service, fault_alert()) == []
    assert await run(service, fault_alert("alert-2")) == []


async def test_heat_cuts_the_session_once_while_a_cut_is_open(world, service) -> None:
    plan_today(world)
    (made,) = await run(service, heat_alert("heat-1"))
    assert made["rule"] == "sustained_high" and made["exercise_id"] is None
    assert [m["kind"] for m in made["modifications"]] == ["reduce_intensity", "reduce_volume"]
    assert made["evidence"]["text"].startswith("75 s near maximum heart rate, peak 95 %")
    assert await run(service, heat_alert("heat-2")) == []   # no stacking on an open cut
    world.post("trainer", f"/api/classes/{CLASS}/suggestions/{made['id']}/dismiss")
    (again,) = await run(service, heat_alert("heat-3"))     # a new episode after a "no"
    assert again["evidence"]["ref"] == "heat-3"


async def test_the_mornings_check_in_counts(world, service) -> None:
    plan_today(world)
    engine = create_engine(world.api.database_url)
    with Session(engine) as db, db.begin():
        on = class_date(db.get(ClassSession, CLASS))
        db.add(ReadinessCheckin(member_id=AVA, checked_on=on, sleep=1, energy=2, stress=5,
                                soreness=4, pain=1, pain_areas=[]))
    engine.dispose()
    service.contexts.clear()
    (made,) = await service.handle(CLASS, AVA, READINESS)
    # (0 + 0.25 + 0 + 0.25 + 1) / 5 = 0.3 -> readiness 30: under 40, a recovery session
    assert made["rule"] == "readiness"
    assert made["evidence"]["numbers"]["readiness"] == 30.0
    assert [(m["kind"], m["amount_percent"]) for m in made["modifications"][:2]] == [
        ("reduce_intensity", 20.0), ("reduce_volume", 50.0)]


async def test_no_plan_session_on_the_class_date_means_no_suggestion(world, service) -> None:
    assert await run(service, fault_alert()) == []          # Ava has no active plan yet
    evidence = LiveEvidence(rule="sustained_high", source="alert", ref="x", text="hot")
    assert await service.handle(CLASS, "demo-member-02", evidence) == []


async def test_trainer_accepts_and_the_member_sees_the_change_with_its_evidence(
        world, service) -> None:
    plan = plan_today(world)
    (made,) = await run(service, fault_alert())
    url = f"/api/classes/{CLASS}/suggestions/{made['id']}"
    assert world.post("member", f"{url}/accept").status_code == 403
    assert world.post("other_trainer", f"{url}/accept").status_code in (403, 404)
    assert world.get("member", "/api/members/me/session-changes").json() == []
    accepted = world.post("trainer", f"{url}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert world.post("trainer", f"{url}/accept").status_code == 200     # idempotent
    assert world.post("trainer", f"{url}/dismiss").status_code == 409
    listed = world.get("trainer", f"/api/classes/{CLASS}/suggestions").json()
    assert [(s["id"], s["status"], s["member_name"]) for s in listed] == [
        (made["id"], "accepted", "Ava")]
    mine = world.get("member", "/api/members/me/session-changes").json()
    assert [(c["id"], c["evidence"]["ref"]) for c in mine] == [(made["id"], "alert-1")]
    page = world.get("member", "/member/plan-changes?week=1")
    assert page.status_code == 200
    assert made["headline"] in page.text and "knees caving in 3 of the last 5 squat" in page.text
    if made["modifications"][0]["kind"] == "regress":
        alt = default_library().get(made["modifications"][0]["replacement_id"])
        assert alt.name in page.text.split("Your session as changed")[1]
    engine = create_engine(world.api.database_url)
    with Session(engine) as db:
        row = db.scalar(select(PlanSessionChange))
        assert row.plan_id == plan["id"] and row.decided_by is not None
    engine.dispose()


async def test_a_failing_cue_never_stops_the_service(world, service, monkeypatch) -> None:
    """Started for real on Redis pub/sub: a message it cannot read and evidence whose
    handling fails are logged and skipped, and the next alert still becomes a suggestion
    (stored once: the app's own service sees the same alert and may store it first)."""
    plan_today(world)
    real = service.handle

    async def flaky(class_id: str, member_id: str, evidence: object) -> list[dict[str, Any]]:
        if evidence == "boom":
            raise RuntimeError("database hiccup")
        return await real(class_id, member_id, evidence)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "handle", flaky)
    service.start()
    try:
        service.queue.put_nowait((CLASS, AVA, "boom"))
        service.queue.put_nowait(("no-such-class", AVA, READINESS))
        async with asyncio.timeout(20):
            while True:  # re-sent until the subscription is up (the same episode)
                await service.redis.publish(live_channel(CLASS), "not json")
                await service.redis.publish(live_channel(CLASS), json.dumps(fault_alert()))
                await asyncio.sleep(0.5)
                if service.handled >= 2 and service.queue.empty():
                    break
        assert service.failed == 1 and not any(t.done() for t in service.tasks)
    finally:
        await service.stop()
    engine = create_engine(world.api.database_url)
    with Session(engine) as db:
        rows = list(db.scalars(select(PlanSessionChange)))
    engine.dispose()
    assert [r.evidence["ref"] for r in rows] == ["alert-1"]
