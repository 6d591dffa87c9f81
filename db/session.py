"""Async engine and session factory for the API, built once per process."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from configs.settings import async_database_url


def make_engine(sync_url: str) -> AsyncEngine:
    url = async_database_url(sync_url)
    if url.startswith("sqlite"):
        # SQLite: one writer at a time; a busy timeout beats "database is locked" errors.
        return create_async_engine(url, connect_args={"timeout": 15})
    return create_async_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
