"""``spotter member performance MEMBER_ID [--weeks N] [--json]``: a member's last weeks.

The same summary as ``GET /api/members/{id}/performance`` and the member page, read from
SPOTTER_DATABASE_URL. ``--json`` prints the summary document on stdout; without it, one
line per part in words. Exit codes: 0 printed, 2 no such member, 1 database unavailable.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from api.cli.apps import app

member_app = typer.Typer(help="A member's training data: performance over the last weeks.",
                         no_args_is_help=True)
app.add_typer(member_app, name="member")


def _summary(member_id: str, weeks: int) -> Any:
    from api.cli.session import run_in_session
    from api.plans.performance import gather
    from db.models import Member

    async def work(db: Any) -> Any:
        if await db.get(Member, member_id) is None:
            return None
        return await gather(db, member_id, weeks)

    found = run_in_session(work)
    if found is None:
        sys.stderr.write(f"error: member {member_id!r} does not exist; list members with "
                         "`spotter users list` or on /admin/db\n")
        raise typer.Exit(2)
    return found


@member_app.command("performance")
def performance(member_id: str = typer.Argument(..., help="the member's id"),
                weeks: int = typer.Option(4, "--weeks", min=1, max=52,
                                          help="weeks back from today (studio time zone)"),
                as_json: bool = typer.Option(False, "--json", help="print the summary as "
                                             "JSON")) -> None:
    """Training load and heart-rate recovery trends, reps and fault rate per exercise,
    adherence to the plan, readiness, workout feedback, and what planning does about it."""
    summary = _summary(member_id, weeks)
    if as_json:
        typer.echo(json.dumps(summary.model_dump(mode="json"), indent=2))
        return
    typer.echo(f"{member_id}: {summary.start} to {summary.end} ({summary.weeks} weeks)")
    for label, text in (("load", summary.load.text), ("recovery", summary.recovery.text),
                        ("adherence", summary.adherence.text),
                        ("readiness", summary.readiness.text),
                        ("feedback", summary.feedback.text)):
        typer.echo(f"  {label}: {text}")
    for ex in summary.exercises:
        flagged = (f"{ex.faulty_reps} of {ex.reps} reps faulty" if ex.source == "camera"
                   else f"{ex.flagged_sets} of {ex.sets} sets flagged")
        typer.echo(f"  {ex.exercise} ({ex.source}): {ex.sets} sets, {ex.reps} reps, {flagged}")
    for signal in summary.signals:
        typer.echo(f"  -> {signal.kind}: {signal.text}")
