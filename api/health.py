"""Liveness and readiness: /healthz says the process runs, /readyz that it can serve."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text

from api.accounts.dependencies import TrainerPage
from api.deps import RedisDep, SessionDep, SettingsDep
from api.stack import STATUS_FILE
from api.templating import templates
from configs.settings import Settings

router = APIRouter(tags=["health"])
pages = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(db: SessionDep, redis: RedisDep, settings: SettingsDep) -> JSONResponse:
    """200 when the database and Redis answer and at least one stream worker is alive
    and not degraded; 503 naming what is not. ``status`` says ok / degraded; ``stack``
    shows the supervisor's restarts when ``spotter up`` runs this box. A load balancer
    that only needs this API process alive should use /healthz."""
    checks: dict[str, Any] = {}
    try:  # migrated, not merely reachable: a fresh empty file answers SELECT 1 too
        await db.execute(text("SELECT version_num FROM alembic_version"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        await redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    workers = await worker_health(redis) if checks["redis"] == "ok" else {}
    checks["workers"] = len(workers)
    degraded = sorted(w for w, h in workers.items() if h.get("status") == "degraded")
    checks["workers_degraded"] = degraded
    stack = stack_status(settings)
    ok = checks["database"] == "ok" and checks["redis"] == "ok"
    ready = ok and bool(workers) and not degraded
    body: dict[str, Any] = {"ready": ready, "status": "ok" if ready else "degraded",
                            "checks": checks, "worker_health": workers}
    if stack is not None:
        body["stack"] = stack
    return JSONResponse(body, status_code=200 if ready else 503)


async def worker_health(redis: Redis) -> dict[str, dict[str, Any]]:
    """Each live worker's health summary, as it marks itself ready (streams.sink)."""
    found: dict[str, dict[str, Any]] = {}
    async for key in redis.scan_iter("spotter:worker:*:ready"):
        name = key.decode() if isinstance(key, bytes) else key
        raw = await redis.get(name)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            value = {}
        found[name.removeprefix("spotter:worker:").removesuffix(":ready")] = (
            value if isinstance(value, dict) else {})
    return found


def stack_status(settings: Settings) -> dict[str, Any] | None:
    """The ``spotter up`` supervisor's record of its parts (restarts), when it runs."""
    try:
        document = json.loads((settings.data_dir / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


async def redis_answers(redis: Redis) -> bool:
    try:
        return bool(await redis.ping())
    except (RedisError, OSError):
        return False


@pages.get("/status/live", response_class=HTMLResponse)
async def live_status(request: Request, redis: RedisDep, _: TrainerPage) -> HTMLResponse:
    """The 'live data paused' banner (empty while Redis answers). base.html polls it on
    staff pages, so a tablet says why its tiles froze and clears itself on recovery."""
    paused = not await redis_answers(redis)
    return templates.TemplateResponse(request, "_status.html", {"paused": paused})
