"""Publishing wire records to Kafka with aiokafka."""

from __future__ import annotations

from typing import Any

import structlog
from aiokafka import AIOKafkaProducer

from streams.records import Record

log = structlog.get_logger(__name__)


class KafkaPublisher:
    """A started aiokafka producer; ``publish`` waits for the broker's acknowledgement so
    a caller (or the store-and-forward buffer) knows the record is safe."""

    def __init__(self, **client_options: Any) -> None:
        self._producer = AIOKafkaProducer(acks="all", linger_ms=5, **client_options)
        self.sent = 0

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: str, record: Record) -> None:
        await self._producer.send_and_wait(topic, key=key.encode(), value=record.to_bytes())
        self.sent += 1

    async def __aenter__(self) -> KafkaPublisher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
