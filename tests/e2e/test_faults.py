"""Fault injection against a real worker: bad records, Redis and database outages, a
killed worker. The worker never exits, every valid sample counts, every invalid record is
dead-lettered with a reason, and the board and the summaries recover by themselves.

Each test runs its own worker process on its own Tansu broker and its own Redis server
(``tests/conftest.py`` ``own_redis``), so it can break them without touching the stack
the other e2e tests share. Recovery times are printed (``-s``) for BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import string
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import (
    ClassControl,
    ClassEvent,
    FormEvent,
    HeartRateSample,
    Record,
    RosterEntry,
)
from contract.signing import API, Signer, class_key, sign_as
from contract.topics import (
    TOPIC_CLASS_EVENTS,
    TOPIC_DEADLETTER,
    TOPIC_FORM_EVENTS,
    TOPIC_HR_SAMPLES,
    TOPIC_ROSTER,
    TOPIC_WORKER_CONTROL,
)
from db.live import MemberClassSummary
from db.migrate import upgrade
from streams.sink import snapshot
from tests.e2e.workers import Workers, topics_ready, worker_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]
PARTITIONS = 2
SECRET = Settings().secret_key  # what the worker under test derives its keys from
FUZZED = 10_000


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class World:
    settings: Settings
    workers: Workers
    options: dict[str, Any]
    health_url: str
    database_url: str

    def start_worker(self, name: str = "w") -> None:
        self.workers.start(name)

    async def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until the worker's /readyz says ok."""
        started = time.monotonic()
        async with asyncio.timeout(timeout), httpx.AsyncClient() as client:
            while True:
                for proc in self.workers.procs.values():
                    assert proc.poll() is None, "the worker exited"
                try:
                    if (await client.get(f"{self.health_url}/readyz")).status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)

    async def health(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            return dict((await client.get(f"{self.health_url}/healthz", timeout=5)).json())


@pytest.fixture
def world(broker_url: str, own_redis: Any, tmp_path: Path) -> Iterator[World]:
    database_url = f"sqlite:///{tmp_path / 'faults.db'}"
    upgrade(database_url)
    settings = Settings(kafka_url=broker_url, redis_url=own_redis.url,
                        database_url=database_url, data_dir=tmp_path)
    port = free_port()
    env = worker_env(settings, group="faults", partitions=PARTITIONS, data_dir=tmp_path,
                     SPOTTER_WORKER_PORT=str(port))
    workers = Workers(env, tmp_path)
    yield World(settings, workers, client_options(settings), f"http://127.0.0.1:{port}",
                database_url)
    workers.stop_all()


def signed(record: Record) -> Record:
    return sign_as(SECRET, API, record)


def roster(class_id: str, members: list[str]) -> list[tuple[str, bytes, bytes | None]]:
    return [(TOPIC_ROSTER, m.encode(), signed(RosterEntry(
        class_session_id=class_id, member_id=m, display_name=m.upper(), age=35)).to_bytes())
        for m in members]


def class_event(class_id: str, event: str, at: float) -> tuple[str, bytes, bytes | None]:
    """As the room's box sends it (an end from the box closes the class at once)."""
    record = ClassEvent(class_session_id=class_id, event=event,  # type: ignore[arg-type]
                        event_time=at)
    box = Signer.derive(SECRET, "fault-box", "fault-room", class_id)
    return TOPIC_CLASS_EVENTS, class_id.encode(), box.sign(record).to_bytes()


def sample(class_id: str, member: str, seq: int, at: float, hr: int = 130) -> HeartRateSample:
    return HeartRateSample(class_session_id=class_id, member_id=member, strap_id=f"{member}-s",
                           seq=seq, event_time=at, hr_bpm=hr, sensor_contact=True,
                           source="chest")


async def produce(options: dict[str, Any], records: list[tuple[str, bytes, bytes | None]]
                  ) -> None:
    producer = AIOKafkaProducer(linger_ms=20, max_request_size=2_000_000, **options)
    await producer.start()
    try:
        for topic, key, value in records:
            await producer.send(topic, key=key, value=value)
        await producer.flush()
    finally:
        await producer.stop()


def summary_parts(database_url: str, class_id: str, timeout: float = 90
                  ) -> dict[str, dict[str, Any]]:
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
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
    raise AssertionError(f"no summary stored for {class_id}")


async def dead_letter_hashes(options: dict[str, Any], expected: int, timeout: float = 120
                             ) -> Counter[str]:
    consumer = AIOKafkaConsumer(TOPIC_DEADLETTER, group_id=None, auto_offset_reset="earliest",
                                **options)
    await consumer.start()
    found: Counter[str] = Counter()
    try:
        async with asyncio.timeout(timeout):
            while sum(found.values()) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        letter = json.loads(record.value)
                        assert letter["reason"] and letter["reason_code"], letter
                        found[letter["payload_sha256"]] += 1
        await asyncio.sleep(2)  # and nothing more arrives
        for records in (await consumer.getmany(timeout_ms=500)).values():
            for record in records:
                found[json.loads(record.value)["payload_sha256"]] += 1
    finally:
        await consumer.stop()
    return found


# -- fuzzed records ---------------------------------------------------------------------

VALID_MEMBERS = ["fz-ann", "fz-bo", "fz-cy", "fz-dee"]
BAD_ID_CHARS = "<>/ \"'\\\n{}%"


def template(class_id: str, now: float) -> dict[str, Any]:
    return json.loads(sample(class_id, "fz-ann", 5, now - 30).to_bytes())


def bad_value() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                     st.lists(st.integers(), max_size=3), st.dictionaries(
                         st.text(max_size=3), st.integers(), max_size=2))


def invalid_payloads(class_id: str, now: float) -> st.SearchStrategy[tuple[str, bytes | None]]:
    """(topic, payload) pairs that must all be dead-lettered: each is invalid by
    construction, whatever values hypothesis draws."""
    base = template(class_id, now)
    other_room = Signer("dev-b", "room-b", f"{class_id}-other",
                        class_key(SECRET, "dev-b", "room-b", f"{class_id}-other"))

    def dumps(value: Any) -> bytes:
        return json.dumps(value, allow_nan=True).encode()

    garbage = st.binary(max_size=300)
    json_junk = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                             lambda c: st.lists(c, max_size=4) | st.dictionaries(
                                 st.text(max_size=8), c, max_size=4), max_leaves=12).map(dumps)
    # the template is unsigned: any change to it is refused, at least as unsigned
    wrong_field = st.tuples(st.sampled_from(sorted(base)), bad_value()).map(
        lambda kv: dumps({**base, kv[0]: kv[1]}))
    bad_id = st.tuples(st.sampled_from(["member_id", "strap_id", "class_session_id"]),
                       st.text(alphabet=string.ascii_letters + BAD_ID_CHARS, min_size=1,
                               max_size=80).filter(lambda t: any(c in BAD_ID_CHARS for c in t)
                                                   or len(t) > 64)).map(
        lambda kv: dumps({**base, kv[0]: kv[1]}))
    newer = st.integers(2, 10_000).map(lambda v: signed(
        sample(class_id, "fz-ann", 7, now - 20)).model_copy(
        update={"schema_version": 1}).to_bytes().replace(
        b'"schema_version":1', f'"schema_version":{v}'.encode()))
    extra = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=10).filter(
        lambda k: k not in base).map(lambda k: dumps({**base, k: 1}))
    unsigned = st.integers(0, 10**6).map(
        lambda s: sample(class_id, "fz-ann", s, now - 10).to_bytes())
    forged = st.integers(0, 10**6).map(  # a real key of another room's class
        lambda s: other_room.sign(sample(f"{class_id}-other", "fz-ann", s, now - 10))
        .model_copy(update={"class_session_id": class_id}).to_bytes())
    future = st.floats(now + 600, 4.0e9).map(
        lambda t: signed(sample(class_id, "fz-bo", 99, t)).to_bytes())
    stale = st.floats(1.0e9, now - 3 * 86400).map(
        lambda t: signed(sample(class_id, "fz-bo", 98, t)).to_bytes())
    not_finite = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]).map(
        lambda c: dumps(base).replace(str(base["event_time"]).encode(), c.encode()))
    huge = st.integers(300_000, 600_000).map(lambda n: dumps({**base, "member_id": "m" * n}))
    hr_samples = st.one_of(garbage, json_junk, wrong_field, bad_id, newer, extra, unsigned,
                           forged, future, stale, not_finite, huge, st.none())
    device_roster = st.integers(0, 10**6).map(lambda i: Signer(
        "dev-a", "room-a", class_id, class_key(SECRET, "dev-a", "room-a", class_id)).sign(
        RosterEntry(class_session_id=class_id, member_id=f"fz-phantom-{i}",
                    display_name="Phantom")).to_bytes())
    unsigned_end = st.floats(now - 100, now).map(lambda t: ClassEvent(
        class_session_id=class_id, event="end", event_time=t).to_bytes())
    forged_control = st.integers(0, PARTITIONS - 1).map(lambda p: ClassControl(
        class_session_id=class_id, ended_at=now, partition=p, partitions=PARTITIONS).to_bytes())
    bad_form = st.integers(0, 100).map(lambda r: FormEvent(
        class_session_id=class_id, member_id="fz-cy", station_id="st-1", exercise="squat",
        event_time=now - 5, rep_index=r, faults=["knees_caving"]).to_bytes())
    return st.one_of(
        st.tuples(st.just(TOPIC_HR_SAMPLES), hr_samples),
        st.tuples(st.just(TOPIC_ROSTER), st.one_of(device_roster, garbage, st.none())),
        st.tuples(st.just(TOPIC_CLASS_EVENTS), st.one_of(unsigned_end, json_junk)),
        st.tuples(st.just(TOPIC_WORKER_CONTROL), forged_control),
        st.tuples(st.just(TOPIC_FORM_EVENTS), st.one_of(bad_form, garbage)),
    )


def draw_invalid(class_id: str, now: float, count: int) -> list[tuple[str, bytes | None]]:
    drawn: list[tuple[str, bytes | None]] = []
    per_example = 500

    @settings(max_examples=count // per_example, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(invalid_payloads(class_id, now), min_size=per_example,
                    max_size=per_example))
    def collect(batch: list[tuple[str, bytes | None]]) -> None:
        drawn.extend(batch)

    collect()
    return drawn


async def test_fuzzed_records_never_stop_the_worker_and_every_valid_sample_counts(
        world: World) -> None:
    class_id = f"fuzz-{uuid.uuid4().hex[:8]}"
    now = time.time()
    invalid = await asyncio.to_thread(draw_invalid, class_id, now, FUZZED)
    assert len(invalid) >= FUZZED
    valid_seconds = 120
    valid = [(TOPIC_HR_SAMPLES, m.encode(), signed(sample(
        class_id, m, s, now - 300 + s, 100 + 5 * i + s % 20)).to_bytes())
        for s in range(valid_seconds) for i, m in enumerate(VALID_MEMBERS)]
    phantoms = [(TOPIC_HR_SAMPLES, f"fz-ghost-{i}".encode(), signed(sample(
        class_id, f"fz-ghost-{i}", s, now - 200 + s)).to_bytes())
        for i in range(3) for s in range(10)]
    mixed: list[tuple[str, bytes, bytes | None]] = []
    bad = iter(invalid)
    for record in valid + phantoms:  # interleave: bad records among the good ones
        mixed.append(record)
        for _ in range(len(invalid) // len(valid) + 1):
            nxt = next(bad, None)
            if nxt is not None:
                mixed.append((nxt[0], b"fz-ann", nxt[1]))
    mixed.extend((t, b"fz-ann", v) for t, v in bad)

    await topics_ready(PARTITIONS, world.options)
    world.start_worker()
    await world.wait_ready()
    await produce(world.options, roster(class_id, VALID_MEMBERS)
                  + [class_event(class_id, "start", now - 310)])
    started = time.monotonic()
    await produce(world.options, mixed)
    expected = Counter(hashlib.sha256(v or b"").hexdigest() for _, v in invalid)
    letters = await dead_letter_hashes(world.options, len(invalid))
    handled_s = time.monotonic() - started
    assert letters == expected  # each invalid record dead-lettered once, nothing else
    await produce(world.options, [class_event(class_id, "end", time.time())])
    parts = await asyncio.to_thread(summary_parts, world.database_url, class_id)
    assert sorted(parts) == VALID_MEMBERS  # no phantom has a summary line
    for member in VALID_MEMBERS:
        totals = parts[member]["totals"]
        assert totals["samples"] == valid_seconds, member
        assert totals["duplicate_samples"] == 0 and totals["late_samples"] == 0
    assert world.workers.procs["w"].poll() is None
    health = await world.health()
    assert health["status"] == "ok"
    print(f"\nfuzz: {len(invalid)} invalid + {len(valid)} valid records, "
          f"{len(expected)} distinct bad payloads; dead-lettered in {handled_s:.1f} s; "
          "worker crashes 0")


# -- Redis outages ----------------------------------------------------------------------

@dataclass
class Feed:
    """One sample per member every ``every_s`` of real time, stamped now, counted."""

    options: dict[str, Any]
    class_id: str
    members: list[str]
    every_s: float = 0.5
    sent: int = 0  # per member
    stop: bool = False

    async def run(self) -> None:
        producer = AIOKafkaProducer(linger_ms=5, **self.options)
        await producer.start()
        try:
            while not self.stop:
                now = time.time()
                for member in self.members:
                    await producer.send(TOPIC_HR_SAMPLES, key=member.encode(), value=signed(
                        sample(self.class_id, member, self.sent, now, 120 + self.sent % 30))
                        .to_bytes())
                await producer.flush()
                self.sent += 1
                await asyncio.sleep(self.every_s)
        finally:
            await producer.stop()


async def newest_tile_age(redis_url: str, class_id: str, members: list[str]) -> float | None:
    """Seconds since the oldest of the members' newest tiles was seen (None: no tile)."""
    redis = Redis.from_url(redis_url, socket_timeout=1)
    try:
        tiles = await snapshot(redis, class_id)
    except Exception:  # noqa: BLE001 - Redis is away
        return None
    finally:
        await redis.aclose()
    seen = [tiles.get(m, {}).get("last_seen") for m in members]
    return None if None in seen else time.time() - min(seen)  # type: ignore[type-var]


async def until_board_fresh(redis_url: str, class_id: str, members: list[str],
                            timeout: float = 60) -> float:
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        while True:
            age = await newest_tile_age(redis_url, class_id, members)
            if age is not None and age < 3:
                return time.monotonic() - started
            await asyncio.sleep(0.2)


async def test_redis_paused_then_killed_the_board_recovers_and_no_sample_is_lost(
        world: World, own_redis: Any) -> None:
    class_id, members = f"redis-{uuid.uuid4().hex[:8]}", ["rd-ann", "rd-bo", "rd-cy"]
    await topics_ready(PARTITIONS, world.options)
    world.start_worker()
    await world.wait_ready()
    await produce(world.options, roster(class_id, members)
                  + [class_event(class_id, "start", time.time() - 1)])
    feed = Feed(world.options, class_id, members)
    feeding = asyncio.create_task(feed.run())
    try:
        await until_board_fresh(own_redis.url, class_id, members)

        own_redis.pause()  # a hung Redis: connections open, nothing answers
        await asyncio.sleep(10)
        degraded_paused = (await world.health())["redis"]["status"]
        own_redis.resume()
        paused_recovery = await until_board_fresh(own_redis.url, class_id, members)

        own_redis.stop()  # a crashed Redis: connections refused
        await asyncio.sleep(30)
        health = await world.health()
        own_redis.start()  # same port, empty
        killed_recovery = await until_board_fresh(own_redis.url, class_id, members)
    finally:
        feed.stop = True
        await feeding
    assert world.workers.procs["w"].poll() is None  # the worker never exited
    assert degraded_paused == "degraded" and health["redis"]["status"] == "degraded"
    await world.wait_ready(timeout=30)  # and says ok again by itself
    await produce(world.options, [class_event(class_id, "end", time.time())])
    parts = await asyncio.to_thread(summary_parts, world.database_url, class_id)
    for member in members:
        totals = parts[member]["totals"]
        assert totals["samples"] == feed.sent, member  # none lost during either outage
    print(f"\nredis: paused 10 s -> board fresh {paused_recovery:.1f} s after resume; "
          f"killed 30 s -> board fresh {killed_recovery:.1f} s after restart; "
          f"{feed.sent} samples per member, 0 lost; worker exits 0")


# -- a killed worker under spotter up ---------------------------------------------------

def stack_status(data_dir: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((data_dir / "stack-status.json").read_text()))
    except (OSError, ValueError):
        return None


async def test_a_worker_killed_under_spotter_up_is_back_and_loses_nothing(tmp_path: Path
                                                                         ) -> None:
    import os
    import signal
    import subprocess
    import sys

    kafka_port, api_port = free_port(), free_port()
    env = {**os.environ, "SPOTTER_DATA_DIR": str(tmp_path), "SPOTTER_API_PORT": str(api_port),
           "SPOTTER_KAFKA_PORT": str(kafka_port), "SPOTTER_WORKER_ID": f"kill-{api_port}",
           "SPOTTER_TOPIC_PARTITIONS": str(PARTITIONS)}
    for name in ("SPOTTER_KAFKA_URL", "SPOTTER_REDIS_URL", "SPOTTER_DATABASE_URL"):
        env.pop(name, None)
    up = subprocess.Popen([sys.executable, "-m", "api.cli", "up"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    class_id, members = f"kill-{uuid.uuid4().hex[:8]}", ["kl-ann", "kl-bo"]
    try:
        assert up.stdout is not None
        assert up.stdout.readline().strip().endswith("/trainer")  # the stack is up
        status = stack_status(tmp_path)
        assert status is not None
        health_url = status["worker_health"]
        options = client_options(Settings(kafka_url=f"kafka://127.0.0.1:{kafka_port}"))
        await produce(options, roster(class_id, members)
                      + [class_event(class_id, "start", time.time() - 1)])
        feed = Feed(options, class_id, members)
        feeding = asyncio.create_task(feed.run())
        await asyncio.sleep(5)
        old_pid = status["parts"]["worker"]["pid"]
        os.kill(old_pid, signal.SIGKILL)
        killed = time.monotonic()
        async with asyncio.timeout(60):
            while True:
                now = stack_status(tmp_path) or {}
                worker = now.get("parts", {}).get("worker", {})
                if worker.get("pid") != old_pid and worker.get("running"):
                    restarted_s = time.monotonic() - killed
                    break
                await asyncio.sleep(0.1)
        async with asyncio.timeout(60), httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(f"{health_url}/readyz")).status_code == 200:
                        ready_s = time.monotonic() - killed
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        async with httpx.AsyncClient() as client:
            readyz = (await client.get(f"http://127.0.0.1:{api_port}/readyz")).json()
        await asyncio.sleep(5)
        feed.stop = True
        await feeding
        await produce(options, [class_event(class_id, "end", time.time())])
        parts = await asyncio.to_thread(
            summary_parts, f"sqlite:///{tmp_path / 'spotter.db'}", class_id)
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
    assert restarted_s <= 10, f"the supervisor restarted the worker after {restarted_s:.1f} s"
    assert readyz["stack"]["parts"]["worker"]["restarts"] == 1
    for member in members:
        assert parts[member]["totals"]["samples"] == feed.sent, member
    print(f"\nworker SIGKILL under spotter up: restarted after {restarted_s:.1f} s, "
          f"consuming again (ready) after {ready_s:.1f} s; {feed.sent} samples per member, "
          "0 lost")


# -- a database outage ------------------------------------------------------------------

async def test_a_database_outage_delays_the_summary_and_loses_nothing(
        broker_url: str, own_redis: Any, postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from configs.settings import normalise_database_url
    from tests.e2e.workers import CuttableProxy

    schema = f"fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_port = int(postgres_url.rsplit(":", 1)[1].split("/")[0])
    link = CuttableProxy(free_port(), pg_port)
    await link.restore()
    direct = f"{postgres_url}?options=-csearch_path%3D{schema}"
    through = direct.replace(f":{pg_port}/", f":{link.port}/")
    try:
        upgrade(direct)
        settings = Settings(kafka_url=broker_url, redis_url=own_redis.url,
                            database_url=through, data_dir=tmp_path)
        port = free_port()
        workers = Workers(worker_env(settings, group="dbfault", partitions=PARTITIONS,
                                     data_dir=tmp_path, SPOTTER_WORKER_PORT=str(port)),
                          tmp_path)
        world = World(settings, workers, client_options(settings),
                      f"http://127.0.0.1:{port}", normalise_database_url(direct))
        class_id, members = f"db-{uuid.uuid4().hex[:8]}", ["db-ann", "db-bo"]
        await topics_ready(PARTITIONS, world.options)
        world.start_worker()
        await world.wait_ready()
        await produce(world.options, roster(class_id, members)
                      + [class_event(class_id, "start", time.time() - 120)])
        sent = 100
        await produce(world.options, [
            (TOPIC_HR_SAMPLES, m.encode(), signed(sample(class_id, m, s, time.time() - 110 + s,
                                                         182 if m == "db-ann" else 120))
             .to_bytes()) for s in range(sent) for m in members])
        await asyncio.sleep(3)
        await link.cut()  # the database goes away
        await produce(world.options, [class_event(class_id, "end", time.time())])
        await asyncio.sleep(30)
        during = await world.health()
        assert workers.procs["w"].poll() is None
        with pytest.raises(AssertionError, match="no summary"):
            summary_parts(world.database_url, class_id, timeout=1)
        await link.restore()
        restored = time.monotonic()
        parts = await asyncio.to_thread(summary_parts, world.database_url, class_id, 90)
        stored_s = time.monotonic() - restored
        workers.stop_all()
    finally:
        await link.cut()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    assert during["database"]["status"] == "degraded"
    for member in members:
        assert parts[member]["totals"]["samples"] == sent, member
    print(f"\ndatabase away 30 s at the class end: summary stored {stored_s:.1f} s after it "
          f"returned; {sent} samples per member, 0 lost")
