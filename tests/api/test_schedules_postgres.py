"""The timetable round trip on PostgreSQL (JSON columns, timezone-aware class times):
generate, publish (class sessions), pin, and the published week, in a throwaway schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from api.demo import seed_demo
from api.main import create_app
from configs.settings import Settings, normalise_database_url
from db.accounts import User
from db.migrate import upgrade

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def postgres_studio(postgres_url: str) -> Iterator[str]:
    schema = f"sched_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        seed_demo(url, members=1, force=True)  # demo data on PostgreSQL: forced on purpose
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_generate_publish_and_pin_on_postgresql(postgres_studio: str, redis_server_url: str,
                                                 tmp_path: Path) -> None:
    engine = create_engine(normalise_database_url(postgres_studio))
    with Session(engine) as db:
        admin_id = db.scalar(select(User.id).where(User.email == "admin@demo.spotter"))
    engine.dispose()
    token = create_token(postgres_studio, "pg schedules", kind="user", user_id=admin_id)
    headers = {"Authorization": f"Bearer {token}"}
    settings = Settings(database_url=postgres_studio, redis_url=redis_server_url,
                        data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        made = client.post("/api/schedules/generate", json={"time_limit_s": 3}, headers=headers)
        assert made.status_code == 201, made.text
        draft = made.json()
        done = client.post(f"/api/schedules/{draft['id']}/publish", headers=headers)
        assert done.status_code == 200 and done.json()["sessions_created"] == draft["classes"]
        pinned = client.put(f"/api/schedules/{draft['id']}/pins", headers=headers,
                            json={"index": 0})
        assert pinned.json()["pinned"] == [0]
        week = client.get("/api/schedules/published", headers=headers).json()
        assert week["id"] == draft["id"] and len(week["classes"]) == draft["classes"]
        classes = client.get("/api/classes", headers=headers).json()
        first = draft["schedule"][0]
        starts = [datetime.fromisoformat(c["starts_at"]).astimezone(UTC) for c in classes]
        assert any(s.strftime("%H:%M") == first["start"] for s in starts)
