"""Applying the raw-samples retention to existing topics (``spotter db prune``).

Topics get their ``retention.ms`` when they are created (:func:`contract.topics.
ensure_topics`); an admin's later change is applied here through the Kafka admin API.
AlterConfigs replaces a topic's whole set of overrides, so the topic's current overrides
are read first and kept. Brokers that do not implement AlterConfigs (the Tansu build
``spotter up`` embeds) answer "unsupported": the topics then keep the retention they
were created with until they are created again (Tansu keeps topics in memory, so at the
next ``spotter up``), and the outcome says so instead of failing the prune.
"""

from __future__ import annotations

from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import IncompatibleBrokerVersion, KafkaError

from contract.topics import MEMBER_DATA_TOPICS

log = structlog.get_logger(__name__)
TOPIC_OVERRIDE = 1  # DescribeConfigs config_source: set on the topic itself


def _entries(response: Any, *, own_only: bool) -> dict[str, dict[str, str]]:
    """topic -> its settings from DescribeConfigs: all of them, or only its own writable
    overrides (the ones AlterConfigs would otherwise drop)."""
    found: dict[str, dict[str, str]] = {}
    for resource in response.resources:
        _code, _message, _type, name, entries = resource[:5]
        found[name] = {entry[0]: entry[1] for entry in entries if entry[1] is not None
                       and (not own_only or (not entry[2] and entry[3] == TOPIC_OVERRIDE))}
    return found


async def _describe_member_topics(admin: AIOKafkaAdminClient) -> tuple[list[str], list[Any]]:
    """The member-data topics that exist, and DescribeConfigs' answers for them."""
    existing = set(await admin.list_topics())
    names = [t for t in MEMBER_DATA_TOPICS if t in existing]
    if not names:
        return [], []
    return names, await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t) for t in names])


async def current_retention(**client_options: Any) -> dict[str, int | None]:
    """The member-data topics' ``retention.ms`` as the broker reports it."""
    admin = AIOKafkaAdminClient(**client_options)
    await admin.start()
    try:
        _names, responses = await _describe_member_topics(admin)
        values: dict[str, int | None] = {}
        for response in responses:
            for name, entries in _entries(response, own_only=False).items():
                raw = entries.get("retention.ms")
                values[name] = int(raw) if raw else None
        return values
    finally:
        await admin.close()


async def apply_retention(retention_ms: int, **client_options: Any) -> dict[str, Any]:
    """Set ``retention.ms`` on every existing member-data topic. Returns what happened:
    ``{"applied": [...], "unchanged": [...], "unsupported": bool, "errors": {...}}``."""
    outcome: dict[str, Any] = {"retention_ms": retention_ms, "applied": [], "unchanged": [],
                               "unsupported": False, "errors": {}}
    admin = AIOKafkaAdminClient(**client_options)
    await admin.start()
    try:
        names, described = await _describe_member_topics(admin)
        if not names:
            return outcome
        overrides: dict[str, dict[str, str]] = {}
        effective: dict[str, dict[str, str]] = {}
        for response in described:
            overrides |= _entries(response, own_only=True)
            effective |= _entries(response, own_only=False)
        changes = []
        for name in names:
            own = overrides.get(name, {})
            if effective.get(name, {}).get("retention.ms") == str(retention_ms):
                outcome["unchanged"].append(name)
                continue
            changes.append(ConfigResource(ConfigResourceType.TOPIC, name,
                                          configs={**own, "retention.ms": str(retention_ms)}))
        if not changes:
            return outcome
        try:
            responses = await admin.alter_configs(changes)
        except IncompatibleBrokerVersion:
            outcome["unsupported"] = True
            log.warning("broker cannot alter topic configs; topics keep the retention "
                        "they were created with", topics=[c.name for c in changes])
            return outcome
        for response in responses:
            for code, message, _type, name in (r[:4] for r in response.resources):
                if code:
                    outcome["errors"][name] = message or f"error {code}"
                else:
                    outcome["applied"].append(name)
        return outcome
    except KafkaError as exc:
        outcome["errors"]["broker"] = str(exc)
        return outcome
    finally:
        await admin.close()
