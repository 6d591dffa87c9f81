"""Same numbers batch and live: a real recording through the real worker on the real broker
gives the summary that ``spotter hr summary FILE --json`` prints."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TypeVar

import pytest
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import ClassEvent, HeartRateSample, RosterEntry
from contract.signing import API, Signer, sign_as
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES, TOPIC_ROSTER
from db.live import MemberClassSummary, PostClassSummary
from ingest.replay import read_recording
from streams.sink import snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

R = TypeVar("R")


def signed(record: R) -> R:
    """Records are signed by their writer (contract.signing); these tests write as the API."""
    return sign_as(Settings().secret_key, API, record)
REPO = Path(__file__).resolve().parents[2]
HEADLINE = ("duration_s", "avg_hr", "max_hr", "zones_s", "effort_points", "trimp", "kcal",
            "rmssd_ms", "recovery_bpm_60s", "elapsed_s", "no_data_s", "hr_max_used",
            "hr_rest_used", "samples", "rr_beats", "rr_rejected")
# (file, member profile) - profiles as the README of the recordings states them where it
# does (fenix: male, 68 kg, HRmax 183, resting 47); the indoor one is given a full profile
# so calories and TRIMP are exercised.
RECORDINGS = [
    ("hr-recordings/sample-activity-indoor-trainer.fit",
     {"age": 41, "sex": "male", "weight_kg": 78.0, "hr_max": 185, "hr_rest": 50}),
    ("hr-recordings/garmin-fenix-5-run.fit",
     {"age": 35, "sex": "male", "weight_kg": 68.0, "hr_max": 183, "hr_rest": 47}),
]

def as_box(record: R) -> R:
    """Class start and end as the room's box writes them: a box sends its end after its
    last sample, so the worker closes the class at once (an end from the API waits out
    the grace period for the box)."""
    return Signer.derive(Settings().secret_key, "test-box", "test-room",
                         record.class_session_id).sign(record)  # type: ignore[attr-defined]



def batch_summary(path: Path, profile: dict) -> dict:
    flags = ["--age", str(profile["age"]), "--sex", profile["sex"], "--weight",
             str(profile["weight_kg"]), "--hr-max", str(profile["hr_max"]), "--hr-rest",
             str(profile["hr_rest"])]
    done = subprocess.run([sys.executable, "-m", "api.cli", "hr", "summary", str(path),
                           "--json", *flags], cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=60)
    return json.loads(done.stdout)


async def wait_for_tiles(redis: Redis, class_id: str, last_seen: dict[str, float]) -> None:
    """Until every member's tile shows its newest sample (the worker has them all)."""
    async with asyncio.timeout(60):
        while True:
            tiles = await snapshot(redis, class_id)
            if all(tiles.get(m, {}).get("last_seen") == t for m, t in last_seen.items()):
                return
            await asyncio.sleep(0.2)


def stored_summary(database_url: str, class_id: str, timeout: float = 60.0
                   ) -> tuple[dict, dict[str, dict]]:
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with Session(engine) as db:
                row = db.get(PostClassSummary, class_id)
                if row is not None:
                    parts = {p.member_id: p.payload for p in db.scalars(select(
                        MemberClassSummary).where(
                            MemberClassSummary.class_session_id == class_id))}
                    return row.payload, parts
            time.sleep(0.3)
    finally:
        engine.dispose()
    raise AssertionError(f"no summary stored for {class_id} within {timeout} s")


async def test_replayed_recordings_give_the_batch_numbers(live_stack, shared_data) -> None:
    class_id = f"replay-{uuid.uuid4().hex[:8]}"
    recordings = [(shared_data / name, profile) for name, profile in RECORDINGS]
    samples = {f"rec-{i}": read_recording(path) for i, (path, _) in enumerate(recordings)}
    longest = max(s[-1].t for s in samples.values())
    base = time.time() - longest - 10  # the class happened just now
    producer = AIOKafkaProducer(acks="all", linger_ms=5, **client_options(live_stack.settings))
    redis = Redis.from_url(live_stack.settings.redis_url)
    await producer.start()
    try:
        for i, (_, profile) in enumerate(recordings):
            entry = RosterEntry(class_session_id=class_id, member_id=f"rec-{i}",
                                display_name=f"Recording {i}", **profile)
            await producer.send_and_wait(TOPIC_ROSTER, key=entry.member_id.encode(),
                                         value=signed(entry).to_bytes())
        await producer.send_and_wait(TOPIC_CLASS_EVENTS, key=class_id.encode(), value=(
            as_box(ClassEvent(class_session_id=class_id, event="start", event_time=base))
            .to_bytes()))
        last_seen = {}
        for member_id, recorded in samples.items():
            for seq, s in enumerate(recorded):
                sample = HeartRateSample(
                    class_session_id=class_id, member_id=member_id, strap_id=f"{member_id}-s",
                    seq=seq, event_time=base + s.t, hr_bpm=s.hr_bpm,
                    rr_intervals_ms=list(s.rr_intervals_ms), source="replay")
                await producer.send(TOPIC_HR_SAMPLES, key=member_id.encode(),
                                    value=signed(sample).to_bytes())
            last_seen[member_id] = base + recorded[-1].t
        await producer.flush()
        await wait_for_tiles(redis, class_id, last_seen)
        await producer.send_and_wait(TOPIC_CLASS_EVENTS, key=class_id.encode(), value=(
            as_box(ClassEvent(class_session_id=class_id, event="end", event_time=time.time()))
            .to_bytes()))
        document, parts = await asyncio.to_thread(
            stored_summary, live_stack.settings.resolved_database_url(), class_id)
    finally:
        await producer.stop()
        await redis.aclose()

    assert document["member_count"] == len(recordings)
    for i, (path, profile) in enumerate(recordings):
        batch = batch_summary(path, profile)
        live = parts[f"rec-{i}"]["totals"]
        assert {k: live[k] for k in HEADLINE} == {k: batch[k] for k in HEADLINE}, path.name
    assert parts["rec-1"]["totals"]["rmssd_ms"] is not None  # the fenix file carries RR
    assert document["series"]["t_s"], "the class chart has points"
    assert document["total_effort_points"] == pytest.approx(
        sum(p["totals"]["effort_points"] for p in parts.values()), abs=0.02)
