"""``spotter exercises ...``: import the library and look up alternatives.

``import`` reads a free-exercise-db style JSON file, reports every record it rejects
(stderr) and writes the derived library (planner/data/exercises.json by default).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from api.cli.apps import exercises_app


@exercises_app.command("import")
def import_file(file: Path = typer.Argument(..., help="exercises JSON (free-exercise-db format)"),
                output: Path | None = typer.Option(None, "--output", help="library file to "
                                                   "write (default: the packaged library)"),
                as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
                dry_run: bool = typer.Option(False, "--dry-run", help="validate only")) -> None:
    """Validate, derive planner fields, and write the exercise library."""
    from planner.errors import PlannerError
    from planner.io import LIBRARY_FILE, read_exercise_file, write_library

    try:
        report = read_exercise_file(file)
    except PlannerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for bad in report.rejected:
        typer.echo(f"rejected record #{bad.index} ({bad.id or 'no id'}): {bad.reason}", err=True)
    target = output or LIBRARY_FILE
    if not dry_run:
        write_library(report.exercises, target)
    if as_json:
        typer.echo(json.dumps({"imported": len(report.exercises),
                               "rejected": [vars(r) for r in report.rejected],
                               "written_to": None if dry_run else str(target)}, indent=2))
    else:
        typer.echo(report.summary() + ("" if dry_run else f"; written to {target}"))


@exercises_app.command("alternative")
def alternative(exercise: str = typer.Argument(..., help="exercise id"),
                direction: str = typer.Option("same", help="easier | harder | same"),
                equipment: list[str] = typer.Option(None, "--equipment", help="kit on hand"),
                avoid: list[str] = typer.Option(None, "--avoid", help="injury areas or ids")
                ) -> None:
    """Print the best substitute for an exercise as JSON (null when nothing fits)."""
    from planner.errors import PlannerError
    from planner.library import find_alternative

    try:
        alt = find_alternative(exercise, direction, equipment=equipment or None, avoid=avoid)
    except PlannerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(alt.model_dump(mode="json") if alt else None, indent=2))
