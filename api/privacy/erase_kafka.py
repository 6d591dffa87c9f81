"""Erasing a member from Kafka: tombstones on compacted changelogs, truncation elsewhere.

Two kinds of topics hold member data:

* the worker's Faust changelogs (``<worker id>-<table>-changelog``, compacted): per-member
  state keyed ``class|member`` and class reports that list members by name. A key naming
  the member gets a tombstone (value null, same key, same partition): compaction then
  removes every earlier value, and a restoring worker forgets the key. A class-level key
  whose latest value names the member gets a scrubbed value instead (ids replaced by
  the anonymous id, names removed, numbers kept).
* the record topics (heart-rate samples, roster, insights, alerts, form events, dead
  letters, worker reports; ``cleanup.policy=delete``): records cannot be rewritten. Each
  partition holding the member is truncated up to the member's last record with
  DeleteRecords when the broker supports it; where it does not (the embedded Tansu), the
  records expire with the topic's ``retention.ms`` and the receipt says so. Records
  written since members travel under wire ids (``contract.pseudonyms``) name only the
  booking, which the erasure moves to the anonymous id: they are counted under
  ``pseudonymous`` and expire with retention, pointing at nobody.

Tansu stores in memory and does not compact: tombstoned values stay readable on it until
it restarts. :func:`readable` is what a consumer reads from a compacted topic after
compaction (latest value per key, tombstoned keys gone); the erasure tests check that.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from api.privacy.member_data import Needles
from api.privacy.scrub import mentions, scrub

log = structlog.get_logger(__name__)
CHANGELOG_SUFFIX = "-changelog"


@dataclass(frozen=True)
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    def text(self) -> str:
        return b" ".join(p for p in (self.key, self.value) if p).decode("utf-8", "replace")


@dataclass
class KafkaErasure:
    tombstones: dict[str, int] = field(default_factory=dict)
    rewritten: dict[str, int] = field(default_factory=dict)
    truncated: dict[str, int] = field(default_factory=dict)
    left_to_retention: dict[str, int] = field(default_factory=dict)
    pseudonymous: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v}


def is_compacted(topic: str) -> bool:
    return topic.endswith(CHANGELOG_SUFFIX)


async def read_all(options: dict[str, Any], topics: list[str] | None = None) -> list[Rec]:
    """Every record on ``topics`` (default: every non-internal topic), oldest first."""
    consumer = AIOKafkaConsumer(**options, enable_auto_commit=False,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        names = topics if topics is not None else sorted(
            t for t in await consumer.topics() if not t.startswith("__"))
        parts = [TopicPartition(t, p) for t in names
                 for p in sorted(consumer.partitions_for_topic(t) or ())]
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        out: list[Rec] = []
        pending = {tp for tp in parts if ends[tp] > 0}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, messages in batch.items():
                out += [Rec(tp.topic, tp.partition, m.offset, m.key, m.value)
                        for m in messages]
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
        return out
    finally:
        await consumer.stop()


def readable(records: list[Rec]) -> list[Rec]:
    """What a consumer reads after compaction of the compacted topics (latest value per
    key, tombstones gone) plus every record of the others."""
    latest: dict[tuple[str, int, bytes | None], Rec] = {}
    out: list[Rec] = []
    for rec in records:
        if is_compacted(rec.topic):
            latest[(rec.topic, rec.partition, rec.key)] = rec
        else:
            out.append(rec)
    return out + [r for r in latest.values() if r.value is not None]


def _scrubbed(value: bytes, needles: Needles, anonymous: str) -> bytes | None:
    try:
        data = json.loads(value)
    except ValueError:
        return None  # not JSON: a tombstone is the only safe rewrite
    return json.dumps(scrub(data, needles, anonymous), separators=(",", ":")).encode()


async def _truncate(options: dict[str, Any], last: dict[TopicPartition, int],
                    result: KafkaErasure) -> None:
    if not last:
        return
    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    try:
        for tp, offset in last.items():
            try:
                await admin.delete_records({tp: RecordsToDelete(before_offset=offset + 1)},
                                           timeout_ms=10_000)
                result.truncated[tp.topic] = result.truncated.get(tp.topic, 0) + 1
            except Exception as exc:  # noqa: BLE001 - the broker may not support it
                log.warning("topic truncation refused; records expire with retention",
                            topic=tp.topic, partition=tp.partition,
                            error=type(exc).__name__)
                result.left_to_retention[tp.topic] = (
                    result.left_to_retention.get(tp.topic, 0) + 1)
    finally:
        await admin.close()


async def erase_kafka(options: dict[str, Any], needles: Needles, anonymous: str
                      ) -> KafkaErasure:
    """Tombstone or rewrite the member's changelog entries; truncate record topics."""
    result = KafkaErasure()
    records = await read_all(options)
    latest: dict[tuple[str, int, bytes | None], Rec] = {}
    last: dict[TopicPartition, int] = defaultdict(int)
    for rec in records:
        if is_compacted(rec.topic):
            latest[(rec.topic, rec.partition, rec.key)] = rec
        elif mentions(rec.text(), needles):
            tp = TopicPartition(rec.topic, rec.partition)
            last[tp] = max(last[tp], rec.offset)
        elif any(w in rec.text() for w in needles.wire_ids):
            result.pseudonymous[rec.topic] = result.pseudonymous.get(rec.topic, 0) + 1
    producer = AIOKafkaProducer(**options, acks="all")
    await producer.start()
    try:
        for (topic, partition, key), rec in latest.items():
            if rec.value is None:
                continue
            key_names = key is not None and mentions(key.decode("utf-8", "replace"), needles)
            if not key_names and not mentions(rec.text(), needles):
                continue
            value = None if key_names else _scrubbed(rec.value, needles, anonymous)
            await producer.send_and_wait(topic, value, key=key, partition=partition)
            bucket = result.tombstones if value is None else result.rewritten
            bucket[topic] = bucket.get(topic, 0) + 1
    finally:
        await producer.stop()
    await _truncate(options, dict(last), result)
    return result
