"""The edge box's local status: JSON at ``/status``, Prometheus at ``/metrics``.

Both are rendered from one snapshot (:func:`status_snapshot`, plain data) taken when
asked, so the numbers cannot disagree and nothing is counted twice. ``POST /end-class``
lets ``spotter edge end-class`` on the same box end the class through the running agent:
the end event then queues behind every sample the agent still holds, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import structlog
import uvicorn
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from edge.agent import EdgeAgent
from edge.cameras import CameraSet
from edge.forwarder import StoreAndForward
from ingest.pairing import normalize_strap_id

log = structlog.get_logger(__name__)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def status_snapshot(agent: EdgeAgent, forwarder: StoreAndForward,
                    cameras: CameraSet | None = None) -> dict[str, Any]:
    """Everything an operator asks about the box, as JSON-ready plain data."""
    now = time.time()
    source = agent.source
    statuses = {normalize_strap_id(k): v for k, v in source.statuses().items()}
    counters = getattr(source, "counters", {})  # BLE sources count per strap
    straps = []
    for entry in agent.straps.roster.entries():
        status = statuses.get(entry.strap_id)
        last = agent.last_reading.get(entry.strap_id)
        straps.append({
            "strap_id": entry.strap_id, "member_id": entry.member_id,
            "state": status.state.value if status else "not heard",
            "last_reading_age_s": None if last is None else round(now - last, 3),
            "last_seq": agent.sequences.get(entry.strap_id),
            "battery_pct": status.battery_pct if status else None,
        })
    paired = agent.straps.roster.strap_ids()
    unknown = sorted(set(agent.straps.unknown) | (set(statuses) - paired))
    buffer = forwarder.buffer
    quantiles = forwarder.latency_quantiles()
    return {
        "class_session_id": agent.class_session_id,
        "class_ended": agent.ended,
        "broker": {"up": forwarder.broker_up, "last_error": forwarder.last_error},
        "buffer": {"disk_records": buffer.depth, "disk_bytes": buffer.payload_bytes,
                   "max_bytes": buffer.max_bytes, "memory_records": forwarder.memory_depth,
                   "path": str(buffer.path)},
        "publish": {"lag_s": round(forwarder.lag_s(now), 3),
                    "latency_p50_s": quantiles["p50"], "latency_p99_s": quantiles["p99"]},
        "counts": {
            "samples_published": agent.published,
            "records_acknowledged": forwarder.counters.published,
            "records_buffered": buffer.counters.written,
            "records_replayed": buffer.counters.replayed,
            "records_evicted": buffer.counters.evicted,
            "failed_windows": forwarder.counters.failed_windows,
            "malformed_packets": sum(c.malformed for c in counters.values()),
            "dropped_readings": int(getattr(source, "dropped_readings", 0)),
            "unknown_strap_readings": sum(agent.straps.unknown.values()),
        },
        "straps": straps,
        "unknown_straps": unknown,
        "cameras": [] if cameras is None else cameras.status(),
        "form_events": 0 if cameras is None else cameras.form_events,
    }


class EdgeCollector(Collector):
    """Prometheus view of :func:`status_snapshot`, computed at scrape time."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self._snapshot()
        counts = s["counts"]
        for name, key, doc in [
            ("published", "records_acknowledged", "records the broker acknowledged"),
            ("buffered", "records_buffered", "records written to the disk buffer"),
            ("replayed", "records_replayed", "records delivered from the disk buffer"),
            ("evicted", "records_evicted", "samples evicted from a full disk buffer"),
            ("malformed_packets", "malformed_packets", "strap packets that did not parse"),
            ("unknown_strap_readings", "unknown_strap_readings",
             "readings from straps not paired to a member"),
        ]:
            yield CounterMetricFamily(f"spotter_edge_{name}", doc, value=counts[key])
        gauges = [
            ("buffer_depth", "records waiting on disk", s["buffer"]["disk_records"]),
            ("buffer_bytes", "payload bytes waiting on disk", s["buffer"]["disk_bytes"]),
            ("memory_queue", "records waiting in memory", s["buffer"]["memory_records"]),
            ("publish_lag_seconds", "age of the oldest record not yet acknowledged",
             s["publish"]["lag_s"]),
            ("broker_up", "1 while the broker acknowledges", int(s["broker"]["up"])),
            ("unknown_straps", "straps heard that are not paired", len(s["unknown_straps"])),
        ]
        for name, doc, value in gauges:
            yield GaugeMetricFamily(f"spotter_edge_{name}", doc, value=value)
        yield from _camera_metrics(s["cameras"])
        latency = GaugeMetricFamily("spotter_edge_publish_latency_seconds",
                                    "arrival-to-acknowledgement time of recent records",
                                    labels=["quantile"])
        for q, key in (("0.5", "latency_p50_s"), ("0.99", "latency_p99_s")):
            if s["publish"][key] is not None:
                latency.add_metric([q], s["publish"][key])
        yield latency
        states = GaugeMetricFamily("spotter_edge_strap_up", "1 while the strap streams",
                                   labels=["strap", "member", "state"])
        for strap in s["straps"]:
            states.add_metric([strap["strap_id"], strap["member_id"], strap["state"]],
                              1.0 if strap["state"] in ("streaming", "advertising") else 0.0)
        yield states


def _camera_metrics(cameras: list[dict[str, Any]]) -> Iterator[Metric]:
    up = GaugeMetricFamily("spotter_edge_camera_up", "1 while the camera delivers frames",
                           labels=["camera", "state"])
    fps = GaugeMetricFamily("spotter_edge_station_fps", "pose frames per second achieved",
                            labels=["camera", "station"])
    for camera in cameras:
        up.add_metric([camera["camera_id"], camera["state"]],
                      1.0 if camera["state"] == "streaming" else 0.0)
        for station in camera["stations"]:
            fps.add_metric([camera["camera_id"], station["station_id"]], station["fps"])
    yield up
    yield fps


def status_app(snapshot: Callable[[], dict[str, Any]],
               end_class: Callable[[], Awaitable[None]], token: str | None,
               extra: list[Any] | None = None) -> Starlette:
    """``extra``: more routes on the same port (the station page, when there are cameras)."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(EdgeCollector(snapshot))

    async def status(_request: Request) -> JSONResponse:
        return JSONResponse(snapshot())

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=PROMETHEUS_TEXT)

    async def end(request: Request) -> JSONResponse:
        if token and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"detail": "send the edge device token as a bearer token"},
                                status_code=401)
        await end_class()
        return JSONResponse({"detail": "class end queued behind the samples held"})

    return Starlette(routes=[Route("/status", status), Route("/metrics", metrics),
                             Route("/end-class", end, methods=["POST"]), *(extra or [])])


class _QuietServer(uvicorn.Server):
    """uvicorn inside the agent's loop: the agent handles signals, not uvicorn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class StatusServer:
    port: int
    _server: uvicorn.Server
    _task: asyncio.Task[None]

    async def stop(self) -> None:
        self._server.should_exit = True
        try:
            async with asyncio.timeout(5):
                await self._task
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()


async def serve_status(app: Starlette, host: str, port: int) -> StatusServer | None:
    """Serve ``app`` on ``host:port`` (0: any free port); None, logged, if it cannot bind.
    A taken port must not stop an edge box from forwarding heart rate."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        log.warning("status_endpoint_unavailable", host=host, port=port, error=str(exc),
                    advice="set SPOTTER_EDGE_HEALTH_PORT to a free port (0 picks one)")
        return None
    bound = int(sock.getsockname()[1])
    server = _QuietServer(uvicorn.Config(app, log_config=None, access_log=False,
                                         log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="edge-status")
    log.info("status_endpoint", url=f"http://{host}:{bound}/status")
    return StatusServer(bound, server, task)
