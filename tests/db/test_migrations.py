"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and unwind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from configs.settings import normalise_database_url
from db.migrate import downgrade, upgrade

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


def test_migrations_have_exactly_one_head() -> None:
    """Two heads mean two parallel histories; `spotter db upgrade` goes to the one head."""
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"Alembic heads {heads}: add a merge revision"


def drift(url: str) -> list[object]:
    """What autogenerate would write after upgrading: models and migrations disagree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.all_models import metadata

    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_models_and_migrations_agree_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    upgrade(url)
    assert drift(url) == []


def test_models_and_migrations_agree_on_postgresql(postgres_schema_url: str) -> None:
    upgrade(postgres_schema_url)
    assert drift(postgres_schema_url) == []
