"""The Faust worker: thin agents around the pure window and zone code.

Per-member state lives in plain (non-windowed) tables keyed like the input stream, so a
rebalance moves it with the partition and the changelog restores it; every decision
about time is made on event time by ``streams.windows``.
"""

from __future__ import annotations

import base64
import os
import socket
import time
from typing import Any

import faust
import structlog
from redis.asyncio import Redis

from configs.settings import Settings
from streams.live import tile, zone_insight
from streams.records import (
    TOPIC_CLASS_EVENTS,
    TOPIC_DEADLETTER,
    TOPIC_HR_SAMPLES,
    TOPIC_INSIGHTS,
    TOPIC_ROSTER,
    ClassEvent,
    DeadLetter,
    HeartRateSample,
    RecordError,
    RosterEntry,
    parse_record,
)
from streams.sink import LiveBoard
from streams.windows import MemberWindows

log = structlog.get_logger(__name__)


def create_app(settings: Settings) -> faust.App:
    if not settings.kafka_url:
        raise ValueError("the worker needs SPOTTER_KAFKA_URL (spotter up sets it)")
    app = faust.App(
        settings.worker_id,
        broker=settings.kafka_url,
        store="memory://",
        topic_partitions=settings.topic_partitions,
        broker_rebalance_timeout=settings.broker_rebalance_timeout_s,
        broker_session_timeout=settings.broker_session_timeout_s,
        broker_heartbeat_interval=settings.broker_heartbeat_interval_s,
        web_enabled=False,
        table_standby_replicas=0,
    )
    register_agents(app, settings)
    return app


def raw_topic(app: faust.App, name: str) -> Any:
    """Topics carry JSON bytes that we validate ourselves, so bad records can be
    dead-lettered instead of crashing Faust's deserializer."""
    return app.topic(name, key_type=bytes, value_type=bytes,
                     key_serializer="raw", value_serializer="raw")


def register_agents(app: faust.App, settings: Settings) -> None:
    if not settings.redis_url:
        raise ValueError("the worker needs SPOTTER_REDIS_URL (spotter up sets it)")
    redis = Redis.from_url(settings.redis_url)
    instance = f"{settings.worker_id}:{socket.gethostname()}:{os.getpid()}"
    board = LiveBoard(redis)
    windows = app.Table("member-windows", default=None, partitions=settings.topic_partitions)
    profiles = app.Table("member-profiles", default=None, partitions=settings.topic_partitions)
    dead_letters = raw_topic(app, TOPIC_DEADLETTER)
    insights_out = raw_topic(app, TOPIC_INSIGHTS)

    async def dead_letter(topic: str, payload: bytes, reason: str) -> None:
        log.warning("dead-lettered a bad record", topic=topic, reason=reason)
        record = DeadLetter(source_topic=topic, reason=reason, received_at=time.time(),
                            payload_b64=base64.b64encode(payload).decode())
        await dead_letters.send(key=topic.encode(), value=record.to_bytes())
        await board.count(f"deadletter:{topic}")

    @app.agent(raw_topic(app, TOPIC_ROSTER))
    async def roster(stream: Any) -> None:
        async for payload in stream:
            try:
                entry = parse_record(RosterEntry, payload)
            except RecordError as exc:
                await dead_letter(TOPIC_ROSTER, payload, str(exc))
                continue
            profiles[f"{entry.class_session_id}:{entry.member_id}"] = entry.model_dump()

    @app.agent(raw_topic(app, TOPIC_CLASS_EVENTS))
    async def class_events(stream: Any) -> None:
        async for payload in stream:
            try:
                event = parse_record(ClassEvent, payload)
            except RecordError as exc:
                await dead_letter(TOPIC_CLASS_EVENTS, payload, str(exc))
                continue
            await redis.hset(f"spotter:class:{event.class_session_id}",
                             mapping={"status": "live" if event.event == "start" else "ended",
                                      f"{event.event}_time": event.event_time})

    @app.agent(raw_topic(app, TOPIC_HR_SAMPLES))
    async def heart_rate(stream: Any) -> None:
        async for payload in stream:
            try:
                sample = parse_record(HeartRateSample, payload)
            except RecordError as exc:
                await dead_letter(TOPIC_HR_SAMPLES, payload, str(exc))
                continue
            key = f"{sample.class_session_id}:{sample.member_id}"
            stored = windows.get(key)
            state = (MemberWindows.from_dict(stored) if stored else
                     MemberWindows(size_s=settings.window_s, grace_s=settings.window_grace_s))
            closed = state.add(sample.strap_id, sample.seq, sample.event_time, sample.hr_bpm)
            windows[key] = state.to_dict()
            if not closed:
                continue
            raw_profile = profiles.get(key)
            profile = RosterEntry.model_validate(raw_profile) if raw_profile else None
            for window in closed:
                insight = zone_insight(sample.class_session_id, sample.member_id, window, profile)
                await insights_out.send(key=sample.member_id.encode(), value=insight.to_bytes())
                await board.put_tile(sample.class_session_id, tile(insight, profile))

    @app.on_rebalance_complete.connect
    async def announce_ready(sender: Any, **_: Any) -> None:
        await board.mark_ready(instance)
        log.info("worker joined its group", worker=instance)

    @app.timer(interval=5.0)
    async def keep_ready() -> None:
        await board.mark_ready(instance)
