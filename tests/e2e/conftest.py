"""One real embedded stack (Tansu, Redis, Faust worker, uvicorn API) for the e2e tests.

It is started by the same ``api.stack.Stack`` that ``spotter up`` uses, on free ports and
a temporary data directory, once per test session, and stopped at the end.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
        yield LiveStack(resolved, f"http://{settings.api_host}:{settings.api_port}")
    finally:
        stack.stop()
