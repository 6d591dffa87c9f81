"""One database session for one CLI command, with the errors a person can act on.

Commands that read or write the studio's database run their work in a short-lived async
session; the two failures people meet (a domain refusal, a database that is down or not
migrated) end the command with one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

T = TypeVar("T")


def run_in_session(work: Callable[[Any], Awaitable[T]]) -> T:
    """``work(db)`` in its own session. SpotterError: exit 2; database down: exit 1."""
    from sqlalchemy.exc import OperationalError

    from api.exceptions import SpotterError
    from configs.settings import get_settings
    from db.session import make_engine, make_sessionmaker

    async def main() -> T:
        engine = make_engine(get_settings().resolved_database_url())
        try:
            async with make_sessionmaker(engine)() as db:
                return await work(db)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except SpotterError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(2) from exc
    except OperationalError as exc:
        sys.stderr.write(f"error: the database is unavailable or not migrated ({exc.orig}); "
                         "run `spotter db upgrade` and check SPOTTER_DATABASE_URL\n")
        raise typer.Exit(1) from exc
