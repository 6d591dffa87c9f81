"""Class start and end from the tablet: the API publishes the same records the edge box
would (roster entries, then a :class:`~contract.records.ClassEvent`).

A producer per request keeps the API free of a long-lived Kafka connection that would
need its own health handling; start and end are two clicks per class.
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from api.exceptions import ServiceUnavailableError
from configs.settings import Settings
from contract.kafka import client_options
from contract.records import Record
from contract.signing import API, sign_as

log = structlog.get_logger(__name__)
# A broker that does not answer within this long is reported as unavailable; the trainer
# can press the button again (class events are idempotent in the worker).
BROKER_TIMEOUT_S = 10.0


async def publish(settings: Settings, records: list[tuple[str, str, Record]]) -> None:
    """Send (topic, key, record) in order and wait for the broker's acknowledgement."""
    if not settings.kafka_url:
        raise ServiceUnavailableError("no Kafka broker configured: run 'spotter up' or set "
                                      "SPOTTER_KAFKA_URL")
    producer = AIOKafkaProducer(acks="all", request_timeout_ms=int(BROKER_TIMEOUT_S * 1000),
                                **client_options(settings))
    try:
        async with asyncio.timeout(BROKER_TIMEOUT_S):
            await producer.start()
            for topic, key, record in records:
                signed = sign_as(settings.secret_key, API, record)  # see contract.signing
                await producer.send_and_wait(topic, key=key.encode(), value=signed.to_bytes())
    except (KafkaError, TimeoutError, OSError) as exc:
        log.warning("class event not published", error=str(exc))
        raise ServiceUnavailableError("the Kafka broker did not answer; the class event was "
                                      "not sent: try again in a moment") from exc
    finally:
        await producer.stop()
