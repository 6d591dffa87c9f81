"""Kafka erasure on a broker of the test's own: a changelog key naming the member gets a
tombstone, a class-level changelog value naming them is rewritten with their numbers
kept, other members' entries are untouched, and a record topic holding them is either
truncated or named as left to its retention."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError

from api.privacy.erase_kafka import erase_kafka, read_all, readable
from api.privacy.member_data import Needles
from contract.kafka import bootstrap_servers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]
STATE, REPORTS, SAMPLES = ("w-member-state-changelog", "w-class-reports-changelog",
                           "spotter.hr.samples")


async def test_tombstones_rewrites_and_record_topics(broker_url: str) -> None:
    options = {"bootstrap_servers": bootstrap_servers(broker_url)}
    admin = AIOKafkaAdminClient(**options)
    for _ in range(40):  # the broker process is still starting
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await asyncio.sleep(0.25)
    await admin.create_topics([NewTopic(t, 2, 1) for t in (STATE, REPORTS, SAMPLES)])
    await admin.close()
    producer = AIOKafkaProducer(**options)
    await producer.start()
    report = {"members": [{"member_id": "m-gone", "display_name": "Quill Gone", "kcal": 300},
                          {"member_id": "m-stays", "display_name": "Ava", "kcal": 250}]}
    await producer.send_and_wait(STATE, b'{"p":0,"hr":120}', key=b"c1|m-gone", partition=0)
    await producer.send_and_wait(STATE, b'{"p":0,"hr":130}', key=b"c1|m-gone", partition=0)
    await producer.send_and_wait(STATE, b'{"p":1,"hr":99}', key=b"c1|m-stays", partition=1)
    await producer.send_and_wait(REPORTS, json.dumps(report).encode(), key=b"c1",
                                 partition=0)
    await producer.send_and_wait(SAMPLES, b'{"member_id":"m-gone","hr":120}', key=b"m-gone",
                                 partition=1)
    await producer.stop()

    needles = Needles(member_id="m-gone", names=["Quill Gone", "Quill"])
    result = await erase_kafka(options, needles, "erased-x")
    assert result.tombstones == {STATE: 1}
    assert result.rewritten == {REPORTS: 1}
    assert set(result.truncated) | set(result.left_to_retention) == {SAMPLES}

    records = readable(await read_all(options))
    changelogs = [r for r in records if r.topic != SAMPLES]
    assert not [r for r in changelogs if "m-gone" in r.text() or "Quill" in r.text()]
    assert {r.key for r in changelogs if r.topic == STATE} == {b"c1|m-stays"}
    (rewritten,) = [r for r in changelogs if r.topic == REPORTS]
    members = json.loads(rewritten.value or b"{}")["members"]
    assert members[0] == {"member_id": "erased-x", "display_name": "Erased member",
                          "kcal": 300}
    assert members[1]["display_name"] == "Ava"
    samples = [r for r in records if r.topic == SAMPLES]
    assert not samples or SAMPLES in result.left_to_retention
