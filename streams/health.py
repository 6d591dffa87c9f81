"""The worker's health, readiness and Prometheus metrics, served on its own port.

The worker is a consumer, not a web app, so it answers three small HTTP paths on
``SPOTTER_WORKER_PORT`` (aiohttp, which Faust already brings):

* ``/healthz``: the process runs its loop (200), with each component's state;
* ``/readyz``: 200 once it joined its consumer group and every dependency answers;
  503 with ``"status": "degraded"`` while Redis or the database is away (the worker keeps
  consuming: see streams.board_backlog and streams.store) or before it joined;
* ``/metrics``: records per agent, batch sizes, consumer lag per partition, dead letters
  by reason, state sizes, outage state and backlog, in Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

log = structlog.get_logger(__name__)
BATCH_BUCKETS = (1, 5, 10, 50, 100, 250, 500, 1000, 5000)


@dataclass
class ComponentHealth:
    """One dependency as the worker sees it: ok, or degraded since when and why."""

    degraded_since: float | None = None
    last_error: str | None = None
    backlog: int = 0
    outages: int = 0
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return self.degraded_since is None

    def degrade(self, exc: BaseException) -> bool:
        """Mark degraded; True when this starts a new outage."""
        self.last_error = f"{type(exc).__name__}: {exc}"[:200]
        if self.degraded_since is None:
            self.degraded_since = time.time()
            self.outages += 1
            return True
        return False

    def recover(self) -> float | None:
        """Mark ok; the outage's length when one just ended."""
        since, self.degraded_since, self.last_error = self.degraded_since, None, None
        return None if since is None else time.time() - since

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "degraded", "since": self.degraded_since,
                "error": self.last_error, "backlog": self.backlog, "outages": self.outages,
                "dropped": self.dropped}


@dataclass
class WorkerHealth:
    instance: str
    board: ComponentHealth
    store: ComponentHealth
    started_at: float = field(default_factory=time.time)
    partitions: set[int] = field(default_factory=set)
    has_joined: bool = False
    steps: dict[str, str] = field(default_factory=dict)  # step -> last error (failing only)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    _sources: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        r = self.registry
        self.records = Counter("spotter_worker_records", "Records taken, by agent",
                               ["agent"], registry=r)
        self.batches = Histogram("spotter_worker_batch_size", "Records per consumer batch",
                                 ["agent"], buckets=BATCH_BUCKETS, registry=r)
        self.lag_gauge = Gauge("spotter_worker_consumer_lag",
                               "Records waiting on the broker, per heart-rate partition",
                               ["partition"], registry=r)
        self.dead = Gauge("spotter_worker_dead_letters",
                          "Records dead-lettered since start, by reason", ["reason"],
                          registry=r)
        self.dropped = Gauge("spotter_worker_dropped",
                             "Records dropped by an admin toggle or roster check, by reason",
                             ["reason"], registry=r)
        self.state = Gauge("spotter_worker_state_entries", "Entries held in memory, by table",
                           ["table"], registry=r)
        self.degraded = Gauge("spotter_worker_dependency_degraded",
                              "1 while a dependency is unreachable", ["dependency"], registry=r)
        self.backlog = Gauge("spotter_worker_board_backlog",
                             "Live-board writes waiting for Redis", registry=r)
        self.step_failures = Counter("spotter_worker_step_failures",
                                     "Timer or handler steps that raised, by step", ["step"],
                                     registry=r)

    # -- what the worker reports -------------------------------------------------------

    def watch(self, app: Any, live: Any, members: Any) -> None:
        self._sources = {"app": app, "live": live, "members": members}

    def joined(self, partitions: set[int]) -> None:
        self.has_joined, self.partitions = True, set(partitions)

    def took(self, agent: str, count: int) -> None:
        self.records.labels(agent).inc(count)
        self.batches.labels(agent).observe(count)

    def lag(self, offsets: dict[int, tuple[int | None, int | None]]) -> None:
        for partition, (end, position) in offsets.items():
            if end is not None and position is not None:
                self.lag_gauge.labels(str(partition)).set(max(end - position, 0))

    def failed(self, step: str, exc: BaseException) -> None:
        self.steps[step] = f"{type(exc).__name__}: {exc}"[:200]
        self.step_failures.labels(step).inc()

    def succeeded(self, step: str) -> None:
        self.steps.pop(step, None)

    # -- what it answers ---------------------------------------------------------------

    def status(self) -> str:
        if not (self.board.ok and self.store.ok):
            return "degraded"
        return "ok" if self.has_joined else "starting"

    def summary(self) -> dict[str, Any]:
        return {"status": self.status(), "redis": self.board.as_dict(),
                "database": self.store.as_dict(), "partitions": sorted(self.partitions),
                "failing_steps": dict(self.steps)}

    def refresh(self) -> None:
        """Gauges read from the worker's objects just before a scrape."""
        live, members = self._sources.get("live"), self._sources.get("members")
        if live is not None:
            for reason, count in live.dead_lettered.items():
                self.dead.labels(reason).set(count)
            for reason, count in live.ignored.items():
                self.dropped.labels(reason).set(count)
            self.state.labels("member_state").set(sum(1 for _ in live.members.items()))
            self.state.labels("member_profiles").set(sum(1 for _ in live.profiles.items()))
        elif members is not None:
            self.state.labels("member_state").set(sum(1 for _ in members.items()))
        self.degraded.labels("redis").set(0 if self.board.ok else 1)
        self.degraded.labels("database").set(0 if self.store.ok else 1)
        self.backlog.set(self.board.backlog)

    def metrics(self) -> bytes:
        self.refresh()
        return generate_latest(self.registry)


def health_app(health: WorkerHealth) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"alive": True, "instance": health.instance,
                                  **health.summary()})

    async def readyz(_: web.Request) -> web.Response:
        status = health.status()
        return web.json_response({"ready": status == "ok", **health.summary()},
                                 status=200 if status == "ok" else 503)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=health.metrics(),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


async def serve_health(health: WorkerHealth, host: str, port: int) -> None:
    """Serve until cancelled (the worker stops its tasks on shutdown)."""
    runner = web.AppRunner(health_app(health), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("worker health and metrics served", url=f"http://{host}:{port}/metrics")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
