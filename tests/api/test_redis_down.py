"""When parts fail: a real Redis is stopped and restarted under a running API, and the
database is made unreachable. Live data pauses with a reason and recovers by itself;
everything else keeps working; no stack trace ever reaches a client.

The Redis here is our own ``redis-server`` on a free port: the shared 127.0.0.1:6379 is
never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import structlog
from fastapi import routing
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from api.exceptions import NotFoundError
from api.main import create_app
from configs.settings import Settings
from db.accounts import User

pytestmark = pytest.mark.timeout(120)


def bearer(database_url: str, email: str) -> dict[str, str]:
    engine = create_engine(database_url)
    with Session(engine) as db:
        user_id = db.scalar(select(User.id).where(User.email == email))
    engine.dispose()
    token = create_token(database_url, "failure test", kind="user", user_id=user_id)
    return {"Authorization": f"Bearer {token}"}


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def other_domain_reads(app: object) -> list[str]:
    """GET routes of plans and schedules without path parameters (whatever exists)."""
    return sorted({ctx.path for ctx in routing.iter_route_contexts(app.routes)  # type: ignore[attr-defined]
                   if ctx.path and ctx.path.startswith(("/api/plans", "/api/schedules"))
                   and "{" not in ctx.path and "GET" in (ctx.methods or set())})


def test_redis_outage_pauses_live_data_and_recovers(api_world, own_redis: Any,
                                                    tmp_path: Path) -> None:
    settings = Settings(database_url=api_world.database_url, redis_url=own_redis.url,
                        data_dir=tmp_path)
    trainer = bearer(api_world.database_url, "trainer@demo.spotter")
    admin = bearer(api_world.database_url, "admin@demo.spotter")
    app = create_app(settings)
    with TestClient(app, client=("10.9.8.7", 5000)) as client:
        board = "/api/classes/demo-class/board"
        assert client.get(board, headers=trainer).status_code == 200
        assert "Live data paused" not in client.get("/status/live", headers=trainer).text
        assert eventually(app.state.hub.connected.is_set)

        own_redis.stop()
        down = client.get(board, headers=trainer)
        assert down.status_code == 503
        assert "live data paused" in down.json()["detail"] and "Redis" in down.json()["detail"]
        assert "Live data paused" in client.get("/status/live", headers=trainer).text
        page = client.get("/trainer", headers={**trainer, "accept": "text/html"})
        assert page.status_code == 200  # the page still renders; the banner explains
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "unavailable" in ready.json()["checks"]["redis"]
        for path in ["/api/classes", "/api/me", "/api/notifications",
                     *other_domain_reads(app)]:
            answer = client.get(path, headers=trainer)
            assert answer.status_code < 500, (path, answer.status_code, answer.text[:200])
        assert client.get("/api/admin/settings", headers=admin).status_code == 200
        login = client.post("/api/auth/token", json={"email": "ava@demo.spotter",
                                                     "password": "demo-member-pass"})
        assert login.status_code == 200  # throttling falls back to a local counter

        own_redis.start()  # same port: the API must find it again by itself
        assert eventually(lambda: client.get(board, headers=trainer).status_code == 200)
        assert eventually(lambda: "Live data paused" not in client.get(
            "/status/live", headers=trainer).text)
        ready = client.get("/readyz").json()
        assert ready["checks"]["redis"] == "ok" and ready["checks"]["database"] == "ok"
        # no stream worker runs in this test: the API says so instead of "ready"
        assert ready["checks"]["workers"] == 0 and ready["status"] == "degraded"
        assert eventually(app.state.hub.connected.is_set)


def test_an_unreachable_database_answers_503_without_a_trace(tmp_path: Path,
                                                             redis_server_url: str) -> None:
    missing = tmp_path / "no-such-dir" / "spotter.db"
    app = create_app(Settings(database_url=f"sqlite:///{missing}", redis_url=redis_server_url,
                              data_dir=tmp_path))
    with TestClient(app) as client:
        api = client.get("/api/me", headers={"Authorization": "Bearer whatever"})
        assert api.status_code == 503
        body = api.json()
        assert body["detail"].startswith("The database is unavailable")
        assert body["request_id"] == api.headers["x-request-id"]
        page = client.get("/trainer", headers={"accept": "text/html"},
                          cookies={"spotter_session": "x"})
        assert page.status_code == 503 and "Temporarily unavailable" in page.text
        for text in (api.text, page.text):
            assert "Traceback" not in text and "sqlite" not in text.lower()
        assert client.get("/readyz").json()["checks"]["database"].startswith("unavailable")


def test_an_unexpected_error_is_a_generic_500_with_a_request_id(api_world) -> None:
    app = api_world.client.app

    @app.get("/api/test-boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    client = TestClient(app, raise_server_exceptions=False)
    with structlog.testing.capture_logs() as logs:
        response = client.get("/api/test-boom", headers={"x-request-id": "req-123"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged.",
                               "request_id": "req-123"}
    assert "hunter2" not in response.text
    logged = [e for e in logs if e.get("event") == "unhandled error"]
    assert logged and logged[0]["request_id"] == "req-123"
    assert logged[0]["error"] == "RuntimeError"
    html = client.get("/api/test-boom", headers={"accept": "text/html"})
    assert "hunter2" not in html.text and "Traceback" not in html.text


def test_a_domain_error_inside_a_task_group_keeps_its_status(api_world) -> None:
    app = api_world.client.app

    @app.get("/api/test-grouped", include_in_schema=False)
    async def grouped() -> None:
        raise ExceptionGroup("producer", [NotFoundError("no class 'x'")])

    response = TestClient(app, raise_server_exceptions=False).get("/api/test-grouped")
    assert response.status_code == 404 and response.json() == {"detail": "no class 'x'"}
