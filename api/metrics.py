"""``/metrics`` for the API in Prometheus' text format.

Requests are counted by route *template* (``/api/classes/{class_session_id}/board``, not
each class id: bounded label values, no member ids in a metrics store) and status; a
latency histogram per route; and the live pages' open Server-Sent Event streams. A pure
ASGI middleware, so SSE responses stream through untouched.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Page renders and JSON reads take milliseconds; SSE streams last a class and are left
# out of the histogram (their "latency" is their lifetime).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

router = APIRouter(tags=["health"])


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("spotter_api_requests", "Requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("spotter_api_request_seconds",
                                 "Time to the end of the response, by route",
                                 ["method", "route"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.sse_clients = Gauge("spotter_api_sse_clients",
                                 "Open live streams (Server-Sent Events)",
                                 registry=self.registry)

    def render(self, hub: Any) -> bytes:
        self.sse_clients.set(hub.client_count() if hub is not None else 0)
        return generate_latest(self.registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, streaming = time.perf_counter(), 500, False

        async def record(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers") or [])
                streaming = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, route, str(status)).inc()
            if not streaming:
                self.metrics.latency.labels(method, route).observe(
                    time.perf_counter() - started)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus scrape endpoint: counts and timings only, no member data."""
    state = request.app.state
    return Response(state.metrics.render(getattr(state, "hub", None)),
                    media_type=CONTENT_TYPE_LATEST)
