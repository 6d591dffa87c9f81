"""The stream worker end to end: throughput through Tansu and sample-to-tablet latency.

    .venv/bin/python bench/bench_worker.py [--members 60] [--seconds 500] [--latency-s 45]
                                           [--no-write]

Throughput: a class (``--members`` x ``--seconds`` samples at 1 Hz, roster and class start
first) is written to a fresh embedded Tansu broker, then one worker process is started
and timed from its first tile to the tile showing every member's last sample. Reported
as samples per second of wall time and per second of the worker process's CPU time (the
VM is shared, so CPU time is the steadier figure). Variants in the same run:

* worker, stock Faust delivery (``faust.eager_delivery = false``): the baseline;
* worker as configured (eager delivery, configs/worker.toml);
* the worker's pure per-member code alone (``MemberState.take`` in batches, no I/O);
* the skeleton's pattern alone: decode the member's state, add one sample, encode it,
  for every sample (what the worker did before the per-partition cache).

Latency: the whole embedded stack (``spotter up`` parts) with ``--members`` members
sending 1 Hz (each member at its own phase in the second); a Server-Sent Events client
on ``/api/classes/{id}/live`` records, for every tile it receives, now minus the event
time of the newest sample in that tile (the publisher stamps event time just before it
sends). p50/p99 over ``--latency-s`` seconds after a 5 s warm-up.

Writes ``bench/results/worker.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.stack import Stack  # noqa: E402
from configs.settings import Settings  # noqa: E402
from contract.kafka import client_options  # noqa: E402
from contract.pseudonyms import to_wire  # noqa: E402
from contract.records import ClassEvent, HeartRateSample, RosterEntry  # noqa: E402
from contract.signing import API, Signer, sign_as  # noqa: E402
from contract.topics import (  # noqa: E402
    TOPIC_CLASS_EVENTS,
    TOPIC_HR_SAMPLES,
    TOPIC_ROSTER,
    ensure_topics,
)
from streams.insight_config import default_alert_rules, default_insight_config  # noqa: E402
from streams.member_state import MemberState, sample_in  # noqa: E402
from streams.metrics import MemberSession  # noqa: E402
from streams.physiology import MemberProfile  # noqa: E402
from streams.sink import board_key, snapshot, worker_ready_key  # noqa: E402
from streams.store import WorkerStore  # noqa: E402

RESULTS = REPO / "bench" / "results" / "worker.md"
PROFILE = {"age": 40, "sex": "female", "weight_kg": 64.0, "hr_max": 188, "hr_rest": 58}


def as_box(record: Any) -> Any:
    """Class start and end as a room's box sends them (an end from the box closes the
    class at once; one from the API waits out the grace period for the box)."""
    return Signer.derive(Settings().secret_key, "bench-box", "bench-room",
                         record.class_session_id).sign(record)


def signed(record: Any) -> Any:
    """Records carry their writer's signature (contract.signing); the bench writes as the
    API, with the secret the stack it starts uses."""
    return sign_as(Settings().secret_key, API, record)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def heart_rate(member: int, t: int) -> int:
    return 100 + (member * 7 + t) % 80


def member_ids(members: int) -> list[str]:
    return [f"bench-{i:03d}" for i in range(members)]


# -- pure baselines ---------------------------------------------------------------------

def pure_runs(members: int, seconds: int) -> dict[str, float]:
    config, rules = default_insight_config(), default_alert_rules()
    profile = MemberProfile(**PROFILE)
    ids = member_ids(members)
    arrival = [(m, sample_in(f"{ids[m]}-s", t, 1.7e9 + t, heart_rate(m, t), [], True, "chest"))
               for t in range(seconds) for m in range(members)]
    out: dict[str, float] = {}

    start = time.process_time()
    states = {m: MemberState("c", ids[m], 0) for m in range(members)}
    for offset in range(0, len(arrival), 1000):
        batch: dict[int, list[Any]] = {}
        for m, sample in arrival[offset:offset + 1000]:
            batch.setdefault(m, []).append(sample)
        for m, items in batch.items():
            state = states[m]
            state.add_windows(state.take(items, profile, 0.0, max_waiting=600, config=config,
                                         rules=rules), 10.0)
            state.to_bytes()  # the write per member per batch
    out["pure: cached state, batches of 1000"] = len(arrival) / (time.process_time() - start)

    sample_count = min(len(arrival), 6000)  # the skeleton's pattern is slow: a slice
    start = time.process_time()
    stored = {m: MemberSession.new("c", ids[m], profile).to_dict() for m in range(members)}
    for m, sample in arrival[:sample_count]:
        session = MemberSession.from_dict(json.loads(json.dumps(stored[m])), config=config,
                                          rules=rules)
        session.add_many([sample])
        stored[m] = json.loads(json.dumps(session.to_dict()))
    out["pure: restore + store state per sample (skeleton)"] = (
        sample_count / (time.process_time() - start))
    return out


# -- worker through Tansu ---------------------------------------------------------------

async def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"gave up waiting for {what}")


async def publish_class(options: dict[str, Any], class_id: str, members: int,
                        seconds: int) -> float:
    """Roster, class start, then every sample; returns the last event time."""
    ids, base = member_ids(members), time.time() - seconds - 5
    producer = AIOKafkaProducer(linger_ms=20, max_batch_size=256 * 1024, **options)
    await producer.start()
    try:
        for member in ids:
            entry = RosterEntry(class_session_id=class_id, member_id=member,
                                display_name=member, **PROFILE)
            await producer.send(TOPIC_ROSTER, key=member.encode(), value=signed(entry).to_bytes())
        await producer.send(TOPIC_CLASS_EVENTS, key=class_id.encode(), value=as_box(ClassEvent(
            class_session_id=class_id, event="start", event_time=base)).to_bytes())
        for t in range(seconds):
            for i, member in enumerate(ids):
                sample = HeartRateSample(class_session_id=class_id, member_id=member,
                                         strap_id=f"{member}-s", seq=t, event_time=base + t,
                                         hr_bpm=heart_rate(i, t), sensor_contact=True,
                                         source="chest")
                await producer.send(TOPIC_HR_SAMPLES, key=member.encode(),
                                    value=signed(sample).to_bytes())
        await producer.flush()
    finally:
        await producer.stop()
    return base + seconds - 1


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


async def worker_throughput(label: str, members: int, seconds: int, eager: bool,
                            workdir: Path) -> dict[str, float]:
    slug = "eager" if eager else "stock"
    settings = Settings(data_dir=workdir / slug, kafka_port=free_port(),
                        api_port=free_port(), worker_id=f"bench-{slug}")
    stack = Stack(settings)
    config_file = workdir / f"{slug}.toml"
    config_file.write_text(f"[faust]\neager_delivery = {'true' if eager else 'false'}\n")
    try:
        kafka_url = stack.start_broker()
        options = client_options(settings.model_copy(update={"kafka_url": kafka_url}))
        redis_url = stack.start_redis()
        await wait_for(lambda: _topics_ready(options), 30, "broker")
        class_id = f"bench-tp-{slug}"
        last = await publish_class(options, class_id, members, seconds)
        env = {**os.environ, **stack.settings_env(), "SPOTTER_KAFKA_URL": kafka_url,
               "SPOTTER_REDIS_URL": redis_url, "SPOTTER_WORKER_CONFIG": str(config_file)}
        log = (workdir / f"{slug}-worker.log").open("wb")
        worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=REPO,
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        redis = Redis.from_url(redis_url)
        try:
            ready = worker_ready_key(f"bench-{slug}:{socket.gethostname()}:{worker.pid}")
            await wait_for(lambda: redis.exists(ready), 120, "worker ready")
            await wait_for(lambda: redis.hlen(board_key(class_id)), 60, "first tile")
            wall0, cpu0 = time.perf_counter(), cpu_seconds(worker.pid)

            async def done() -> bool:
                tiles = await snapshot(redis, class_id)
                return len(tiles) == members and all(t.get("last_seen") == last
                                                     for t in tiles.values())

            await wait_for(done, 600, "all samples")
            wall, cpu = time.perf_counter() - wall0, cpu_seconds(worker.pid) - cpu0
        finally:
            worker.terminate()
            worker.wait(20)
            log.close()
            await redis.aclose()
    finally:
        stack.stop()
    total = members * seconds
    return {f"worker: {label} (wall)": total / wall, f"worker: {label} (CPU)": total / cpu}


async def _topics_ready(options: dict[str, Any]) -> bool:
    try:
        await ensure_topics(4, **options)
        return True
    except Exception:  # noqa: BLE001 - still starting
        return False


# -- latency ----------------------------------------------------------------------------

async def latency(members: int, duration_s: float, workdir: Path) -> dict[str, float]:
    from api.accounts.bootstrap import create_token, create_user
    from api.demo import seed_demo

    settings = Settings(data_dir=workdir / "latency", kafka_port=free_port(),
                        api_port=free_port(), worker_id="bench-latency")
    stack = Stack(settings)
    await asyncio.to_thread(stack.start)  # synchronous, runs its own event loops
    try:
        url = stack.env["SPOTTER_DATABASE_URL"]
        demo = seed_demo(url, members=members)
        admin = create_user(url, "bench@test.spotter", "bench-pass-123", "admin")
        token = create_token(url, "bench", kind="user", user_id=admin)
        options = client_options(settings.model_copy(
            update={"kafka_url": stack.env["SPOTTER_KAFKA_URL"]}))
        ids = [f"demo-member-{i + 1:02d}" for i in range(members)]
        # the demo class's members have bookings: a box writes them under their wire ids
        # (contract.pseudonyms), and the worker refuses their member ids
        store = WorkerStore(url)
        try:
            found = (await store.bookings([demo.class_session_id]))[demo.class_session_id]
        finally:
            await store.close()
        wires = {member: wire for wire, (member, _) in found.items()}
        samples: list[float] = []
        worker_side: list[float] = []
        stop = asyncio.Event()
        reader = asyncio.create_task(read_stream(
            f"http://{settings.api_host}:{settings.api_port}/api/classes/"
            f"{demo.class_session_id}/live", token, samples, stop, worker_side))
        await asyncio.sleep(2)
        await send_live(options, demo.class_session_id, ids, duration_s, samples, stop, wires)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    finally:
        stack.stop()
    ordered, worker = sorted(samples), sorted(worker_side)
    return {"p50_ms": 1000 * statistics.median(ordered),
            "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
            "max_ms": 1000 * ordered[-1], "tiles": float(len(ordered)),
            "worker_p50_ms": 1000 * statistics.median(worker),
            "worker_p99_ms": 1000 * worker[int(0.99 * (len(worker) - 1))]}


async def read_stream(url: str, token: str, latencies: list[float], stop: asyncio.Event,
                      worker_side: list[float]) -> None:
    warm_until: float | None = None
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=60), headers={
            "Authorization": f"Bearer {token}"}) as client, client.stream("GET", url) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "tile":
                now = time.time()
                tile = json.loads(line[5:])
                if warm_until is None:
                    warm_until = now + 5
                if now >= warm_until and not stop.is_set() and tile.get("last_seen"):
                    latencies.append(now - tile["last_seen"])
                    worker_side.append(tile.get("at", now) - tile["last_seen"])


# -- class boundary ---------------------------------------------------------------------

async def class_boundary(classes: int, members: int, seconds: int, workdir: Path
                         ) -> dict[str, list[float]]:
    """``classes`` classes of ``members`` members end at the same moment (each end sent by
    its room's box, after its last sample); per class, seconds from the end to the frozen
    board (class status 'ended' in Redis, what the tablet shows) and to the stored summary
    (the post-class summary row in the database)."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from db.live import PostClassSummary

    settings = Settings(data_dir=workdir / "boundary", kafka_port=free_port(),
                        api_port=free_port(), worker_id="bench-boundary")
    stack = Stack(settings)
    await asyncio.to_thread(stack.start)
    try:
        options = client_options(settings.model_copy(
            update={"kafka_url": stack.env["SPOTTER_KAFKA_URL"]}))
        redis = Redis.from_url(stack.env["SPOTTER_REDIS_URL"])
        class_ids = [f"bench-end-{c:02d}" for c in range(classes)]
        base = time.time() - seconds - 5
        producer = AIOKafkaProducer(linger_ms=20, max_batch_size=256 * 1024, **options)
        await producer.start()
        try:
            for cid in class_ids:
                for m in range(members):
                    entry = RosterEntry(class_session_id=cid, member_id=f"{cid}-m{m:02d}",
                                        display_name=f"M{m}", **PROFILE)
                    await producer.send(TOPIC_ROSTER, key=entry.member_id.encode(),
                                        value=signed(entry).to_bytes())
                await producer.send(TOPIC_CLASS_EVENTS, key=cid.encode(), value=as_box(
                    ClassEvent(class_session_id=cid, event="start", event_time=base))
                    .to_bytes())
            for t in range(seconds):
                for cid in class_ids:
                    for m in range(members):
                        member = f"{cid}-m{m:02d}"
                        sample = HeartRateSample(
                            class_session_id=cid, member_id=member, strap_id=f"{member}-s",
                            seq=t, event_time=base + t, hr_bpm=heart_rate(m, t),
                            sensor_contact=True, source="chest")
                        await producer.send(TOPIC_HR_SAMPLES, key=member.encode(),
                                            value=signed(sample).to_bytes())
            await producer.flush()
            last = base + seconds - 1

            async def all_live() -> bool:
                for cid in class_ids:
                    tiles = await snapshot(redis, cid)
                    if len(tiles) < members or any(v.get("last_seen") != last
                                                   for v in tiles.values()):
                        return False
                return True

            await wait_for(all_live, 600, "every class live")
            ended_at = time.time()
            for cid in class_ids:
                await producer.send(TOPIC_CLASS_EVENTS, key=cid.encode(), value=as_box(
                    ClassEvent(class_session_id=cid, event="end", event_time=ended_at))
                    .to_bytes())
            await producer.flush()
            t0 = time.perf_counter()
        finally:
            await producer.stop()
        frozen: dict[str, float] = {}
        stored: dict[str, float] = {}
        engine = create_engine(stack.env["SPOTTER_DATABASE_URL"])
        deadline = t0 + 300
        try:
            while (len(frozen) < classes or len(stored) < classes) \
                    and time.perf_counter() < deadline:
                for cid in class_ids:
                    if cid not in frozen and (await redis.hget(
                            f"spotter:class:{cid}", "status")) == b"ended":
                        frozen[cid] = time.perf_counter() - t0
                with Session(engine) as db:
                    done = set(db.scalars(select(PostClassSummary.class_session_id).where(
                        PostClassSummary.class_session_id.in_(class_ids))))
                for cid in done - set(stored):
                    stored[cid] = time.perf_counter() - t0
                await asyncio.sleep(0.05)
        finally:
            engine.dispose()
            await redis.aclose()
    finally:
        stack.stop()
    return {"frozen": sorted(frozen.values()), "stored": sorted(stored.values()),
            "classes": [float(classes)]}


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))] if values else \
        float("nan")


async def send_live(options: dict[str, Any], class_id: str, ids: list[str], duration_s: float,
                    latencies: list[float], stop: asyncio.Event,
                    wires: dict[str, str] | None = None) -> None:
    """Roster, class start and 1 Hz samples as a box sends them (members under their wire
    ids where ``wires`` names one)."""
    wire_of = (wires or {}).get
    producer = AIOKafkaProducer(linger_ms=0, **options)
    await producer.start()
    try:
        now = time.time()
        for member in ids:
            entry = to_wire(RosterEntry(class_session_id=class_id, member_id=member,
                                        display_name=member, **PROFILE), wire_of)
            await producer.send_and_wait(TOPIC_ROSTER, key=entry.member_id.encode(),
                                         value=signed(entry).to_bytes())
        start_event = as_box(ClassEvent(class_session_id=class_id, event="start", event_time=now))
        await producer.send_and_wait(TOPIC_CLASS_EVENTS, key=class_id.encode(),
                                     value=start_event.to_bytes())
        start, seq = time.monotonic(), 0
        while time.monotonic() - start < duration_s + 5:
            for i, member in enumerate(ids):  # each member at its own phase in the second
                target = start + seq + i / len(ids)
                await asyncio.sleep(max(0.0, target - time.monotonic()))
                sample = to_wire(HeartRateSample(
                    class_session_id=class_id, member_id=member, strap_id=f"{member}-s",
                    seq=seq, event_time=time.time(), hr_bpm=heart_rate(i, seq),
                    sensor_contact=True, source="chest"), wire_of)
                await producer.send(TOPIC_HR_SAMPLES, key=sample.member_id.encode(),
                                    value=signed(sample).to_bytes())
            seq += 1
        stop.set()
    finally:
        await producer.stop()


# -- report -----------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return platform.processor() or "unknown CPU"


def write_report(args: argparse.Namespace, rates: dict[str, float], lat: dict[str, float],
                 load: float) -> str:
    baseline = rates["worker: stock Faust delivery (CPU)"]
    lines = [
        "# Stream worker end to end (`streams/worker.py` through Tansu)", "",
        f"Command: `.venv/bin/python bench/bench_worker.py --members {args.members} "
        f"--seconds {args.seconds} --latency-s {args.latency_s}`", "",
        f"Machine: {os.cpu_count()}-core VM, {cpu_model()}, Python "
        f"{platform.python_version()}; load average {load:.1f} at the end (the VM may be "
        "shared with other jobs, so wall-clock figures depend on the neighbours); CPU-time "
        "figures count the worker process only (all its threads).", "",
        f"Throughput workload: {args.members} members x {args.seconds} s at 1 Hz = "
        f"{args.members * args.seconds} samples already in the topic when the worker starts "
        "(a backlog: the worst case, e.g. after an outage), roster and class start first.", "",
        "| variant | samples/s | vs stock Faust (CPU) |", "|---|---:|---:|",
    ]
    for name, rate in rates.items():
        ratio = f"{rate / baseline:.2f}x" if "(wall)" not in name else ""
        lines.append(f"| {name} | {rate:,.0f} | {ratio} |")
    target = rates["worker: as configured (CPU)"]
    lines += [
        "", f"Target (issue 4): >= 5,000 samples/s per process: "
        f"{'met' if target >= 5000 else 'NOT met'} in CPU time ({target:,.0f}/s); wall "
        f"{rates['worker: as configured (wall)']:,.0f}/s on the shared VM.", "",
        f"Latency: {args.members} members x 1 Hz for {args.latency_s:.0f} s through the "
        "whole embedded stack (edge-style producer -> Tansu -> worker -> Redis pub/sub -> API "
        f"hub -> SSE client), {lat['tiles']:.0f} tiles measured after a 5 s warm-up:", "",
        "| p50 | p99 | max |", "|---:|---:|---:|",
        f"| {lat['p50_ms']:.0f} ms | {lat['p99_ms']:.0f} ms | {lat['max_ms']:.0f} ms |", "",
        f"Of which sample to tile built in the worker (tile field `at`): p50 "
        f"{lat['worker_p50_ms']:.0f} ms, p99 {lat['worker_p99_ms']:.0f} ms; the rest is Redis "
        "pub/sub, the API hub and the SSE connection.", "",
        f"Target (issue 4): p99 sample-to-tablet < 300 ms: "
        f"{'met' if lat['p99_ms'] < 300 else 'NOT met'}.", "",
        "Notes:", "",
        "* Faust delivers each fetched record to its stream through `mode`'s `wait_first`, "
        "four helper tasks per record; `streams/faust_tuning.py` runs the delivery's first "
        "step eagerly and keeps the race only when the delivery has to wait (same "
        "behaviour; tests/streams/test_worker_faust_tuning.py checks it against a stand-in "
        "consumer). Faust-only consumption "
        "(parse, no state) went from about 3,700 to 6,500 records per CPU-second in "
        "separate runs on this VM.",
        "* The stock-delivery row is not only slower per record: records then reach the "
        "stream slower than the worker handles them, the stream's buffer runs dry after "
        "every record, and the worker's batches (whatever is buffered, up to 1000) shrink "
        "to one sample, so every sample pays a state write and a tile. The ratio in the "
        "table is that whole effect, not the delivery cost alone.",
        "* The embedded Tansu 0.6.0 holds a fetch until its wait expires even when records "
        "arrive, so `fetch_max_wait_ms` is 100 (Faust hard-codes 1500): with 1500 the "
        "sample-to-tablet p50 was 411 ms in an earlier run of this bench; Kafka answers "
        "fetches at once.",
        "* Figures vary from run to run on the shared VM (another run of the same workload "
        "drained the backlog at about 2,300 samples/s wall, 5,200 per CPU-second, with the "
        "load average above 4).", "",
    ]
    return "\n".join(lines)


def boundary_report(args: argparse.Namespace, boundary: dict[str, list[float]],
                    load: float) -> str:
    frozen, stored = boundary["frozen"], boundary["stored"]
    n = args.boundary_classes
    lines = [
        "", f"Class boundary: {n} classes of {args.boundary_members} members "
        f"({args.boundary_seconds} s of samples each) end at the same moment, each end sent by "
        "its room's box after its last sample; seconds from the ends being sent to each "
        f"class's frozen board and stored summary (load average {load:.1f}):", "",
        "| | classes | p50 | p99 | max |", "|---|---:|---:|---:|---:|",
        f"| board frozen (class status 'ended') | {len(frozen)}/{n} | {pct(frozen, .5):.2f} s "
        f"| {pct(frozen, .99):.2f} s | {max(frozen, default=float('nan')):.2f} s |",
        f"| summary stored | {len(stored)}/{n} | {pct(stored, .5):.2f} s | "
        f"{pct(stored, .99):.2f} s | {max(stored, default=float('nan')):.2f} s |", "",
        f"Target (issue 13): p99 < 5 s: board {'met' if pct(frozen, .99) < 5 else 'NOT met'}, "
        f"summary {'met' if len(stored) == n and pct(stored, .99) < 5 else 'NOT met'}.", ""]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=500)
    parser.add_argument("--latency-s", type=float, default=45.0)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--boundary-classes", type=int, default=30)
    parser.add_argument("--boundary-members", type=int, default=60)
    parser.add_argument("--boundary-seconds", type=int, default=20)
    parser.add_argument("--only-boundary", action="store_true",
                        help="run the class-boundary case alone (printed, not written)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        work = Path(tmp)
        boundary = await class_boundary(args.boundary_classes, args.boundary_members,
                                        args.boundary_seconds, work)
        if args.only_boundary:
            print(boundary_report(args, boundary, os.getloadavg()[0]))
            return
        rates: dict[str, float] = {}
        rates.update(await worker_throughput("stock Faust delivery", args.members,
                                             args.seconds, eager=False, workdir=work))
        rates.update(await worker_throughput("as configured", args.members, args.seconds,
                                             eager=True, workdir=work))
        rates.update(pure_runs(args.members, args.seconds))
        lat = await latency(args.members, args.latency_s, work)
    report = write_report(args, rates, lat, os.getloadavg()[0]) + boundary_report(
        args, boundary, os.getloadavg()[0])
    print(report)
    if not args.no_write:
        RESULTS.write_text(report)


if __name__ == "__main__":
    asyncio.run(main())
