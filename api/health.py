"""Liveness and readiness: /healthz says the process runs, /readyz that it can serve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text

from api.accounts.dependencies import TrainerPage
from api.deps import RedisDep, SessionDep
from api.templating import templates

router = APIRouter(tags=["health"])
pages = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(db: SessionDep, redis: RedisDep) -> JSONResponse:
    """200 when the database and Redis answer; 503 naming what does not."""
    checks: dict[str, Any] = {}
    try:
        await db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        await redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    workers = [k async for k in redis.scan_iter("spotter:worker:*:ready")] \
        if checks["redis"] == "ok" else []
    checks["workers"] = len(workers)
    ready = checks["database"] == "ok" and checks["redis"] == "ok"
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


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
