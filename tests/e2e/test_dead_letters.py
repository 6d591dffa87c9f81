"""A bad record on the input topic is counted and dead-lettered; the agent keeps going."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import TypeVar

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from redis.asyncio import Redis

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import HeartRateSample, RosterEntry
from contract.signing import API, sign_as
from contract.topics import TOPIC_DEADLETTER, TOPIC_HR_SAMPLES, TOPIC_ROSTER
from streams.sink import STATS_KEY, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

R = TypeVar("R")


def signed(record: R) -> R:
    """Records are signed by their writer (contract.signing); these tests write as the API."""
    return sign_as(Settings().secret_key, API, record)

BAD_RECORDS = {
    "not json": b"\x00\xffdefinitely not json",
    "missing field": json.dumps({"class_session_id": "dlq-class", "member_id": "m1",
                                 "strap_id": "s1", "seq": 0, "hr_bpm": 120}).encode(),
    "wrong type": json.dumps({"class_session_id": "dlq-class", "member_id": "m1",
                              "strap_id": "s1", "seq": 0, "event_time": 1.7e9,
                              "hr_bpm": "one hundred"}).encode(),
}


async def test_bad_records_are_dead_lettered_and_good_ones_still_flow(live_stack) -> None:
    options = client_options(live_stack.settings)
    redis = Redis.from_url(live_stack.settings.redis_url)
    before = int(await redis.hget(STATS_KEY, f"deadletter:{TOPIC_HR_SAMPLES}") or 0)
    consumer = AIOKafkaConsumer(TOPIC_DEADLETTER, auto_offset_reset="earliest",
                                group_id=f"dlq-reader-{time.time()}", **options)
    await consumer.start()
    producer = AIOKafkaProducer(**options)
    await producer.start()
    try:
        for payload in BAD_RECORDS.values():
            await producer.send_and_wait(TOPIC_HR_SAMPLES, key=b"m1", value=payload)
        entry = RosterEntry(class_session_id="dlq-class", member_id="m1", display_name="M1")
        await producer.send_and_wait(TOPIC_ROSTER, key=b"m1", value=signed(entry).to_bytes())
        now = time.time()
        for seq, offset in enumerate([0.0, 0.5, 4.0]):  # the last one closes the first window
            good = HeartRateSample(class_session_id="dlq-class", member_id="m1", strap_id="s1",
                                   seq=seq, event_time=now + offset, hr_bpm=130)
            await producer.send_and_wait(TOPIC_HR_SAMPLES, key=b"m1",
                                         value=signed(good).to_bytes())

        letters = []
        async with asyncio.timeout(30):
            while len(letters) < len(BAD_RECORDS):
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    letters.extend(json.loads(r.value) for r in records)
        payloads = {base64.b64decode(letter["payload_b64"]) for letter in letters}
        assert set(BAD_RECORDS.values()) <= payloads
        reasons = " ".join(letter["reason"] for letter in letters)
        assert "Invalid JSON" in reasons and "event_time" in reasons and "hr_bpm" in reasons

        async with asyncio.timeout(30):
            while "m1" not in await snapshot(redis, "dlq-class"):
                await asyncio.sleep(0.2)
        after = int(await redis.hget(STATS_KEY, f"deadletter:{TOPIC_HR_SAMPLES}") or 0)
        assert after - before == len(BAD_RECORDS)
    finally:
        await producer.stop()
        await consumer.stop()
        await redis.aclose()
