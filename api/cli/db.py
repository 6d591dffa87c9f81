"""``spotter db``: migrations and demo data."""

from __future__ import annotations

import json

import typer

from api.cli.apps import db_app


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply Alembic migrations to SPOTTER_DATABASE_URL (default: the SQLite file)."""
    from api.security.datafiles import secure_sqlite_file
    from configs.settings import get_settings
    from db.migrate import upgrade as run_upgrade

    url = get_settings().resolved_database_url()
    secure_sqlite_file(url)  # created 0600 (health data, password hashes)
    run_upgrade(url, revision)
    typer.echo(f"database at {revision}: {url.split('@')[-1]}")


@db_app.command("seed-demo")
def seed_demo(members: int = typer.Option(8, min=1, max=30),
              force: bool = typer.Option(False, "--force",
                                         help="seed even a production install")) -> None:
    """Create the demo room, trainer and live class with booked members, one account per
    role and a device token for the demo room; prints them as JSON (the token is shown
    only here: the database keeps its hash). Refused in production (SPOTTER_ENV other than
    dev/test, or a database other than SQLite) unless --force."""
    from api.demo import DemoRefused
    from api.demo import seed_demo as run_seed
    from configs.settings import get_settings

    url = get_settings().resolved_database_url()
    try:
        studio = run_seed(url, members=members, force=force)
    except DemoRefused as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({
        "class_session_id": studio.class_session_id,
        "device_token": studio.device_token,
        "accounts": {role: {"email": email, "password": password}
                     for role, (email, password) in studio.accounts.items()},
    }, indent=2))
