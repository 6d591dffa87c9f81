"""The worker reads members' wire ids back into member ids from the class's bookings
(issue 20, ``contract.pseudonyms``): its state, tiles and alerts use the member, while
what it writes back to the topics names only the booking; a wire id no booking explains
is dead-lettered, never filed under the pseudonym."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from contract.pseudonyms import to_wire, wire_id_of_booking
from contract.records import HeartRateSample, MemberReport, PartitionReport, RosterEntry
from contract.topics import TOPIC_HR_SAMPLES, TOPIC_ROSTER
from db.migrate import upgrade
from db.models import Booking, ClassSession, ClassType, Member, Room, Trainer
from streams.member_state import state_key
from streams.pseudonyms import Pseudonyms
from streams.sink import snapshot
from streams.store import WorkerStore
from tests.streams.doubles import events, make_worker

CLASS = "poison-class"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A class with two booked members, Ann and Bo; returns the database URL."""
    url = f"sqlite:///{tmp_path / 'pseudonyms.db'}"
    upgrade(url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as db, db.begin():
        db.add_all([ClassType(id="t", name="Spin", duration_min=45),
                    Room(id="r", name="Room 1", capacity=20),
                    Trainer(id="tr", display_name="Tia"),
                    Member(id="ann", display_name="Ann Smith"),
                    Member(id="bo", display_name="Bo Li")])
        db.flush()
        db.add(ClassSession(id=CLASS, class_type_id="t", room_id="r", trainer_id="tr",
                            starts_at=now, ends_at=now + timedelta(minutes=45)))
        db.flush()
        db.add_all([Booking(id="b-0001", class_session_id=CLASS, member_id="ann"),
                    Booking(id="b-0002", class_session_id=CLASS, member_id="bo")])
    engine.dispose()
    return url


@pytest.fixture
async def worker(own_redis: Any, database_url: str) -> Any:
    live, dead, redis = await make_worker(own_redis.url)
    store = WorkerStore(database_url)
    live.store = store
    live.pseudonyms = Pseudonyms(store.bookings)
    yield live, dead, redis
    await store.close()
    await redis.aclose()


WIRE = {"ann": wire_id_of_booking("b-0001"), "bo": wire_id_of_booking("b-0002")}


def wire_sample(member: str, seq: int, at: float, hr: int) -> bytes:
    return to_wire(HeartRateSample(class_session_id=CLASS, member_id=member,
                                   strap_id=f"s-{member}", seq=seq, event_time=at,
                                   hr_bpm=hr), WIRE.get).to_bytes()


async def feed(live: Any, topic: str, payloads: list[bytes], now: float) -> None:
    batch = events(topic, payloads)
    await live.pseudonyms.prepare(e.value for e in batch)
    step = live.take_roster if topic == TOPIC_ROSTER else live.take_samples
    await live.flush(step(batch, now))


async def test_wire_ids_become_members_inside_and_stay_wire_ids_outside(worker) -> None:
    live, dead, redis = worker
    now = time.time()
    roster = [to_wire(RosterEntry(class_session_id=CLASS, member_id=m, display_name="x",
                                  age=40), WIRE.get).to_bytes() for m in ("ann", "bo")]
    assert not any(b"ann" in r or b"Ann" in r for r in roster)
    await feed(live, TOPIC_ROSTER, roster, now)
    hrs = [100] * 8 + [150] * 6  # a spike: an alert
    await feed(live, TOPIC_HR_SAMPLES, [wire_sample("ann", i, now - 30 + i, hr)
                                        for i, hr in enumerate(hrs)], now)
    for step in range(0, 70, 5):
        await live.flush(live.tick(now + step, {CLASS: {"live": True}}))

    assert live.members.get(0, state_key(CLASS, "ann")) is not None
    tiles = await snapshot(redis, CLASS)
    assert tiles["ann"]["name"] == "Ann Smith"  # from the booking, not the wire
    assert live.topics.insights.sent and live.topics.alerts.sent
    written = [v for _, v in live.topics.insights.sent + live.topics.alerts.sent]
    assert all(b"ann" not in v and b"Ann" not in v for v in written)
    assert {k for k, _ in live.topics.insights.sent} == {WIRE["ann"].encode()}
    assert all(json.loads(v)["member_id"] == WIRE["ann"]
               for _, v in live.topics.alerts.sent)
    assert dead.sent == []


async def test_a_wire_id_no_booking_explains_is_dead_lettered(worker) -> None:
    live, dead, _ = worker
    now = time.time()
    stranger = HeartRateSample(class_session_id=CLASS, member_id="bk-nobody",
                               strap_id="s-x", seq=0, event_time=now - 1, hr_bpm=120)
    await feed(live, TOPIC_HR_SAMPLES, [stranger.to_bytes()], now)
    assert live.members.get(0, state_key(CLASS, "bk-nobody")) is None
    assert live.dead_lettered == {"member_unresolved": 1}
    assert len(dead.sent) == 1


async def test_a_booking_made_during_the_class_is_found(worker, database_url: str) -> None:
    live, _, redis = worker
    now = time.time()
    await live.pseudonyms.ensure([CLASS])
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(Member(id="cy", display_name="Cy Doe"))
        db.flush()
        db.add(Booking(id="b-0003", class_session_id=CLASS, member_id="cy"))
    engine.dispose()
    late = {"cy": wire_id_of_booking("b-0003")}
    live.pseudonyms._classes[CLASS].loaded_at -= 60  # the last read was a while ago
    await feed(live, TOPIC_HR_SAMPLES, [to_wire(HeartRateSample(
        class_session_id=CLASS, member_id="cy", strap_id="s-cy", seq=0, event_time=now - 1,
        hr_bpm=120), late.get).to_bytes()], now)
    assert live.members.get(0, state_key(CLASS, "cy")) is not None


async def test_a_report_in_wire_form_is_summarised_under_members(worker) -> None:
    live, _, _ = worker
    from streams.agents_class import ClassLifecycle

    report = to_wire(PartitionReport(
        class_session_id=CLASS, partition=0, partitions=1, ended_at=time.time(),
        members=[MemberReport(member_id="bo", display_name="Bo Li", totals={})]), WIRE.get)
    assert b"Bo" not in report.to_bytes()
    lifecycle = ClassLifecycle.__new__(ClassLifecycle)
    lifecycle.live = live
    back = await lifecycle.with_member_ids(CLASS, [report.model_dump(mode="json")])
    assert back[0]["members"][0]["member_id"] == "bo"
    assert back[0]["members"][0]["display_name"] == "Bo Li"


async def test_a_record_naming_a_pseudonymised_member_by_id_is_refused(worker) -> None:
    """Only a producer outside the contract names a member who has a wire id: its records
    went to the member id's partition, away from the member's roster entry and choices."""
    live, dead, _ = worker
    now = time.time()
    by_id = HeartRateSample(class_session_id=CLASS, member_id="ann", strap_id="s-ann",
                            seq=0, event_time=now - 1, hr_bpm=120)
    await feed(live, TOPIC_HR_SAMPLES, [by_id.to_bytes()], now)
    assert live.members.get(0, state_key(CLASS, "ann")) is None
    assert live.dead_lettered == {"member_not_pseudonymised": 1}
    assert len(dead.sent) == 1


async def test_a_database_away_costs_one_try_per_pause_not_one_per_batch() -> None:
    """Bookings the database cannot give: the class is retried after a pause, never on
    every batch (the live path must not stall behind an outage)."""
    calls: list[list[str]] = []

    async def away(class_ids: list[str]) -> dict:
        calls.append(class_ids)
        raise ConnectionError("database away")

    pseudonyms = Pseudonyms(away)
    payload = to_wire(HeartRateSample(class_session_id=CLASS, member_id="ann",
                                      strap_id="s", seq=0, event_time=time.time(),
                                      hr_bpm=120), WIRE.get).to_bytes()
    for _ in range(5):
        await pseudonyms.prepare([payload])
    assert calls == [[CLASS]]
    assert not pseudonyms.loaded(CLASS)
    with pytest.raises(Exception, match="could not be read yet"):
        pseudonyms.read(HeartRateSample.model_validate_json(payload))
    assert pseudonyms.write(HeartRateSample(class_session_id=CLASS, member_id="ann",
                                            strap_id="s", seq=0, event_time=time.time(),
                                            hr_bpm=120)) is None


async def test_preparing_a_batch_never_raises_on_what_is_not_a_record(worker) -> None:
    live, _, _ = worker
    await live.pseudonyms.prepare([None, b"", "not json", b"\xff\xfe", 42])
