"""Faust's end-offset queries, through our override, give the true end on Tansu.

Tansu (the embedded broker) reports a partition's end as the base offset of its last
record batch + 1; Faust's table recovery reads changelogs up to that end, so the tail of
the last batch (the newest states) was not restored after a takeover. The override
checks the end with a fetch. This test runs Faust's own ``_highwaters`` against a real
Tansu with a multi-record last batch, with and without the override.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from contract.kafka import bootstrap_servers
from streams.faust_tuning import apply_verified_end_offsets

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]
TOPIC = "tuning.end-offsets"


@dataclass
class Conf:
    broker_credentials: Any = None
    ssl_context: Any = None


@dataclass
class App:
    conf: Conf


@dataclass
class Transactions:
    in_transaction: bool = False


class ConsumerThread:
    """The parts of Faust's consumer thread that ``_highwaters`` uses, around a real
    aiokafka consumer (Faust's thread itself only starts inside a running worker)."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer, self.app, self.consumer = consumer, App(Conf()), Transactions()

    def _ensure_consumer(self) -> AIOKafkaConsumer:
        return self._consumer


async def test_the_end_of_a_partition_whose_last_batch_holds_several_records(
        broker_url: str) -> None:
    from faust.transport.drivers import aiokafka as driver

    servers = bootstrap_servers(broker_url)
    producer = AIOKafkaProducer(bootstrap_servers=servers)
    await producer.start()
    try:
        for i in range(3):  # three batches of one record
            await producer.send_and_wait(TOPIC, f"single-{i}".encode(), partition=0)
        batch = producer.create_batch()
        for i in range(4):  # one batch of four
            batch.append(key=None, value=f"batched-{i}".encode(), timestamp=None)
        await (await producer.send_batch(batch, TOPIC, partition=0))
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(TOPIC, 0)
        thread = ConsumerThread(consumer)
        stock = getattr(driver.AIOKafkaConsumerThread._highwaters, "__spotter_original__",
                        driver.AIOKafkaConsumerThread._highwaters)
        reported = (await stock(thread, [tp]))[tp]
        apply_verified_end_offsets()
        verified = (await driver.AIOKafkaConsumerThread._highwaters(thread, [tp]))[tp]
    finally:
        await consumer.stop()
    assert verified == 7  # seven records: offsets 0..6
    assert reported <= verified  # Tansu 0.6.0 reports 4 here; a fixed broker reports 7
