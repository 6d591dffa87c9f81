"""``spotter db``: migrations and demo data."""

from __future__ import annotations

import json

import typer

from api.cli.apps import db_app


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply Alembic migrations to SPOTTER_DATABASE_URL (default: the SQLite file)."""
    from configs.settings import get_settings
    from db.migrate import upgrade as run_upgrade

    url = get_settings().resolved_database_url()
    run_upgrade(url, revision)
    typer.echo(f"database at {revision}: {url.split('@')[-1]}")


@db_app.command("seed-demo")
def seed_demo(members: int = typer.Option(8, min=1, max=30)) -> None:
    """Create the demo room, trainer and live class with booked members, one account per
    role and a device token for the demo room; prints them as JSON (the token is shown
    only here: the database keeps its hash)."""
    from api.demo import seed_demo as run_seed
    from configs.settings import get_settings

    studio = run_seed(get_settings().resolved_database_url(), members=members)
    typer.echo(json.dumps({
        "class_session_id": studio.class_session_id,
        "device_token": studio.device_token,
        "accounts": {role: {"email": email, "password": password}
                     for role, (email, password) in studio.accounts.items()},
    }, indent=2))
