"""``spotter db``: migrations and demo data."""

from __future__ import annotations

import typer

from api.cli.apps import db_app


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("heads")) -> None:
    """Apply Alembic migrations to SPOTTER_DATABASE_URL (default: the SQLite file)."""
    from api.db.migrate import upgrade as run_upgrade
    from configs.settings import get_settings

    url = get_settings().resolved_database_url()
    run_upgrade(url, revision)
    typer.echo(f"database at {revision}: {url.split('@')[-1]}")


@db_app.command("seed-demo")
def seed_demo(members: int = typer.Option(8, min=1, max=30)) -> None:
    """Create the demo room, trainer and live class with booked members."""
    from api.db.demo import seed_demo as run_seed
    from configs.settings import get_settings

    typer.echo(run_seed(get_settings().resolved_database_url(), members=members))
