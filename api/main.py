"""The FastAPI application: REST, Server-Sent Events and pages in one process."""

from __future__ import annotations

import asyncio
import contextlib
import re
import traceback
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import sqladmin
import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import health
from api.accounts.router import router as accounts_router
from api.admin.database import TEMPLATES_DIR as ADMIN_TEMPLATES_DIR
from api.admin.database import mount_database_admin
from api.admin.router import router as admin_router
from api.alerts.router import router as alerts_router
from api.choices.pages import router as consent_pages
from api.choices.router import router as consent_router
from api.classes.router import router as classes_router
from api.display.pages import router as display_pages_router
from api.display.router import router as display_router
from api.exceptions import LoginRequired, SpotterError
from api.exercises.pages import router as exercises_pages_router
from api.exercises.router import router as exercises_router
from api.feedback.pages import router as feedback_pages_router
from api.feedback.router import router as feedback_router
from api.live.hub import LiveHub
from api.live.router import router as live_router
from api.live.suggestion_routes import pages as suggestion_pages
from api.live.suggestion_routes import router as suggestions_router
from api.live.suggestions import SuggestionService
from api.members.pages import pages as member_fragments
from api.members.router import router as members_router
from api.metrics import ApiMetrics, MetricsMiddleware
from api.metrics import router as metrics_router
from api.notifications.router import pages as notification_pages
from api.notifications.router import router as notifications_router
from api.notifications.webhook import WebhookSettings, run_sender
from api.pages.admin import router as admin_pages_router
from api.pages.auth import router as auth_pages_router
from api.pages.member import router as member_pages_router
from api.pages.plans import router as plans_pages_router
from api.pages.router import router as pages_router
from api.plans.router import router as plans_router
from api.privacy.access_routes import pages as access_log_pages
from api.privacy.access_routes import router as access_log_router
from api.privacy.export_routes import pages as privacy_pages
from api.privacy.export_routes import router as privacy_router
from api.rooms.router import router as rooms_router
from api.schedules.calendar_pages import router as schedules_calendar_pages
from api.schedules.calendar_router import router as schedules_calendar_router
from api.schedules.pages import router as schedules_pages_router
from api.schedules.router import router as schedules_router
from api.security.datafiles import secure_sqlite_file
from api.security.headers import SecurityHeadersMiddleware, content_security_policy
from api.security.json_guard import StrictJsonMiddleware, json_safe
from api.summaries.router import router as summaries_router
from api.templating import STATIC_DIR, TEMPLATES_DIR, templates
from configs.settings import Settings, get_settings
from db.session import make_engine, make_sessionmaker

log = structlog.get_logger(__name__)
# Templates whose inline scripts the pages' Content-Security-Policy allows by hash.
CSP_TEMPLATE_DIRS = (TEMPLATES_DIR, ADMIN_TEMPLATES_DIR,
                     Path(sqladmin.__file__).resolve().parent / "templates")
REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Redis on the studio LAN answers in milliseconds; two seconds to connect means it is gone,
# and a live page should say so instead of hanging.
REDIS_CONNECT_TIMEOUT_S = 2.0


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming one), bind it to the logs, and
    return it in ``X-Request-ID`` so a user's error page can be matched to the log line.
    Pure ASGI (not BaseHTTPMiddleware) so Server-Sent Events stream untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode(
            "latin-1")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not any(k.lower() == REQUEST_ID_HEADER.encode() for k, _ in headers):
                    headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self.app(scope, receive, send_with_id)


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def trace_of(exc: BaseException) -> str:
    """The traceback as one string field: cheap to render, and it stays in the log (a
    pretty console traceback with locals took seconds per error on a small box)."""
    return "".join(traceback.format_exception(exc))[-8000:]


def wants_html(request: Request) -> bool:
    """A browser page request (not the JSON API)."""
    return (not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", ""))


def error_page(request: Request, status: int, message: str) -> Response:
    context = {"title": f"Error {status}", "status": status, "message": message,
               "request_id": request_id_of(request), "fragment":
               request.headers.get("hx-request") == "true"}
    return templates.TemplateResponse(request, "errors.html", context, status_code=status,
                                      headers={REQUEST_ID_HEADER: request_id_of(request)})


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:  # type: ignore[type-arg]
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


def install_error_handlers(app: FastAPI) -> None:
    """Map errors to HTTP once. Nothing internal (trace, SQL) ever reaches a client: the
    response carries the request id, the log carries the details."""

    @app.exception_handler(SpotterError)
    async def domain_error(request: Request, exc: SpotterError) -> Response:
        if wants_html(request):
            return error_page(request, exc.status_code, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """FastAPI's 422 (each problem with its location) for the API; for a browser form
        the same problems as readable lines on an error page."""
        if wants_html(request):
            lines = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'form'}: "
                              f"{e.get('msg', 'invalid')}" for e in exc.errors())
            return error_page(request, 422, f"Please check the form — {lines}")
        # json_safe: an echoed NaN or Infinity must not turn the 422 into a 500.
        return JSONResponse({"detail": json_safe(jsonable_encoder(exc.errors()))},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request) and exc.status_code >= 400:
            return error_page(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    async def unavailable_database(request: Request, exc: Exception) -> Response:
        log.error("database unavailable", path=request.url.path, error=type(exc).__name__,
                  request_id=request_id_of(request), trace=trace_of(exc))
        message = "The database is unavailable; try again in a moment."
        if wants_html(request):
            return error_page(request, 503, message)
        return JSONResponse({"detail": message, "request_id": request_id_of(request)},
                            status_code=503, headers={"retry-after": "5",
                                                      REQUEST_ID_HEADER: request_id_of(request)})

    app.add_exception_handler(OperationalError, unavailable_database)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return await unavailable_database(request, exc)
        return await internal_error(request, exc)

    @app.exception_handler(ExceptionGroup)
    async def grouped_error(request: Request, group: ExceptionGroup) -> Response:  # type: ignore[type-arg]
        """A task group (e.g. an SSE producer) wraps a domain error raised before the
        first byte: answer it as the domain error it is, not as a 500."""
        leaves = _leaves(group)
        if leaves and isinstance(leaves[0], LoginRequired):
            return await login_required(request, leaves[0])
        if leaves and all(isinstance(e, SpotterError) for e in leaves):
            return await domain_error(request, leaves[0])  # type: ignore[arg-type]
        return await internal_error(request, group)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", path=request.url.path, method=request.method,
                  error=type(exc).__name__, request_id=request_id_of(request),
                  trace=trace_of(exc))
        message = "Something went wrong on our side; it has been logged."
        if wants_html(request):
            return error_page(request, 500, message)
        return JSONResponse({"detail": message, "request_id": request_id_of(request)},
                            status_code=500, headers={REQUEST_ID_HEADER: request_id_of(request)})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secrets()
    secure_sqlite_file(settings.resolved_database_url())  # 0600, before anything opens it
    webhook = WebhookSettings()
    # Built now (no connection is made) so SQLAdmin can be mounted with the sessionmaker.
    engine = make_engine(settings.resolved_database_url())
    sessions = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.redis = Redis.from_url(settings.redis_url or "redis://127.0.0.1:6379/0",
                                         socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S)
        app.state.hub = LiveHub(app.state.redis)
        app.state.hub.start()
        app.state.suggestions = SuggestionService(app.state.redis, sessions)
        app.state.suggestions.start()  # its own subscription: it cannot stall the board
        stop_sender = asyncio.Event()
        sender = (asyncio.create_task(run_sender(sessions, webhook, stop_sender),
                                      name="webhook-sender") if webhook.url else None)
        try:
            yield
        finally:
            stop_sender.set()
            if sender is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sender, timeout=webhook.timeout_s + 1)
            await app.state.suggestions.stop()
            await app.state.hub.stop()
            await app.state.redis.aclose()
            await engine.dispose()

    app = FastAPI(title="Spotter", version="0.1.0", lifespan=lifespan,
                  description="Live class insights, workout plans and timetables for trainers.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessions
    install_error_handlers(app)

    app.include_router(health.router)
    app.include_router(metrics_router)
    app.include_router(health.pages)
    app.include_router(accounts_router)
    app.include_router(admin_router)
    app.include_router(notifications_router)
    app.include_router(classes_router)
    app.include_router(rooms_router)
    app.include_router(live_router)
    app.include_router(alerts_router)
    app.include_router(suggestions_router)
    app.include_router(summaries_router)
    app.include_router(display_router)
    app.include_router(plans_router)
    app.include_router(exercises_router)
    app.include_router(privacy_router)
    app.include_router(members_router)
    app.include_router(access_log_router)
    app.include_router(consent_router)
    app.include_router(schedules_calendar_router)
    app.include_router(schedules_router)
    app.include_router(feedback_router)
    app.include_router(auth_pages_router)
    app.include_router(notification_pages)
    app.include_router(pages_router)
    app.include_router(display_pages_router)
    app.include_router(schedules_calendar_pages)
    app.include_router(schedules_pages_router)
    app.include_router(feedback_pages_router)
    app.include_router(member_pages_router)
    app.include_router(member_fragments)
    app.include_router(consent_pages)
    app.include_router(suggestion_pages)
    app.include_router(plans_pages_router)
    app.include_router(exercises_pages_router)
    app.include_router(admin_pages_router)
    app.include_router(privacy_pages)
    app.include_router(access_log_pages)
    mount_database_admin(app, lambda: app.state.sessionmaker)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(StrictJsonMiddleware)  # NaN/Infinity/out-of-range numbers: 422
    app.add_middleware(RequestIdMiddleware)
    app.state.metrics = ApiMetrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(SecurityHeadersMiddleware,  # outermost: every response, errors too
                       policy=content_security_policy(CSP_TEMPLATE_DIRS))
    return app
