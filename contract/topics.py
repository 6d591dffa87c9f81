"""Topic names (part of the wire contract) and their creation with one partition count.

Tables are co-partitioned with their input streams (same key, same partition count), so
topics must not be left to a broker's auto-creation default.
"""

from __future__ import annotations

import contextlib
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = structlog.get_logger(__name__)

# Topic names are part of the contract: edge, worker and API must agree on them.
TOPIC_HR_SAMPLES = "spotter.hr.samples"
TOPIC_CLASS_EVENTS = "spotter.class.events"
TOPIC_ROSTER = "spotter.class.roster"
TOPIC_INSIGHTS = "spotter.insights"
TOPIC_ALERTS = "spotter.alerts"
TOPIC_FORM_EVENTS = "spotter.form.events"
TOPIC_DEADLETTER = "spotter.deadletter"
# Worker-internal topics (worker to worker, never edge or API): a class end fans out to
# every partition of the control topic; each partition's owner reports its members'
# final numbers, keyed by class, to the reports topic.
TOPIC_WORKER_CONTROL = "spotter.worker.control"
TOPIC_WORKER_REPORTS = "spotter.worker.reports"


# Which records travel on which topic: the contract tests cover each pair.
RECORDS_BY_TOPIC: dict[str, tuple[str, ...]] = {
    TOPIC_HR_SAMPLES: ("HeartRateSample",),
    TOPIC_CLASS_EVENTS: ("ClassEvent",),
    TOPIC_ROSTER: ("RosterEntry",),
    TOPIC_INSIGHTS: ("ZoneInsight",),
    TOPIC_ALERTS: ("Alert",),
    TOPIC_FORM_EVENTS: ("FormEvent",),
    TOPIC_DEADLETTER: ("DeadLetter",),
    TOPIC_WORKER_CONTROL: ("ClassControl",),
    TOPIC_WORKER_REPORTS: ("PartitionReport",),
}

# Topics whose records carry a member's readings or name: they are kept only for the
# admin's "raw samples" retention (configs.retention), as the topic's retention.ms.
MEMBER_DATA_TOPICS = (TOPIC_HR_SAMPLES, TOPIC_FORM_EVENTS, TOPIC_INSIGHTS, TOPIC_ALERTS,
                      TOPIC_ROSTER, TOPIC_DEADLETTER)

ALL_TOPICS = (TOPIC_HR_SAMPLES, TOPIC_CLASS_EVENTS, TOPIC_ROSTER, TOPIC_INSIGHTS,
              TOPIC_ALERTS, TOPIC_FORM_EVENTS, TOPIC_DEADLETTER, TOPIC_WORKER_CONTROL,
              TOPIC_WORKER_REPORTS)


async def ensure_topics(partitions: int, retention_ms: int | None = None,
                        **client_options: Any) -> list[str]:
    """Create any missing Spotter topic; returns the names it created. ``retention_ms``
    becomes the ``retention.ms`` of the member-data topics (others keep the broker's)."""
    admin = AIOKafkaAdminClient(**client_options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(name, num_partitions=partitions, replication_factor=1,
                           topic_configs=topic_configs(name, retention_ms))
                  for name in ALL_TOPICS if name not in existing]
        if wanted:
            # another process may win the race; the topic is there either way
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
            log.info("created topics", topics=[t.name for t in wanted], partitions=partitions,
                     retention_ms=retention_ms)
        return [t.name for t in wanted]
    finally:
        await admin.close()


def topic_configs(name: str, retention_ms: int | None) -> dict[str, str]:
    """Per-topic settings at creation: the retention of member-data topics."""
    if retention_ms is None or name not in MEMBER_DATA_TOPICS:
        return {}
    return {"retention.ms": str(retention_ms)}
