"""The worker's store reads every member's earlier classes in one query (a class end of a
busy studio), newest first, at most HISTORY_CLASSES, never the class being summarised;
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from configs.settings import normalise_database_url
from db.migrate import upgrade
from streams.store import HISTORY_CLASSES, WorkerStore


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        upgrade(url)
        yield url
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"store_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}?options=-csearch_path%3D{schema}"
    upgrade(url)
    try:
        yield normalise_database_url(url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def part(member: str, points: float) -> dict:
    return {"member_id": member, "totals": {"effort_points": points, "trimp": points,
                                            "zones_s": [0, 0, 0, 60, 30]},
            "engaged_share": 0.5}


async def test_history_is_newest_first_bounded_and_excludes_this_class(database_url: str
                                                                       ) -> None:
    store = WorkerStore(database_url)
    try:
        for n in range(HISTORY_CLASSES + 3):
            await store.save_summary(f"c{n:02d}", {"class_session_id": f"c{n:02d}"},
                                     {"ann": part("ann", n), "bo": part("bo", 100 + n)},
                                     ended_at=1_765_000_000.0 + n * 3600)
        history = await store.history(["ann", "bo", "newcomer"], "c22",
                                      before=1_765_000_000.0 + 22 * 3600 + 1)
    finally:
        await store.close()
    assert [p.effort_points for p in history["ann"]] == [21 - i for i in range(HISTORY_CLASSES)]
    assert history["bo"][0].effort_points == 121
    assert history["newcomer"] == []


async def test_storing_a_summary_again_replaces_its_parts(database_url: str) -> None:
    store = WorkerStore(database_url)
    try:
        await store.save_summary("c1", {"v": 1}, {"ann": part("ann", 1)}, ended_at=1.0)
        await store.save_summary("c1", {"v": 2}, {"ann": part("ann", 2)}, ended_at=1.0)
        history = await store.history(["ann"], "other", before=None)
    finally:
        await store.close()
    assert [p.effort_points for p in history["ann"]] == [2]
