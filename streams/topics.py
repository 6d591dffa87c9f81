"""Create Spotter's topics up front with one partition count.

Tables are co-partitioned with their input streams (same key, same partition count), so
topics must not be left to a broker's auto-creation default.
"""

from __future__ import annotations

import contextlib
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.records import (
    TOPIC_ALERTS,
    TOPIC_CLASS_EVENTS,
    TOPIC_DEADLETTER,
    TOPIC_FORM_EVENTS,
    TOPIC_HR_SAMPLES,
    TOPIC_INSIGHTS,
    TOPIC_ROSTER,
    TOPIC_WORKER_CONTROL,
    TOPIC_WORKER_REPORTS,
)

log = structlog.get_logger(__name__)

ALL_TOPICS = (TOPIC_HR_SAMPLES, TOPIC_CLASS_EVENTS, TOPIC_ROSTER, TOPIC_INSIGHTS,
              TOPIC_ALERTS, TOPIC_FORM_EVENTS, TOPIC_DEADLETTER, TOPIC_WORKER_CONTROL,
              TOPIC_WORKER_REPORTS)


async def ensure_topics(partitions: int, **client_options: Any) -> list[str]:
    """Create any missing Spotter topic; returns the names it created."""
    admin = AIOKafkaAdminClient(**client_options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(name, num_partitions=partitions, replication_factor=1)
                  for name in ALL_TOPICS if name not in existing]
        if wanted:
            # another process may win the race; the topic is there either way
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
            log.info("created topics", topics=[t.name for t in wanted], partitions=partitions)
        return [t.name for t in wanted]
    finally:
        await admin.close()
