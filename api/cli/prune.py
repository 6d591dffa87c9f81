"""``spotter db prune``: delete member data past its retention (db.retention) and apply
the raw-samples retention to the Kafka topics (contract.topic_retention).

The retention per kind is the admin's (Settings page, ``/api/admin/settings/retention``);
``SPOTTER_INSIGHTS_RETENTION_DAYS`` or ``--insights-days``, when given, override the
insights' days (an operator's legal hold or a shorter policy wins over the page).
Prints one JSON document: what was removed per kind and table, the days in force, and
what happened on the topics. ``spotter up`` runs it daily (api.retention_job).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import sys
from typing import Any

import typer

from api.cli.apps import db_app

TOPIC_TIMEOUT_S = 20.0


def _logs_to_stderr() -> None:
    """stdout carries the JSON report only (sys.stderr is looked up at each call: a test
    runner swaps it)."""
    import structlog

    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


def _topics(settings: Any, retention_ms: int) -> dict[str, Any]:
    """Apply retention.ms to the member-data topics, when a broker is configured."""
    if not settings.kafka_url:
        return {"skipped": "no broker configured (SPOTTER_KAFKA_URL); topics get their "
                           "retention when `spotter up` creates them"}
    from contract.kafka import client_options
    from contract.topic_retention import apply_retention

    try:
        return asyncio.run(asyncio.wait_for(
            apply_retention(retention_ms, **client_options(settings)), TOPIC_TIMEOUT_S))
    except Exception as exc:  # a broker problem must not undo the database part
        return {"errors": {"broker": f"{type(exc).__name__}: {exc}"}}


@db_app.command("prune")
def prune(insights_days: int = typer.Option(
              None, min=1, max=3650, help="keep real-time insights this many days (default: "
              "SPOTTER_INSIGHTS_RETENTION_DAYS if set, else the admin's setting)"),
          topics: bool = typer.Option(True, help="also apply retention.ms to the topics")
          ) -> None:
    """Delete member data older than its retention; prints what went as JSON."""
    from configs.settings import get_settings
    from db.retention import load_policy
    from db.retention import prune as run_prune

    _logs_to_stderr()
    settings = get_settings()
    override = insights_days or (settings.insights_retention_days
                                 if "insights_retention_days" in settings.model_fields_set
                                 else None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / "prune.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one prune at a time on this box
        database_url = settings.resolved_database_url()
        policy = load_policy(database_url).with_insights_override(override)
        removed = run_prune(database_url, policy)
        report: dict[str, Any] = {
            "removed": removed,
            "removed_total": {kind: sum(tables.values()) for kind, tables in removed.items()},
            "retention_days": policy.model_dump(),
            "insights_override": override}
        if topics:
            report["topics"] = _topics(settings, policy.raw_samples_ms)
    typer.echo(json.dumps(report))
