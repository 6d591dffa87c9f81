"""The FastAPI application: REST, Server-Sent Events and pages in one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from api import health
from api.accounts.router import router as accounts_router
from api.alerts.router import router as alerts_router
from api.classes.router import router as classes_router
from api.db.session import make_engine, make_sessionmaker
from api.exceptions import LoginRequired, SpotterError
from api.live.hub import LiveHub
from api.live.router import router as live_router
from api.pages.admin import router as admin_pages_router
from api.pages.auth import router as auth_pages_router
from api.pages.member import router as member_pages_router
from api.pages.router import router as pages_router
from api.plans.router import router as plans_router
from api.schedules.router import router as schedules_router
from api.summaries.router import router as summaries_router
from api.templating import STATIC_DIR
from configs.settings import Settings, get_settings

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secrets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.resolved_database_url())
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.redis = Redis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0")
        app.state.hub = LiveHub(app.state.redis)
        app.state.hub.start()
        try:
            yield
        finally:
            await app.state.hub.stop()
            await app.state.redis.aclose()
            await engine.dispose()

    app = FastAPI(title="Spotter", version="0.1.0", lifespan=lifespan,
                  description="Live class insights, workout plans and timetables for trainers.")
    app.state.settings = settings

    @app.exception_handler(SpotterError)
    async def domain_error(request: Request, exc: SpotterError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    app.include_router(health.router)
    app.include_router(accounts_router)
    app.include_router(classes_router)
    app.include_router(live_router)
    app.include_router(alerts_router)
    app.include_router(summaries_router)
    app.include_router(plans_router)
    app.include_router(schedules_router)
    app.include_router(auth_pages_router)
    app.include_router(pages_router)
    app.include_router(member_pages_router)
    app.include_router(admin_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
