"""Two workers share a class; one crashes, the other takes over, the first comes back, the
second stops: the summary still has every second of zone time exactly once, and an alert
episode that spanned the handovers was raised once.

Runs its own Tansu broker (so the shared stack's worker, in another consumer group on
another broker, cannot do the work for the pair under test) with the shared stack's
Redis and database.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from pathlib import Path
from typing import TypeVar

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import ClassEvent, HeartRateSample, RosterEntry
from contract.signing import API, Signer, sign_as
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES, TOPIC_ROSTER
from db.live import AlertRow, MemberClassSummary
from streams.metrics import MemberSession
from streams.physiology import MemberProfile
from streams.sink import alerts_key, snapshot, worker_partitions_key
from tests.e2e.workers import Workers, topics_ready, worker_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

R = TypeVar("R")


def signed(record: R) -> R:
    """Records are signed by their writer (contract.signing); these tests write as the API."""
    return sign_as(Settings().secret_key, API, record)
REPO = Path(__file__).resolve().parents[2]
PARTITIONS = 4
PROFILE = {"age": 38, "sex": "female", "weight_kg": 64.0, "hr_max": 190, "hr_rest": 55}
PHASE_S = 80  # event-time seconds per phase; three phases

def as_box(record: R) -> R:
    """Class start and end as the room's box writes them: a box sends its end after its
    last sample, so the worker closes the class at once (an end from the API waits out
    the grace period for the box)."""
    return Signer.derive(Settings().secret_key, "test-box", "test-room",
                         record.class_session_id).sign(record)  # type: ignore[attr-defined]



def members_on_every_partition(per_partition: int = 2) -> list[str]:
    """Member ids that the producer's default partitioner spreads over all partitions."""
    chosen: dict[int, list[str]] = {p: [] for p in range(PARTITIONS)}
    partitioner, i = DefaultPartitioner(), 0
    while any(len(v) < per_partition for v in chosen.values()):
        member = f"tk-{i:03d}"
        slot = partitioner(member.encode(), list(range(PARTITIONS)), list(range(PARTITIONS)))
        if len(chosen[slot]) < per_partition:
            chosen[slot].append(member)
        i += 1
    return sorted(m for v in chosen.values() for m in v)


def heart_rate(member_index: int, t: int) -> int:
    """Member 0 works above 92 % HRmax (190) from t=10 to t=200; others wave gently."""
    if member_index == 0:
        return 180 if 10 <= t <= 200 else 120
    return 110 + member_index * 6 + (t % 30) // 3


async def partitions_of(redis: Redis, workers: Workers, name: str) -> list[int]:
    raw = await redis.get(worker_partitions_key(workers.instance(name)))
    return json.loads(raw) if raw else []


async def wait_assignment(redis: Redis, workers: Workers, expected: dict[str, str]) -> None:
    """Until each named worker reports partitions: "all" or "some" (non-empty, not all)."""
    async with asyncio.timeout(90):
        while True:
            got = {n: await partitions_of(redis, workers, n) for n in expected}
            if all((len(got[n]) == PARTITIONS) if want == "all" else (0 < len(got[n]) < PARTITIONS)
                   for n, want in expected.items()):
                return
            for name, proc in workers.procs.items():
                assert proc.poll() is None or name not in expected, f"worker {name} died"
            await asyncio.sleep(0.25)


async def publish_phase(producer: AIOKafkaProducer, class_id: str, members: list[str],
                        base: float, phase: int, fed: dict[str, list[tuple]]) -> None:
    start = phase * PHASE_S
    for index, member in enumerate(members):
        seqs = list(range(start, start + PHASE_S))
        if phase > 0:
            seqs = list(range(start - 5, start)) + seqs  # redeliveries of the last phase's tail
        for seq in seqs:
            hr = heart_rate(index, seq)
            sample = HeartRateSample(class_session_id=class_id, member_id=member,
                                     strap_id=f"{member}-strap", seq=seq,
                                     event_time=base + seq, hr_bpm=hr, sensor_contact=True,
                                     source="chest")
            fed[member].append((f"{member}-strap", seq, base + seq, hr))
            await producer.send(TOPIC_HR_SAMPLES, key=member.encode(),
                                value=signed(sample).to_bytes())
    await producer.flush()


async def wait_tiles(redis: Redis, class_id: str, members: list[str], last: float) -> None:
    async with asyncio.timeout(60):
        while True:
            tiles = await snapshot(redis, class_id)
            if all(tiles.get(m, {}).get("last_seen") == last for m in members):
                return
            await asyncio.sleep(0.2)


def expected_totals(class_id: str, member: str, fed: list[tuple]) -> dict:
    session = MemberSession.new(class_id, member, MemberProfile(**PROFILE))
    for strap, seq, t, hr in fed:
        session.add(strap, seq, t, hr, sensor_contact=True, source="chest")
    session.finalize()
    return session.totals().model_dump(mode="json")


def summary_parts(database_url: str, class_id: str) -> dict[str, dict]:
    engine = create_engine(database_url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with Session(engine) as db:
                parts = {p.member_id: p.payload for p in db.scalars(select(
                    MemberClassSummary).where(MemberClassSummary.class_session_id == class_id))}
            if parts:
                return parts
            time.sleep(0.3)
    finally:
        engine.dispose()
    raise AssertionError("no summary stored")


def stored_alerts(database_url: str, class_id: str) -> list[AlertRow]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            return list(db.scalars(select(AlertRow).where(AlertRow.class_session_id == class_id)))
    finally:
        engine.dispose()


async def run_the_class(workers: Workers, redis: Redis, producer: AIOKafkaProducer,
                        class_id: str, members: list[str], fed: dict[str, list[tuple]],
                        base: float) -> None:
    """Two workers; a crash, a takeover, a restart and a graceful stop, a phase of samples
    after each, then the class end."""
    workers.start("a")
    workers.start("b")
    await wait_assignment(redis, workers, {"a": "some", "b": "some"})
    await producer.start()
    for member in members:
        entry = RosterEntry(class_session_id=class_id, member_id=member,
                            display_name=member.upper(), **PROFILE)
        await producer.send_and_wait(TOPIC_ROSTER, key=member.encode(),
                                     value=signed(entry).to_bytes())
    await producer.send_and_wait(TOPIC_CLASS_EVENTS, key=class_id.encode(), value=as_box(ClassEvent(
        class_session_id=class_id, event="start", event_time=base)).to_bytes())

    await publish_phase(producer, class_id, members, base, 0, fed)
    await wait_tiles(redis, class_id, members, base + PHASE_S - 1)
    async with asyncio.timeout(30):  # the high-intensity episode has been raised
        while not await redis.hlen(alerts_key(class_id)):
            await asyncio.sleep(0.2)

    workers.procs["a"].send_signal(signal.SIGKILL)  # crash: no goodbye, no commit
    await wait_assignment(redis, workers, {"b": "all"})
    await publish_phase(producer, class_id, members, base, 1, fed)
    await wait_tiles(redis, class_id, members, base + 2 * PHASE_S - 1)

    workers.start("a2")  # the crashed worker comes back
    await wait_assignment(redis, workers, {"a2": "some", "b": "some"})
    workers.procs["b"].send_signal(signal.SIGTERM)  # graceful stop
    await wait_assignment(redis, workers, {"a2": "all"})
    await publish_phase(producer, class_id, members, base, 2, fed)
    await wait_tiles(redis, class_id, members, base + 3 * PHASE_S - 1)
    await producer.send_and_wait(TOPIC_CLASS_EVENTS, key=class_id.encode(), value=as_box(ClassEvent(
        class_session_id=class_id, event="end", event_time=time.time())).to_bytes())


async def test_takeover_crash_and_restart_keep_every_second_once(
        live_stack, broker_url: str, tmp_path: Path) -> None:
    settings = live_stack.settings.model_copy(update={"kafka_url": broker_url})
    options = client_options(settings)
    await topics_ready(PARTITIONS, options)
    env = worker_env(settings, group="takeover", partitions=PARTITIONS, data_dir=tmp_path)
    workers = Workers(env, tmp_path)
    redis = Redis.from_url(settings.redis_url)
    producer = AIOKafkaProducer(acks="all", linger_ms=5, **options)
    class_id = f"takeover-{uuid.uuid4().hex[:8]}"
    members = members_on_every_partition()
    fed: dict[str, list[tuple]] = {m: [] for m in members}
    # 240 event-time seconds are published in well under that: the newest must stay within
    # the worker's arrival window (120 s ahead of its clock, configs/worker.toml)
    base = time.time() - 2 * PHASE_S
    try:
        await run_the_class(workers, redis, producer, class_id, members, fed, base)
        database_url = settings.resolved_database_url()
        parts = await asyncio.to_thread(summary_parts, database_url, class_id)
        alerts = await asyncio.to_thread(stored_alerts, database_url, class_id)
    except (TimeoutError, AssertionError) as exc:
        raise AssertionError(f"{exc!r}\n{workers.diagnose()}") from exc
    finally:
        await producer.stop()
        await redis.aclose()
        workers.stop_all()

    accounted = ("duration_s", "zones_s", "below_zone1_s", "effort_points", "trimp", "kcal",
                 "avg_hr", "max_hr", "no_data_s", "samples", "late_samples")
    assert sorted(parts) == members
    for member in members:
        live = parts[member]["totals"]
        want = expected_totals(class_id, member, fed[member])
        assert {k: live[k] for k in accounted} == {k: want[k] for k in accounted}, member
        assert live["duration_s"] == 3 * PHASE_S  # 240 samples at 1 Hz, last one counts 1 s
    high = {a.id for a in alerts if a.rule == "sustained_high"}
    assert len(high) == 1, f"one episode, one alert id: {[(a.member_id, a.id) for a in alerts]}"
    assert {a.member_id for a in alerts if a.rule == "sustained_high"} == {members[0]}
