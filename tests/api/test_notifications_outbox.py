"""Notifications: notify() writes the outbox in the caller's transaction, people see their
own in-app, and the webhook sender delivers to a real local HTTP server with bounded
retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from api.accounts.security import token_digest
from api.main import create_app
from api.notifications.webhook import WebhookSettings, deliver_round
from configs.settings import Settings
from db.accounts import AuthSession
from db.notify import UnknownEvent, notify, notify_member, notify_trainer
from db.platform import OutboxMessage
from db.session import make_engine, make_sessionmaker


@dataclass
class Receiver:
    """A real HTTP server in a thread; answers the scripted statuses, then 200."""

    script: list[int] = field(default_factory=list)
    seen: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def database_url(tmp_path: Path, seeded_database) -> str:
    template, _demo = seeded_database
    shutil.copyfile(template, tmp_path / "n.db")
    return f"sqlite:///{tmp_path / 'n.db'}"


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


def queue(database_url: str, count: int = 1) -> list[str]:
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        rows = [notify(db, "class.summary_ready", None, {"class_session_id": f"c{i}"})
                for i in range(count)]
        db.flush()
        ids = [r.id for r in rows]
    engine.dispose()
    return ids


def outbox(database_url: str) -> dict[str, OutboxMessage]:
    engine = create_engine(database_url)
    with Session(engine) as db:
        rows = {r.id: r for r in db.scalars(select(OutboxMessage))}
        db.expunge_all()
    engine.dispose()
    return rows


def settings(url: str, **extra: object) -> WebhookSettings:
    return WebhookSettings(url=url, secret="s3cret", tries_per_round=3, max_attempts=6,
                           backoff_s=0.01, timeout_s=2, **extra)


def test_unknown_events_are_a_programming_error() -> None:
    with pytest.raises(UnknownEvent, match="plan.approved"):
        notify(None, "plan.aproved", "u", {})  # type: ignore[arg-type]


async def test_a_failing_then_succeeding_receiver_gets_it_once_signed(
        receiver: Receiver, sessions, database_url: str) -> None:
    [message_id] = queue(database_url)
    receiver.script = [503, 500]
    async with httpx.AsyncClient() as client:
        result = await deliver_round(sessions, settings(receiver.url), client)
    assert (result.delivered, result.failed) == (1, 0)
    row = outbox(database_url)[message_id]
    assert row.delivered_at is not None and row.attempts == 3 and row.last_error is None
    assert [h["x-spotter-delivery"] for h, _ in receiver.seen] == [message_id] * 3
    headers, body = receiver.seen[-1]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-spotter-signature"] == expected
    assert json.loads(body)["event"] == "class.summary_ready"
    async with httpx.AsyncClient() as client:  # delivered rows are not sent again
        again = await deliver_round(sessions, settings(receiver.url), client)
    assert (again.delivered, again.failed) == (0, 0)


async def test_a_dead_receiver_is_retried_a_bounded_number_of_times(
        receiver: Receiver, sessions, database_url: str) -> None:
    [message_id] = queue(database_url)
    receiver.script = [500] * 100
    async with httpx.AsyncClient() as client:
        for _ in range(4):
            await deliver_round(sessions, settings(receiver.url), client)
    row = outbox(database_url)[message_id]
    assert row.delivered_at is None and row.attempts == 6
    assert row.last_error == "DeliveryFailed: HTTP 500"
    assert len(receiver.seen) == 6  # two rounds of three, then left alone


async def test_an_unreachable_receiver_is_caught_up_when_it_starts(
        sessions, database_url: str) -> None:
    ids = queue(database_url, count=2)
    down = Receiver().start()
    port = down.server.server_address[1]  # type: ignore[union-attr]
    down.stop()  # nothing listens on the port now
    url = f"http://127.0.0.1:{port}/hook"
    async with httpx.AsyncClient() as client:
        first = await deliver_round(sessions, settings(url), client)
        assert first.failed == 2
        assert "ConnectError" in (outbox(database_url)[ids[0]].last_error or "")
        up = Receiver().start(port)
        try:
            second = await deliver_round(sessions, settings(url), client)
        finally:
            up.stop()
    assert second.delivered == 2 and len(up.seen) == 2


def test_people_see_only_their_own_notifications(api_world) -> None:
    client = api_world.client
    engine = make_engine(api_world.database_url)

    async def announce() -> None:
        async with make_sessionmaker(engine)() as db:
            await notify_member(db, "plan.approved", "demo-member-01",
                                {"plan_id": "p1", "url": "/member/plans/p1"})
            await notify_trainer(db, "plan.ready_for_review", "demo-trainer",
                                 {"plan_id": "p1", "url": "//evil.example/x",
                                  "title": "Ava's plan needs review"})
            await db.commit()
        await engine.dispose()

    asyncio.run(announce())
    member, trainer = api_world.auth("member"), api_world.auth("trainer")
    mine = client.get("/api/notifications", headers=member).json()
    assert [(n["event"], n["url"]) for n in mine] == [("plan.approved", "/member/plans/p1")]
    theirs = client.get("/api/notifications", headers=trainer).json()
    assert theirs[0]["title"] == "Ava's plan needs review"
    assert theirs[0]["url"] is None  # off-site links are dropped
    assert client.post(f"/api/notifications/{theirs[0]['id']}/read",
                       headers=member).status_code == 404
    assert client.get("/api/notifications", headers=api_world.auth("device")).status_code == 403
    read = client.post(f"/api/notifications/{mine[0]['id']}/read", headers=member)
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/notifications?unread=true", headers=member).json() == []
    assert client.post("/api/notifications/read-all", headers=trainer).json() == {"marked": 1}


def test_the_bell_counts_and_the_panel_marks_read(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["member"]
    client.post("/login", data={"email": email, "password": password})
    user_id = client.get("/api/me").json()["user_id"]
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        notify(db, "plan.approved", user_id, {"url": "/member"})
        notify(db, "class.summary_ready", user_id, {})
        # what base.html puts in hx-headers for this browser session
        csrf = db.get(AuthSession, token_digest(client.cookies["spotter_session"])).csrf_token
    engine.dispose()
    assert 'class="count">2<' in client.get("/notifications/bell").text
    panel = client.get("/notifications/panel")
    assert "Your training plan was approved" in panel.text and 'href="/member"' in panel.text
    assert client.post("/notifications/read-all").status_code == 403  # no CSRF header
    done = client.post("/notifications/read-all", headers={"x-csrf-token": csrf})
    assert done.status_code == 200 and "Mark read" not in done.text
    assert 'class="count"' not in client.get("/notifications/bell").text


def test_the_api_process_runs_the_sender_when_a_url_is_set(
        receiver: Receiver, database_url: str, redis_server_url: str,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPOTTER_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("SPOTTER_WEBHOOK_INTERVAL_S", "0.2")
    [message_id] = queue(database_url)
    app = create_app(Settings(database_url=database_url, redis_url=redis_server_url,
                              data_dir=tmp_path))
    with TestClient(app):
        deadline = time.monotonic() + 10
        while not receiver.seen and time.monotonic() < deadline:
            time.sleep(0.1)
    assert receiver.seen and receiver.seen[0][0]["x-spotter-delivery"] == message_id
