"""Members' choices on a running stack (issue 20): a member who switched heart-rate
tracking and camera form analysis off on their account gets no tile, alert or insight,
whatever reaches the broker.

The real edge agent (simulated straps) fetches the signed roster and pairs no strap to
the member; on top of that, a box that still sends their strap and station (an old box,
or one set up by hand) writes heart-rate samples with a spike and faulty reps for them,
signed with the room's own key. The worker drops those with the counted reason
``consent_withdrawn``. Counterfactuals: the other members' tiles and insights appear, and
the same faulty reps of a member who allows cameras reach their tile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_user
from contract.kafka import client_options
from contract.records import FormEvent, HeartRateSample, ZoneInsight
from contract.signing import Signer
from contract.topics import TOPIC_FORM_EVENTS, TOPIC_HR_SAMPLES, TOPIC_INSIGHTS
from db.live import RealTimeInsight
from db.models import Booking, Member
from edge.credentials import fetch as fetch_credentials
from edge.runner import run_edge
from streams.sink import alerts_key, snapshot
from tests.e2e.wire import as_box_sends, wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
ALLOWED = ["demo-member-01", "demo-member-02", "demo-member-03"]


def opted_out_member(database_url: str, class_id: str) -> tuple[str, tuple[str, str]]:
    """A member of this test's own (the demo members are shared by every e2e test),
    booked into the class with a strap of their own, and their login."""
    member_id = f"optout-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(Member(id=member_id, display_name="Zora Optout", birth_year=1990))
        db.flush()
        db.add(Booking(class_session_id=class_id, member_id=member_id, strap_id="ZZ-OPT-01"))
    engine.dispose()
    account = (f"{member_id}@test.spotter", "optout-member-pass")
    create_user(database_url, account[0], account[1], "member", display_name="Zora",
                member_id=member_id)
    return member_id, account


async def rogue_box(settings: Any, box: Signer, class_id: str, member: str,
                    counterfactual: str) -> None:
    """The opted-out member's strap at 1 Hz with a 50 bpm spike, and faulty reps at their
    station; the same faulty reps for a member who allows cameras."""
    wires = wire_ids(settings.resolved_database_url(), class_id)
    producer = AIOKafkaProducer(**client_options(settings))
    await producer.start()
    try:
        seq = 0
        while True:
            now = time.time()
            for _ in range(5):
                seq += 1
                key, record = as_box_sends(HeartRateSample(
                    class_session_id=class_id, member_id=member, strap_id="ZZ-OPT-01",
                    seq=seq, event_time=now, hr_bpm=100 if seq % 20 < 10 else 150,
                    sensor_contact=True, source="chest"), wires)
                await producer.send_and_wait(TOPIC_HR_SAMPLES, key=key,
                                             value=box.sign(record).to_bytes())
            for who in (member, counterfactual):
                for rep in range(1, 4):
                    key, form = as_box_sends(FormEvent(
                        class_session_id=class_id, member_id=who, station_id=f"st-{who}",
                        exercise="squat", event_time=now, rep_index=seq + rep,
                        rom_deg=95.0, tempo_s=2.0, faults=["knees_caving"]), wires)
                    await producer.send_and_wait(TOPIC_FORM_EVENTS, key=key,
                                                 value=box.sign(form).to_bytes())
            await asyncio.sleep(1.0)
    finally:
        await producer.stop()


async def insight_members(settings: Any, class_id: str) -> set[str]:
    """Members with a zone insight of the class on the insights topic."""
    consumer = AIOKafkaConsumer(TOPIC_INSIGHTS, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None,
                                **client_options(settings))
    await consumer.start()
    found: set[str] = set()
    try:
        batches = await consumer.getmany(timeout_ms=3000)
        while batches:
            for records in batches.values():
                for message in records:
                    with contextlib.suppress(Exception):
                        insight = ZoneInsight.model_validate_json(message.value)
                        if insight.class_session_id == class_id:
                            found.add(insight.member_id)
            batches = await consumer.getmany(timeout_ms=1000)
    finally:
        await consumer.stop()
    return found


async def withdrawn_count(settings: Any) -> float:
    """``spotter_worker_dropped{reason="consent_withdrawn"}`` from the stack's worker."""
    status = json.loads((settings.data_dir / "stack-status.json").read_text())
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{status['worker_health']}/metrics")).text
    for line in text.splitlines():
        if line.startswith("spotter_worker_dropped{") and "consent_withdrawn" in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_an_opted_out_members_strap_and_station_make_nothing(live_stack) -> None:
    demo = live_stack.demo(members=len(ALLOWED))
    class_id, database_url = demo.class_session_id, live_stack.settings.resolved_database_url()
    member, account = opted_out_member(database_url, class_id)
    base = live_stack.api_url
    redis = Redis.from_url(live_stack.settings.redis_url)
    tasks: list[asyncio.Task[Any]] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = (await client.post("/api/auth/token", json={
            "email": account[0], "password": account[1]})).json()["access_token"]
        chose = await client.put("/api/members/me/consents",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"hr_tracking": False, "camera_form": False})
        assert chose.status_code == 200, chose.text
        roster = (await client.get(f"/api/classes/{class_id}/roster",
                                   headers=live_stack.headers())).json()
        mine = next(r for r in roster if r["member_id"] == member)
        assert (mine["hr_tracking"], mine["camera_form"], mine["strap_id"]) == (
            False, False, None)
        before = await withdrawn_count(live_stack.settings)
        try:
            # the real box: 4 simulated straps, the opted-out member gets none of them
            tasks.append(asyncio.create_task(run_edge(
                live_stack.edge_settings(demo), class_id, base,
                simulate=len(ALLOWED) + 1, speed=5.0)))

            async def others_live() -> bool:
                return set(ALLOWED) <= set(await snapshot(redis, class_id))

            async with asyncio.timeout(90):
                while not await others_live():
                    await asyncio.sleep(1)
            box = (await fetch_credentials(base, class_id, demo.device_token)).signer
            assert box is not None
            tasks.append(asyncio.create_task(rogue_box(
                live_stack.settings, box, class_id, member, ALLOWED[1])))

            async def counterfactual_form() -> bool:
                tile = (await snapshot(redis, class_id)).get(ALLOWED[1]) or {}
                return bool(tile.get("form"))

            async with asyncio.timeout(60):
                while not await counterfactual_form():
                    await asyncio.sleep(1)
            await asyncio.sleep(25)  # a spike cycle (20 s) and then some
            tiles = await snapshot(redis, class_id)
            assert member not in tiles, tiles.get(member)
            alerts = [json.loads(v) for v in
                      (await redis.hgetall(alerts_key(class_id))).values()]
            assert not [a for a in alerts if a.get("member_id") == member]
            wires = wire_ids(database_url, class_id)  # the topic names bookings
            seen = await insight_members(live_stack.settings, class_id)
            assert {wires[m] for m in ALLOWED} & seen, seen  # insights flow for the others
            assert wires[member] not in seen and member not in seen
            assert await withdrawn_count(live_stack.settings) > before
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await client.post(f"/api/classes/{class_id}/end",
                                  headers=live_stack.headers())
            await redis.aclose()
    engine = create_engine(database_url)
    with Session(engine) as db:
        stored = db.scalars(select(RealTimeInsight.member_id).where(
            RealTimeInsight.class_session_id == class_id)).all()
    engine.dispose()
    assert member not in stored


async def test_a_withdrawal_during_class_takes_effect_at_once(live_stack) -> None:
    """The member switches heart rate off while their class is live: the API sends the
    class their roster entry again, and what the box still sends for them stops counting
    (their tile stops moving; their samples are counted as consent_withdrawn)."""
    demo = live_stack.demo(members=1)
    class_id, database_url = demo.class_session_id, live_stack.settings.resolved_database_url()
    member, account = opted_out_member(database_url, class_id)
    base = live_stack.api_url
    redis = Redis.from_url(live_stack.settings.redis_url)
    feeding: asyncio.Task[Any] | None = None
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = await client.post(f"/api/classes/{class_id}/start",
                                    headers=live_stack.headers())
        assert started.status_code == 200, started.text
        box = (await fetch_credentials(base, class_id, demo.device_token)).signer
        assert box is not None
        feeding = asyncio.create_task(rogue_box(live_stack.settings, box, class_id, member,
                                                "demo-member-01"))
        try:
            async def tile_of_member() -> dict[str, Any] | None:
                found: dict[str, Any] | None = (await snapshot(redis, class_id)).get(member)
                return found

            async with asyncio.timeout(60):
                while await tile_of_member() is None:  # heart rate on: a tile
                    await asyncio.sleep(1)
            token = (await client.post("/api/auth/token", json={
                "email": account[0], "password": account[1]})).json()["access_token"]
            before = await withdrawn_count(live_stack.settings)
            chose = await client.put("/api/members/me/consents",
                                     headers={"Authorization": f"Bearer {token}"},
                                     json={"hr_tracking": False})
            assert chose.status_code == 200, chose.text
            await asyncio.sleep(5)  # the entry's way through the broker and the worker
            frozen = await tile_of_member()
            assert frozen is not None
            await asyncio.sleep(10)
            after = await tile_of_member()
            assert after is not None and after.get("last_seen") == frozen.get("last_seen")
            assert await withdrawn_count(live_stack.settings) > before
        finally:
            if feeding is not None:
                feeding.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await feeding
            with contextlib.suppress(Exception):
                await client.post(f"/api/classes/{class_id}/end",
                                  headers=live_stack.headers())
            await redis.aclose()
