"""Getting records onto Kafka with aiokafka: the batched transport and the naive publisher.

:class:`KafkaTransport` is what the edge agent uses behind
:class:`~edge.forwarder.StoreAndForward`: it packs a window of records into one
``BatchBuilder`` per partition and sends them together, so each partition's share of a
window is acknowledged or failed as a whole (aiokafka would otherwise split a burst over
several batches that can fail separately and reorder on retry). Partitions are chosen by
aiokafka's ``DefaultPartitioner`` (murmur2 of the key, as the Java client and Faust do), so
records land exactly where ``producer.send`` would have put them.

:class:`KafkaPublisher` waits for the broker after every record. It is kept as the
benchmark's baseline and for one-off records from the CLI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner

from contract.records import Record
from edge.buffer import Entry

log = structlog.get_logger(__name__)


class KafkaTransport:
    """One aiokafka producer, restartable; ``deliver`` sends one window."""

    def __init__(self, *, max_batch_bytes: int = 262_144, request_timeout_s: float = 5.0,
                 **client_options: Any) -> None:
        self._options = client_options
        self._max_batch_bytes = max_batch_bytes
        self._request_timeout_ms = int(request_timeout_s * 1000)
        self._producer: AIOKafkaProducer | None = None
        self._partitions: dict[str, list[int]] = {}
        self._by_key: dict[tuple[str, bytes], int] = {}
        self._partitioner = DefaultPartitioner()
        self.rejected = 0  # single records the broker refuses for good (too large)

    def make_producer(self) -> AIOKafkaProducer:
        """The producer, built but not connected (settings checks need no broker)."""
        return AIOKafkaProducer(
            acks="all", linger_ms=0, max_batch_size=self._max_batch_bytes,
            max_request_size=max(1_048_576, 2 * self._max_batch_bytes),
            request_timeout_ms=self._request_timeout_ms, **self._options)

    async def start(self) -> None:
        producer = self.make_producer()
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def _partition(self, topic: str, key: bytes) -> int:
        cached = self._by_key.get((topic, key))
        if cached is not None:
            return cached
        partitions = self._partitions.get(topic)
        if partitions is None:
            assert self._producer is not None
            partitions = sorted(await self._producer.partitions_for(topic))
            self._partitions[topic] = partitions
        # murmur2 is pure Python in aiokafka (~µs per call); a class has a few dozen keys
        partition = self._by_key[(topic, key)] = int(self._partitioner(key, partitions,
                                                                       partitions))
        return partition

    async def deliver(self, window: Sequence[Entry]) -> list[bool]:
        producer = self._producer
        if producer is None:
            raise ConnectionError("the Kafka producer is not started")
        batches: dict[tuple[str, int], Any] = {}
        where: list[tuple[str, int]] = []
        for entry in window:
            tp = (entry.topic, await self._partition(entry.topic, entry.key))
            batch = batches.get(tp)
            if batch is None:
                batch = batches[tp] = producer.create_batch()
            if batch.append(key=entry.key, value=entry.value,
                            timestamp=int(entry.created * 1000)) is None:
                break  # this partition's batch is full: the rest waits for the next window
            where.append(tp)
        futures = {tp: await producer.send_batch(batch, tp[0], partition=tp[1])
                   for tp, batch in batches.items() if batch.record_count()}
        outcomes = await asyncio.gather(*futures.values(), return_exceptions=True)
        ok: dict[tuple[str, int], bool] = {}
        for tp, outcome in zip(futures, outcomes, strict=True):
            ok[tp] = not isinstance(outcome, BaseException)
            if isinstance(outcome, MessageSizeTooLargeError) and where.count(tp) == 1:
                # One record the broker will never take: drop it loudly rather than retry
                # it forever and hold back everything behind it.
                self.rejected += 1
                log.error("record_rejected_too_large", topic=tp[0], partition=tp[1])
                ok[tp] = True
            elif isinstance(outcome, BaseException):
                log.debug("batch_failed", topic=tp[0], partition=tp[1], error=repr(outcome))
        if ok and not any(ok.values()):
            raise next(o for o in outcomes if isinstance(o, BaseException))
        return [ok[tp] for tp in where]


class KafkaPublisher:
    """A started aiokafka producer; ``publish`` waits for the broker's acknowledgement of
    each record before returning (simple and slow: one round trip per record)."""

    def __init__(self, **client_options: Any) -> None:
        self._producer = AIOKafkaProducer(acks="all", linger_ms=0, **client_options)
        self.sent = 0

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: str, record: Record,
                      produced_at: float | None = None) -> None:
        await self._producer.send_and_wait(topic, key=key.encode(), value=record.to_bytes())
        self.sent += 1

    async def __aenter__(self) -> KafkaPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
