"""Erasure after a real live class (issue 20): a member with a plan and logged sets takes
a class on the real stack (simulated strap -> edge agent with signed records -> Tansu ->
Faust worker -> Redis, database), rates it, and is erased by an admin. Afterwards a scan
of every table, every Redis key, the edge files and every record still readable from the
topics finds neither their id, name, first name nor email; the class summary keeps its
numbers, with the member under the receipt's anonymous id.

Tansu neither compacts nor deletes records: "readable" for a changelog is what a
consumer reads after compaction (latest value per key, tombstones gone; see
``api.privacy.erase_kafka.readable``). Record topics (samples, roster, insights) cannot be
rewritten: members travel there under their booking (``contract.pseudonyms``), so after
erasure those records lead only to the anonymous id, and none names the member.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from api.privacy.erase_kafka import is_compacted, read_all, readable
from api.privacy.member_data import Needles
from api.privacy.scrub import scrub
from contract.kafka import client_options
from contract.pseudonyms import booking_of_wire_id, wire_id_of_booking
from contract.topics import TOPIC_HR_SAMPLES, TOPIC_INSIGHTS, TOPIC_ROSTER
from db.models import Booking
from db.timetable import ClassFeedback
from edge.class_watch import follow_class
from edge.runner import run_edge
from streams.sink import snapshot
from tests.api.privacy_data import Person, add_member, new_person, scan_tables, summary_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def take_seat(database_url: str, class_id: str, who: Person) -> None:
    """The person takes the third member's booking (and strap) in the test's class."""
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.execute(update(Booking).where(Booking.class_session_id == class_id,
                                         Booking.member_id == "demo-member-03")
                   .values(member_id=who.member_id))
    engine.dispose()


def booking_of(database_url: str, class_id: str, who: Person) -> str:
    engine = create_engine(database_url)
    with Session(engine) as db:
        found = db.scalar(select(Booking.id).where(Booking.class_session_id == class_id,
                                                   Booking.member_id == who.member_id))
    engine.dispose()
    assert found is not None
    return found


def booking_member(database_url: str, class_id: str, wire_id: str | None) -> str | None:
    engine = create_engine(database_url)
    with Session(engine) as db:
        found = db.scalar(select(Booking.member_id).where(
            Booking.class_session_id == class_id, Booking.id == booking_of_wire_id(wire_id)))
    engine.dispose()
    return found


def rate(database_url: str, class_id: str, who: Person) -> None:
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(ClassFeedback(class_session_id=class_id, member_id=who.member_id, rating=4,
                             comment=f"{who.first_name} liked it"))
    engine.dispose()


async def redis_traces(redis: Redis, needles: list[str]) -> list[str]:
    """Every key and every value of every key, as text: where a needle appears."""
    found: list[str] = []
    async for raw in redis.scan_iter(count=500):
        key = raw.decode("utf-8", "replace")
        kind = (await redis.type(raw)).decode()
        if kind == "hash":
            parts = [f"{k!r}{v!r}" for k, v in (await redis.hgetall(raw)).items()]
        elif kind == "set":
            parts = [repr(m) for m in await redis.smembers(raw)]
        elif kind == "list":
            parts = [repr(m) for m in await redis.lrange(raw, 0, -1)]
        elif kind == "zset":
            parts = [repr(m) for m in await redis.zrange(raw, 0, -1)]
        elif kind == "string":
            parts = [repr(await redis.get(raw))]
        else:
            parts = []
        blob = key + "".join(parts)
        found += [f"{key}: {n}" for n in needles if n in blob]
    return found


def file_traces(data_dir: Path, needles: list[str]) -> list[str]:
    """The edge box's pairing and credentials files."""
    paths = [data_dir / "pairings.json", *(data_dir / "edge" / "credentials").glob("*")]
    found = []
    for path in paths:
        if path.is_file():
            text = path.read_text(errors="replace")
            found += [f"{path.name}: {n}" for n in needles if n in text]
    return found


async def until(check: Any, timeout_s: float) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(1)


async def test_an_erased_member_leaves_no_trace_and_the_class_keeps_its_numbers(
        live_stack) -> None:
    demo = live_stack.demo(members=3)
    class_id = demo.class_session_id
    settings = live_stack.settings
    database_url = settings.resolved_database_url()
    who = new_person("e2e-")
    add_member(database_url, who)  # plan, logged sets, check-in, feedback, account ...
    take_seat(database_url, class_id, who)
    redis = Redis.from_url(settings.redis_url)
    base, admin = live_stack.api_url, live_stack.headers()
    edge = asyncio.create_task(run_edge(
        live_stack.edge_settings(demo), class_id, base, simulate=3, speed=5.0,
        follow=follow_class(base, class_id, demo.device_token, 1.0, "demo-room")))
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=admin) as client:
            async def three_tiles() -> bool:
                return len(await snapshot(redis, class_id)) >= 3

            await until(three_tiles, 90)
            tiles = await snapshot(redis, class_id)
            assert who.member_id in tiles
            resting = await client.post(
                f"/api/classes/{class_id}/members/{who.member_id}/resting")
            assert resting.status_code == 200, resting.text
            await asyncio.sleep(15)  # some minutes of class at 5x
            ended = await client.post(f"/api/classes/{class_id}/end")
            assert ended.status_code == 200, ended.text
            await asyncio.wait_for(edge, 60)  # the box confirms the end: the summary

            async def summarised() -> bool:
                return bool(summary_numbers(database_url, class_id))

            await until(summarised, 90)
            await asyncio.sleep(3)  # the worker's last insight rows
            rate(database_url, class_id, who)
            before = summary_numbers(database_url, class_id)
            assert scan_tables(database_url, who.needles()), "the member was not recorded"
            kafka = client_options(settings)
            booking_id = booking_of(database_url, class_id, who)
            # what went out to the topics names the booking, not the member: the
            # changelogs (worker state, tombstoned below) are the only place with the id
            on_topics = await read_all(kafka)
            assert any(wire_id_of_booking(booking_id) in r.text() for r in on_topics)
            naming = [r for r in on_topics if not is_compacted(r.topic)
                      and any(n in r.text() for n in who.needles())]
            assert not naming, [r.text()[:600] for r in naming]

            erased = await client.post(f"/api/members/{who.member_id}/erase",
                                       json={"confirm": who.member_id})
            assert erased.status_code == 200, erased.text
            receipt = erased.json()
    finally:
        if not edge.done():
            edge.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await edge
    anonymous = receipt["anonymous_id"]
    wire_id = wire_id_of_booking(booking_id)
    assert not any(n in json.dumps(receipt) for n in who.needles())
    removed = receipt["removed"]
    assert removed["database"]["workout_logs"] == {"deleted": 1}
    assert removed["database"]["class_feedback"] == {"anonymised": 1}
    assert removed["kafka"].get("tombstones"), removed["kafka"]

    # -- every table ---------------------------------------------------------------
    assert scan_tables(database_url, who.needles()) == []
    # -- the class keeps its numbers: the summary is the old one with only who changed --
    needles = Needles(member_id=who.member_id, names=[who.name, who.first_name],
                      emails=[who.email], user_ids=[who.user_id])
    after = summary_numbers(database_url, class_id)
    assert after == scrub(before, needles, anonymous)
    assert anonymous in json.dumps(after)
    # -- every Redis key -----------------------------------------------------------
    assert await redis_traces(redis, who.needles()) == []
    assert len(await snapshot(redis, class_id)) == 2  # the others' tiles stay
    await redis.aclose()
    # -- the edge files ------------------------------------------------------------
    assert file_traces(settings.data_dir, who.needles()) == []
    # -- every record still readable from the topics ---------------------------------
    records = readable(await read_all(client_options(settings)))
    in_changelogs = {r.topic for r in records if is_compacted(r.topic)
                     and any(n in r.text() for n in who.needles())}
    assert in_changelogs == set()
    in_record_topics = {r.topic for r in records if not is_compacted(r.topic)
                        and any(n in r.text() for n in who.needles())}
    assert in_record_topics == set()
    # the class did travel: under the member's booking (contract.pseudonyms), which now
    # leads to the anonymous id; the receipt counts those records, named by topic only
    kafka_receipt = removed["kafka"]
    assert not kafka_receipt.get("left_to_retention"), kafka_receipt
    under_booking = {r.topic for r in records if not is_compacted(r.topic)
                     and wire_id in r.text()}
    assert {TOPIC_HR_SAMPLES, TOPIC_ROSTER, TOPIC_INSIGHTS} <= under_booking
    assert under_booking <= set(kafka_receipt["pseudonymous"]), kafka_receipt
    assert booking_member(database_url, class_id, wire_id) == anonymous
