"""``spotter db prune``: delete records past their retention (db.retention)."""

from __future__ import annotations

import json

import typer

from api.cli.apps import db_app


@db_app.command("prune")
def prune(insights_days: int = typer.Option(
        None, min=1, help="keep real-time insights this many days "
                          "(default SPOTTER_INSIGHTS_RETENTION_DAYS, 180)")) -> None:
    """Delete real-time insights older than their retention; prints counts as JSON."""
    from configs.settings import get_settings
    from db.retention import prune as run_prune

    settings = get_settings()
    days = insights_days or settings.insights_retention_days
    removed = run_prune(settings.resolved_database_url(), insights_days=days)
    typer.echo(json.dumps({"removed": removed, "insights_retention_days": days}))
