"""The Faust worker: thin agents around the pure insight code.

State lives in plain (non-windowed) tables keyed like the input streams, so a rebalance
moves it with its partition and the changelog restores it; every decision about time is
made on event time by ``streams.metrics``. Agents read in batches (:func:`batches`) and
write each member's state once per batch; a batch is acked only after its body ran, and
Faust flushes the producer (our changelog writes) before it commits offsets, so the stored
state is never behind the committed offsets: a redelivered sample is deduplicated by its
strap sequence number, never lost or counted twice.

The 1 s timer is not a Faust event, and Faust only lets events write tables (it takes the
changelog partition from the current event). Rather than routing ticks through a
self-addressed topic (a record per partition per second, and ticks that queue up behind
a backlog exactly when a quiet strap needs noticing), the timer works on the worker's
in-memory states of the partitions it owns and writes a state back with an explicit
partition (``streams.state_tables``); it skips its turn while a rebalance is in progress,
so it never writes a partition that is being handed over. See ``streams.agents_live``
for which tick effects are written at once and which wait for the next sample.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import faust
import structlog
from redis.asyncio import Redis

from configs.settings import Settings
from contract.kafka import kafka_config
from contract.topics import (
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
from streams.agents_class import ClassLifecycle
from streams.agents_live import LiveWorker, Outbox, Topics
from streams.board_backlog import BufferedBoard
from streams.diagnostics import install_state_dump
from streams.faust_tuning import (
    apply_eager_delivery,
    apply_fetch_max_wait,
    apply_verified_end_offsets,
    check_targets,
)
from streams.health import WorkerHealth, serve_health
from streams.insight_config import default_alert_rules, default_insight_config
from streams.kafka_faust import faust_broker_options
from streams.member_state import MemberState
from streams.origin import RecordGate
from streams.partition_watch import PartitionProgress, StallWatch
from streams.sink import LiveBoard
from streams.state_tables import PartitionedTable
from streams.store import WorkerStore
from streams.worker_config import WorkerConfig, default_worker_config

log = structlog.get_logger(__name__)
SMALL_BATCH = 200  # roster and form events: rare, but a class start sends a roster burst
# A Redis command that takes longer than this is an outage (Redis answers in
# milliseconds); the board's writes then wait in its backlog (streams.board_backlog).
REDIS_TIMEOUT_S = 2.0
FEATURES_EVERY_S = 10.0  # admin toggles take effect within this (the issue asks for 30 s)
INTENSITY_EVERY_S = 5.0  # the class-level intensity check reads the board this often


def create_app(settings: Settings, worker_config: WorkerConfig | None = None) -> faust.App:
    if not settings.kafka_url:
        raise ValueError("the worker needs SPOTTER_KAFKA_URL (spotter up sets it)")
    cfg = worker_config or default_worker_config()
    check_targets()  # a Faust our overrides were not written for stops here, named
    if cfg.faust.eager_delivery:
        apply_eager_delivery()
    if cfg.faust.verify_end_offsets:
        apply_verified_end_offsets()
    apply_fetch_max_wait(cfg.faust.fetch_max_wait_ms)
    worker_dir = settings.data_dir / "worker"  # Faust's datadir, not the working directory
    worker_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.worker_id,
        **faust_broker_options(kafka_config(settings)),
        datadir=str(worker_dir / "{conf.name}-data"),
        store="memory://",
        topic_partitions=settings.topic_partitions,
        broker_rebalance_timeout=settings.broker_rebalance_timeout_s,
        broker_session_timeout=settings.broker_session_timeout_s,
        broker_heartbeat_interval=settings.broker_heartbeat_interval_s,
        web_enabled=False,
        table_standby_replicas=0,
        stream_buffer_maxsize=cfg.faust.stream_buffer_maxsize,
    )
    register_agents(app, settings, cfg)
    return app


def raw_topic(app: faust.App, name: str) -> Any:
    """Topics carry JSON bytes that we validate ourselves, so bad records can be
    dead-lettered instead of crashing Faust's deserializer."""
    return app.topic(name, key_type=bytes, value_type=bytes,
                     key_serializer="raw", value_serializer="raw")


async def batches(stream: Any, max_size: int) -> AsyncIterator[list[Any]]:
    """Consumer batches sized by the backlog: whatever is already buffered, up to
    ``max_size``, is handled together; a lone live sample is handled at once.

    Faust's ``take_events`` waits a fixed time to fill a batch (latency when the class is
    live) and stops buffering while the batch is handled (small batches when there is a
    backlog: each costs a state write and a tile per member, so throughput fell with it).
    Acks are manual: a batch is acked only after the body has written its states, which
    keeps the stored state ahead of the committed offsets.
    """
    manual = stream.noack()
    queue = manual.channel.queue
    pending: list[Any] = []
    async for event in manual.events():
        pending.append(event)
        if len(pending) < max_size and not queue.empty():
            continue
        try:
            yield pending
        finally:
            for done in pending:
                await manual.ack(done)
            pending = []


def instance_id(settings: Settings) -> str:
    return f"{settings.worker_id}:{socket.gethostname()}:{os.getpid()}"


def redis_client(url: str) -> Redis:
    """A Redis client that gives up on a silent server instead of waiting forever: a
    paused Redis must cost the board some seconds, never the worker (see
    streams.board_backlog)."""
    return Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                          socket_connect_timeout=REDIS_TIMEOUT_S, health_check_interval=10)


def guarded(name: str, health: WorkerHealth) -> Any:
    """A timer or agent step that must never take the worker down: an exception is
    logged, counted against ``name`` in the worker's health, and the next turn runs."""
    def wrap(fn: Any) -> Any:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                result = await fn(*args, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - see docstring
                health.failed(name, exc)
                log.warning("worker step failed; it runs again", step=name,
                            error=f"{type(exc).__name__}: {exc}"[:300])
                return None
            health.succeeded(name)
            return result
        return run
    return wrap


def register_agents(app: faust.App, settings: Settings, cfg: WorkerConfig) -> None:
    if not settings.redis_url:
        raise ValueError("the worker needs SPOTTER_REDIS_URL (spotter up sets it)")
    board = BufferedBoard(LiveBoard(redis_client(settings.redis_url)))
    store = WorkerStore(settings.resolved_database_url())
    config, rules = default_insight_config(), default_alert_rules()
    partitions = settings.topic_partitions
    instance = instance_id(settings)
    joined = {"once": False}
    health = WorkerHealth(instance=instance, board=board.health, store=store.health)

    def table(name: str) -> Any:
        return app.Table(name, default=None, partitions=partitions, key_type=str,
                         value_type=bytes)

    members: PartitionedTable[MemberState] = PartitionedTable(
        table("member-state"), lambda b: MemberState.from_bytes(b, config=config, rules=rules))
    profiles: PartitionedTable[dict[str, Any]] = PartitionedTable(table("member-profiles"),
                                                                  json.loads)
    live = LiveWorker(members, profiles, board, store,
                      Topics(insights=raw_topic(app, TOPIC_INSIGHTS),
                             alerts=raw_topic(app, TOPIC_ALERTS),
                             dead_letters=raw_topic(app, TOPIC_DEADLETTER)),
                      config=config, rules=rules, worker=cfg,
                      gate=RecordGate(settings.secret_key if settings.record_auth == "required"
                                      else None))
    lifecycle = ClassLifecycle(app, live, classes=table("class-lifecycle"),
                               reports=table("class-reports"),
                               control_topic=raw_topic(app, TOPIC_WORKER_CONTROL),
                               reports_topic=raw_topic(app, TOPIC_WORKER_REPORTS),
                               board=board, store=store, partitions=partitions)
    health.watch(app, live, members)

    async def handle(name: str, step: Any, events: list[Any]) -> None:
        """One consumer batch through ``step``; a batch that raises is dead-lettered
        whole (with the error) rather than crash-looping the agent on it."""
        await live.pseudonyms.prepare(e.value for e in events)
        try:
            out = step(events, time.time())
        except Exception as exc:  # noqa: BLE001 - the handlers isolate records first
            log.exception("a batch broke its handler; dead-lettered", agent=name)
            out = Outbox()
            for event in events:
                out.reject(event, f"handling failed: {type(exc).__name__}: {exc}"[:300],
                           "handler_error")
        health.took(name, len(events))
        await guarded(f"{name}.flush", health)(live.flush)(out)

    @app.agent(raw_topic(app, TOPIC_HR_SAMPLES))
    async def heart_rate(stream: Any) -> None:
        async for events in batches(stream, cfg.batch.max_samples):
            await handle("heart_rate", live.take_samples, events)

    @app.agent(raw_topic(app, TOPIC_ROSTER))
    async def roster(stream: Any) -> None:
        async for events in batches(stream, SMALL_BATCH):
            await handle("roster", live.take_roster, events)

    @app.agent(raw_topic(app, TOPIC_FORM_EVENTS))
    async def form_events(stream: Any) -> None:
        async for events in batches(stream, SMALL_BATCH):
            await handle("form", live.take_form, events)

    async def one_by_one(name: str, stream: Any, step: Any) -> None:
        async for event in stream.events():
            try:
                await step(event)
            except Exception as exc:  # noqa: BLE001 - never crash-loop on one record
                log.exception("a record broke its handler; dead-lettered", agent=name)
                await live.dead_letters([(event.message.topic, event.value,
                                          f"handling failed: {type(exc).__name__}: {exc}"[:300],
                                          "handler_error")])
            health.took(name, 1)

    @app.agent(raw_topic(app, TOPIC_CLASS_EVENTS))
    async def class_events(stream: Any) -> None:
        await one_by_one("class_events", stream, lifecycle.on_class_event)

    @app.agent(raw_topic(app, TOPIC_WORKER_CONTROL))
    async def class_control(stream: Any) -> None:
        await one_by_one("class_control", stream, lifecycle.on_control)

    @app.agent(raw_topic(app, TOPIC_WORKER_REPORTS))
    async def class_reports(stream: Any) -> None:
        await one_by_one("class_reports", stream, lifecycle.on_report)

    @app.timer(interval=1.0)
    @guarded("tick", health)
    async def tick() -> None:
        if app.rebalancing:
            return
        info = await board.class_info(live.live_classes())
        if app.rebalancing:  # it may have started while we waited for Redis
            return
        await live.flush(live.tick(time.time(), info))
        await lifecycle.close_after_grace(time.time())

    def owned() -> set[int]:
        return {tp.partition for tp in app.consumer.assignment()
                if tp.topic == TOPIC_HR_SAMPLES}

    @app.on_partitions_revoked.connect
    async def forget_states(sender: Any, *_args: Any, **_: Any) -> None:
        members.drop()
        profiles.drop()

    @app.on_rebalance_complete.connect
    async def restore_states(sender: Any, **_: Any) -> None:
        mine = owned()
        restored = members.rebuild(mine), profiles.rebuild(mine)
        log.info("worker joined its group", worker=instance, partitions=sorted(mine),
                 members_restored=restored[0], profiles_restored=restored[1])
        joined["once"] = True
        health.joined(mine)
        await guarded("mark_ready", health)(board.board.mark_ready)(instance, mine)
        unconfirmed = live.unconfirmed_alerts()
        if unconfirmed:  # raised by a previous owner that did not live to store them
            log.info("re-sending unconfirmed alerts", count=len(unconfirmed))
            await guarded("emit_alerts", health)(live.emit_alerts)(unconfirmed)
        resumed = lifecycle.resume_pending()
        if resumed:
            log.info("summaries not stored before a restart are being stored", count=resumed)

    @app.timer(interval=5.0)
    @guarded("keep_ready", health)
    async def keep_ready() -> None:
        await store.probe()
        if joined["once"] and not app.rebalancing:
            await board.board.mark_ready(instance, members.partitions, health.summary())

    @app.timer(interval=FEATURES_EVERY_S)
    @guarded("features", health)
    async def refresh_features() -> None:
        """An admin's toggle (live alerts, vision per room) reaches the worker within
        FEATURES_EVERY_S, without a restart."""
        live.features = await store.features()

    @app.timer(interval=INTENSITY_EVERY_S)
    @guarded("class_intensity", health)
    async def class_intensity() -> None:
        if not app.rebalancing:
            await lifecycle.check_intensity(time.time())

    @app.task
    async def drain_board() -> None:
        await board.keep_draining()

    watch = StallWatch(cfg.watch.stall_after_s)

    @app.timer(interval=cfg.watch.check_every_s)
    @guarded("watch_partitions", health)
    async def watch_partitions() -> None:
        """Report (and, when Faust left it paused, resume) a heart-rate partition with
        records waiting that this worker is not reading; see streams.partition_watch."""
        if app.rebalancing or app.in_recovery or not joined["once"]:
            watch.reset()
            return
        consumer = app.consumer
        tps = {tp.partition: tp for tp in consumer.assignment() if tp.topic == TOPIC_HR_SAMPLES}
        positions: dict[int, int | None] = {}
        for partition, tp in tps.items():
            try:
                positions[partition] = await asyncio.wait_for(consumer.position(tp), 2.0)
            except Exception:  # noqa: BLE001 - not known now; asked again next time
                positions[partition] = None
        # Only partitions that did not move since the last check can be stalled; asking
        # the broker for end offsets costs a round trip, so moving ones are not asked.
        still = [tps[p] for p in watch.unmoved(positions)]
        ends: dict[Any, int] = {}
        if still:
            try:
                ends = dict(await consumer.highwaters(*still))
            except Exception as exc:  # noqa: BLE001 - broker busy; next check asks again
                log.warning("end offsets unavailable for the partition watch", error=str(exc))
        health.lag({p: (ends.get(tp), positions[p]) for p, tp in tps.items()})
        if app.rebalancing:
            return
        progress = {p: PartitionProgress(position=positions[p], end_offset=ends.get(tp))
                    for p, tp in tps.items()}
        for partition in watch.observe(time.monotonic(), progress):
            tp = tps[partition]
            paused = tp in getattr(consumer, "_paused_partitions", set())
            log.error("partition stalled: records waiting, none read",
                      partition=partition, position=positions[partition],
                      end_offset=ends.get(tp), faust_paused=paused,
                      flow_active=app.flow_control.is_active(),
                      unacked=len(getattr(consumer, "_unacked_messages", ())))
            if paused and cfg.watch.resume_paused:
                consumer.resume_partitions({tp})
                log.warning("stalled partition resumed", partition=partition)

    @app.task
    async def dump_state_on_sigusr1() -> None:
        install_state_dump(app, asyncio.get_running_loop())

    @app.task
    async def alert_writer() -> None:
        await store.run_alert_writer(live.alerts_stored)

    @app.task
    async def insight_writer() -> None:
        await store.run_insight_writer()

    @app.task
    async def health_server() -> None:
        if settings.worker_port is not None:
            await serve_health(health, settings.api_host, settings.worker_port)
