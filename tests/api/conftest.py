"""An API app on a fresh SQLite database with the demo studio, served in-process.

Non-streaming routes are exercised through Starlette's TestClient (it runs the app's
lifespan); streams and browsers use the real uvicorn stack in tests/e2e.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.demo import DemoStudio, seed_demo
from api.main import create_app
from configs.settings import Settings
from db.migrate import upgrade


@dataclass
class ApiWorld:
    client: TestClient
    demo: DemoStudio
    database_url: str

    def token_for(self, role: str) -> str:
        email, password = self.demo.accounts[role]
        response = self.client.post("/api/auth/token",
                                    json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def auth(self, role: str) -> dict[str, str]:
        if role == "device":
            return {"Authorization": f"Bearer {self.demo.device_token}"}
        return {"Authorization": f"Bearer {self.token_for(role)}"}


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoStudio]:
    """Migrate and seed once (Argon2 hashing is deliberately slow); tests get copies."""
    path = tmp_path_factory.mktemp("seed") / "api.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    return path, seed_demo(url, members=3)


@pytest.fixture
def api_world(tmp_path: Path, redis_server_url: str,
              seeded_database: tuple[Path, DemoStudio]) -> Iterator[ApiWorld]:
    template, demo = seeded_database
    path = tmp_path / "api.db"
    shutil.copyfile(template, path)
    database_url = f"sqlite:///{path}"
    settings = Settings(database_url=database_url, redis_url=redis_server_url,
                        data_dir=tmp_path)
    # A fresh client address per test: login throttling counts per address in Redis.
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with TestClient(create_app(settings), client=(address, 5000)) as client:
        yield ApiWorld(client, demo, database_url)
