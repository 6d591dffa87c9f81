"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and unwind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from api.db.migrate import downgrade, upgrade
from configs.settings import normalise_database_url

CORE_TABLES = {"members", "trainers", "rooms", "class_types", "class_sessions",
               "class_bookings"}


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_apply_and_unwind_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'spotter.db'}"
    upgrade(url)
    assert tables(url) >= CORE_TABLES
    downgrade(url)
    assert tables(url) == set()
    upgrade(url)  # and again, from scratch
    assert tables(url) >= CORE_TABLES


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A throwaway schema in the CI database, so the test owns every table it sees."""
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_migrations_apply_and_unwind_on_postgresql(postgres_schema_url: str) -> None:
    url = normalise_database_url(postgres_schema_url)
    upgrade(postgres_schema_url)
    assert tables(url) >= CORE_TABLES
    downgrade(postgres_schema_url)
    assert tables(url) == set()
