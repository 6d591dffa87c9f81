"""The admin's AI toggles on a running stack (issue 13): a change made on the admin page
or through the admin API takes effect within 30 s, without restarting anything.

Live alerts off: a heart-rate spike raises no alert while the tiles keep updating; on
again: the same pattern raises one. Vision off for a room: that room's form events are
dropped (no reps on the tile, no form alert); on again: they count. Each "on" half is the
counterfactual that shows the pattern really fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from configs.settings import Settings
from contract.kafka import client_options
from contract.records import FormEvent, HeartRateSample
from contract.signing import API, Signer, sign_as
from contract.topics import TOPIC_FORM_EVENTS, TOPIC_HR_SAMPLES
from db.models import Booking, ClassSession, Room
from edge.credentials import fetch as fetch_credentials
from streams.sink import alerts_key, snapshot
from tests.e2e.wire import as_box_sends, wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]
ROOM = "toggle-room"
MEMBERS = ["demo-member-01", "demo-member-02", "demo-member-03", "demo-member-04"]
TAKES_EFFECT_S = 30.0  # the promise


def own_class(database_url: str) -> str:
    class_id = f"toggle-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        if db.get(Room, ROOM) is None:
            db.add(Room(id=ROOM, name="Toggle Room", capacity=10, features=[]))
        db.add(ClassSession(id=class_id, class_type_id="demo-hiit", room_id=ROOM,
                            trainer_id="demo-trainer", starts_at=now,
                            ends_at=now + timedelta(minutes=45), status="scheduled"))
        for i, member in enumerate(MEMBERS):
            db.add(Booking(class_session_id=class_id, member_id=member,
                           strap_id=f"tg-{i + 1:02d}"))
    engine.dispose()
    return class_id


class Room1Hz:
    """Every member's strap at 1 Hz (signed as the API, as tests write), with spikes on
    request; form events signed by the room's own box (the worker knows their room from
    that signature, and only then can it honour the room's vision toggle)."""

    def __init__(self, settings: Settings, class_id: str) -> None:
        self.settings, self.class_id = settings, class_id
        self.box: Signer | None = None
        self.seq = dict.fromkeys(MEMBERS, 0)
        self.hr = dict.fromkeys(MEMBERS, 100)
        self.producer = AIOKafkaProducer(**client_options(settings))
        self.wires = wire_ids(settings.resolved_database_url(), class_id)

    async def send(self, topic: str, key: str, record: Any) -> None:
        wire_key, record = as_box_sends(record, self.wires)
        signed = sign_as(self.settings.secret_key, API, record)
        await self.producer.send_and_wait(topic, key=wire_key, value=signed.to_bytes())

    async def run(self) -> None:
        await self.producer.start()
        try:
            while True:
                now = time.time()
                for i, member in enumerate(MEMBERS):
                    self.seq[member] += 1
                    await self.send(TOPIC_HR_SAMPLES, member, HeartRateSample(
                        class_session_id=self.class_id, member_id=member,
                        strap_id=f"tg-{i + 1:02d}", seq=self.seq[member], event_time=now,
                        hr_bpm=self.hr[member], sensor_contact=True, source="chest"))
                await asyncio.sleep(1.0)
        finally:
            await self.producer.stop()

    async def spike(self, member: str) -> None:
        """+50 bpm from one second to the next for 5 s (the spike rule: > 40 in 5 s)."""
        self.hr[member] = 150
        await asyncio.sleep(5)
        self.hr[member] = 100

    async def faulty_set(self, member: str) -> None:
        assert self.box is not None
        now = time.time()
        for rep in range(1, 6):
            key, record = as_box_sends(FormEvent(
                class_session_id=self.class_id, member_id=member, station_id="st-1",
                exercise="squat", event_time=now + rep, rep_index=rep, rom_deg=95.0,
                tempo_s=2.0, faults=["knees_caving"]), self.wires)
            await self.producer.send_and_wait(TOPIC_FORM_EVENTS, key=key,
                                              value=self.box.sign(record).to_bytes())


async def admin_page_session(client: httpx.AsyncClient, account: tuple[str, str]) -> str:
    """Log in through the form; returns the page's CSRF token."""
    login = await client.post("/login", data={"email": account[0], "password": account[1]})
    assert login.status_code in (200, 303), login.status_code
    page = await client.get("/admin/settings")
    assert page.status_code == 200
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


async def set_features(client: httpx.AsyncClient, admin: dict[str, str], **change: Any
                       ) -> None:
    current = (await client.get("/api/admin/settings/ai-features", headers=admin)).json()
    answer = await client.put("/api/admin/settings/ai-features", headers=admin,
                              json={**current, **change})
    assert answer.status_code == 200, answer.text


async def rules_raised(redis: Redis, class_id: str) -> list[str]:
    import json

    return [json.loads(v)["rule"] for v in (await redis.hgetall(alerts_key(class_id))).values()]


async def until(check: Any, timeout_s: float, every_s: float = 1.0) -> float:
    """Seconds until ``check()`` is true (fails after ``timeout_s``)."""
    started = time.monotonic()
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(every_s)
    return time.monotonic() - started


async def test_admin_toggles_take_effect_on_a_running_stack(live_stack) -> None:
    demo = live_stack.demo(members=len(MEMBERS))
    base, admin = live_stack.api_url, live_stack.headers()
    class_id = own_class(live_stack.settings.resolved_database_url())
    redis = Redis.from_url(live_stack.settings.redis_url)
    room = Room1Hz(live_stack.settings, class_id)
    feeding: asyncio.Task[None] | None = None
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = await client.post(f"/api/classes/{class_id}/start", headers=admin)
        assert started.status_code == 200, started.text
        device = create_token(live_stack.settings.resolved_database_url(), "toggle box",
                              kind="device", room_id=ROOM)
        room.box = (await fetch_credentials(base, class_id, device)).signer
        feeding = asyncio.create_task(room.run())
        try:
            await until(lambda: _all_tiles(redis, class_id), 60)

            # -- live alerts off, on the admin page ----------------------------------
            csrf = await admin_page_session(client, demo.accounts["admin"])
            off = await client.post("/admin/settings/ai-features", data={
                "csrf_token": csrf, "planner": "on", "vision_default": "on"})  # alerts off
            assert off.status_code == 303
            features = (await client.get("/api/admin/settings/ai-features",
                                         headers=admin)).json()
            assert features["live_alerts"] is False
            await asyncio.sleep(TAKES_EFFECT_S)
            before = (await snapshot(redis, class_id))[MEMBERS[0]]["last_seen"]
            await room.spike(MEMBERS[0])
            await asyncio.sleep(10)
            assert await rules_raised(redis, class_id) == []  # nothing raised
            after = (await snapshot(redis, class_id))[MEMBERS[0]]["last_seen"]
            assert after > before  # while the tiles kept updating

            # -- on again (API): the same pattern raises its alert ---------------------
            await set_features(client, admin, live_alerts=True)
            switched = time.monotonic()

            async def spiked() -> bool:
                member = MEMBERS[1 + int(time.monotonic() - switched) // 8 % 3]
                await room.spike(member)
                return "spike" in await rules_raised(redis, class_id)

            took = await until(spiked, TAKES_EFFECT_S + 15, every_s=2.0)
            assert took <= TAKES_EFFECT_S + 10  # a spike pattern lasts ~5 s itself

            # -- vision off for this room (API): its form events are dropped ----------
            await set_features(client, admin, vision_rooms={ROOM: False})
            await asyncio.sleep(TAKES_EFFECT_S)
            await room.faulty_set(MEMBERS[2])
            await asyncio.sleep(10)
            tile = (await snapshot(redis, class_id))[MEMBERS[2]]
            assert not tile.get("form"), tile.get("form")
            assert "repeated_form_fault" not in await rules_raised(redis, class_id)

            # -- vision on again: the same set counts ---------------------------------
            await set_features(client, admin, vision_rooms={})
            switched = time.monotonic()

            async def counted() -> bool:
                await room.faulty_set(MEMBERS[3])
                await asyncio.sleep(2)
                return bool((await snapshot(redis, class_id))[MEMBERS[3]].get("form"))

            took = await until(counted, TAKES_EFFECT_S + 15, every_s=3.0)
            assert took <= TAKES_EFFECT_S + 10
        finally:
            await set_features(client, admin, live_alerts=True, vision_rooms={})
            if feeding is not None:
                feeding.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await feeding
            with contextlib.suppress(Exception):
                await client.post(f"/api/classes/{class_id}/end", headers=admin)
            await redis.aclose()


async def _all_tiles(redis: Redis, class_id: str) -> bool:
    return len(await snapshot(redis, class_id)) >= len(MEMBERS)


class FakeAgent:
    """Stands in for the edge agent: only its end matters to the watcher."""

    ended = False

    async def end_class(self) -> None:
        self.ended = True


async def test_vision_off_stops_the_rooms_cameras_within_30_s(live_stack) -> None:
    """The box's side of the vision toggle: its class watcher (edge.class_watch), polling
    the real API with the room's device token, stops the camera stations once an admin
    switches vision off for the room."""
    from edge.class_watch import follow_class

    live_stack.demo(members=len(MEMBERS))  # the members its bookings name
    base, admin = live_stack.api_url, live_stack.headers()
    database_url = live_stack.settings.resolved_database_url()
    class_id = own_class(database_url)
    device = create_token(database_url, "toggle box 2", kind="device", room_id=ROOM)
    stopped: list[float] = []

    async def stop_cameras() -> None:
        stopped.append(time.monotonic())

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = await client.post(f"/api/classes/{class_id}/start", headers=admin)
        assert started.status_code == 200, started.text
        watcher = asyncio.create_task(follow_class(base, class_id, device, 2.0, ROOM)(
            FakeAgent(), stop_cameras))  # type: ignore[arg-type]
        try:
            await asyncio.sleep(6)
            assert not stopped  # vision on: the cameras run
            await set_features(client, admin, vision_rooms={ROOM: False})
            switched = time.monotonic()
            took = await until(lambda: _any(stopped), TAKES_EFFECT_S + 5, every_s=0.5)
            assert stopped[0] - switched <= TAKES_EFFECT_S, took
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
            await set_features(client, admin, vision_rooms={})
            with contextlib.suppress(Exception):
                await client.post(f"/api/classes/{class_id}/end", headers=admin)


async def _any(items: list[float]) -> bool:
    return bool(items)
