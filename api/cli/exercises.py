"""``spotter exercises ...``: import the library and look up alternatives.

``import`` reads a free-exercise-db style JSON file, reports every record it rejects
(stderr) and writes the derived library (planner/data/exercises.json by default).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from api.cli.apps import exercises_app


@exercises_app.command("import")
def import_file(file: Path = typer.Argument(..., help="exercises JSON (free-exercise-db format)"),
                output: Path | None = typer.Option(None, "--output", help="library file to "
                                                   "write (default: the packaged library)"),
                to_db: bool = typer.Option(False, "--db", help="import into the database "
                                           "(SPOTTER_DATABASE_URL) instead of a file"),
                replace_admin: bool = typer.Option(False, "--replace-admin", help="with --db: "
                                                   "also overwrite admin-curated entries"),
                as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
                dry_run: bool = typer.Option(False, "--dry-run", help="validate only")) -> None:
    """Validate, derive planner fields, and write the exercise library (file or database)."""
    from planner.errors import PlannerError
    from planner.io import LIBRARY_FILE, read_exercise_file, write_library

    if to_db and output is not None:
        typer.echo("error: choose --db or --output, not both", err=True)
        raise typer.Exit(2)
    try:
        report = read_exercise_file(file)
    except PlannerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for bad in report.rejected:
        typer.echo(f"rejected record #{bad.index} ({bad.id or 'no id'}): {bad.reason}", err=True)
    target = "database" if to_db else str(output or LIBRARY_FILE)
    written = kept = None
    if not dry_run:
        if to_db:
            written, kept = _import_to_db(report, replace_admin)
        else:
            write_library(report.exercises, output or LIBRARY_FILE)
    if as_json:
        typer.echo(json.dumps({"imported": len(report.exercises),
                               "rejected": [vars(r) for r in report.rejected],
                               "written_to": None if dry_run else target,
                               "rows_written": written, "kept_admin": kept}, indent=2))
    else:
        extra = f" ({written} rows written, {kept} admin entries kept)" if to_db and \
            not dry_run else ""
        typer.echo(report.summary() + ("" if dry_run else f"; written to {target}{extra}"))


def _import_to_db(report: Any, replace_admin: bool) -> tuple[int, int]:
    """Merge the import into the ``exercises`` table (links derived again over all rows)."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, select
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from api.exercises.library import ADMIN, Entry, changed, merge_import, row_values
    from configs.settings import get_settings
    from db.training import ExerciseRow
    from planner.io import default_library, read_overrides
    from planner.models import Exercise

    engine = create_engine(get_settings().resolved_database_url())
    try:
        with Session(engine) as db, db.begin():
            rows = {r.id: r for r in db.scalars(select(ExerciseRow))}
            before = ({k: Entry(Exercise.model_validate(r.data), r.source)
                       for k, r in rows.items()} if rows else
                      {ex.id: Entry(ex, "library") for ex in default_library()})
            after = merge_import(before, report, read_overrides(), replace_admin=replace_admin)
            todo = list(after.values()) if not rows else changed(before, after)
            now = datetime.now(UTC)
            for entry in todo:
                values = row_values(entry)
                row = rows.get(entry.exercise.id)
                if row is None:
                    db.add(ExerciseRow(**values, updated_at=now))
                else:
                    row.name, row.data, row.source, row.updated_at = (
                        values["name"], values["data"], values["source"], now)
            kept = sum(1 for ex in report.exercises if ex.id in before
                       and before[ex.id].source == ADMIN and not replace_admin)
            return len(todo), kept
    except SQLAlchemyError as exc:
        typer.echo(f"error: database write failed ({type(exc).__name__}: {exc}); run "
                   "`spotter db upgrade` first", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@exercises_app.command("alternative")
def alternative(exercise: str = typer.Argument(..., help="exercise id"),
                direction: str = typer.Option("same", help="easier | harder | same"),
                equipment: list[str] = typer.Option(None, "--equipment", help="kit on hand, "
                                                    "fixtures included (pull-up bar, bench, "
                                                    "...); repeat it; default: any kit"),
                avoid: list[str] = typer.Option(None, "--avoid", help="injury areas or ids"),
                level: str | None = typer.Option(None, "--level", help="beginner | "
                                                 "intermediate | advanced: the member's level"),
                profile: Path | None = typer.Option(None, "--profile", help="a member profile "
                                                    "JSON: its kit, injuries, level and "
                                                    "dislikes (other options add to it)")
                ) -> None:
    """Print the best substitute for an exercise as JSON (null when nothing fits).

    The same graph the plan editor and in-session changes use: an easier variant stays on
    the pattern, is no higher in level and never needs more kit than the member has."""
    from pydantic import ValidationError

    from planner.errors import PlannerError
    from planner.graph import Limits, find_alternative
    from planner.io import default_library
    from planner.models import MemberProfile
    from planner.vocab import KIT, LEVELS

    bad_kit = sorted(set(equipment or ()) - set(KIT))
    if bad_kit or (level is not None and level not in LEVELS):
        what = f"unknown equipment {bad_kit} (choose from {', '.join(KIT)})" if bad_kit else \
            f"level must be one of {', '.join(LEVELS)}, not {level!r}"
        typer.echo(f"error: {what}", err=True)
        raise typer.Exit(2)
    try:
        limits = Limits.parse(equipment or None, avoid, level)
        if profile is not None:
            member = MemberProfile.model_validate_json(profile.read_bytes())
            base = Limits.of(member, extra_areas=limits.areas, avoid_ids=limits.avoid_ids,
                             kit=None if equipment is None else
                             set(member.available_equipment) | set(equipment))
            limits = Limits(base.kit, base.areas, level or base.level, base.avoid_ids)
        alt = find_alternative(exercise, direction, library=default_library(), limits=limits)
    except OSError as exc:
        typer.echo(f"error: cannot read profile: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        typer.echo(f"error: the profile is not valid: {exc.errors()[0]['msg']} at "
                   f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}", err=True)
        raise typer.Exit(2) from exc
    except PlannerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(alt.model_dump(mode="json") if alt else None, indent=2))


@exercises_app.command("review")
def review(before: Path = typer.Option(..., "--before", help="an earlier library file, e.g. "
                                       "`git show REF:planner/data/exercises.json > old.json`"),
           output: Path | None = typer.Option(None, "--output", help="write the Markdown "
                                              "here instead of stdout")) -> None:
    """Report what the current rules changed over the whole library: counts per injury
    rule, fixtures, links, and worked examples (Markdown)."""
    from planner.errors import PlannerError
    from planner.injuries import default_rules
    from planner.io import default_library
    from planner.review import library_review

    try:
        doc = json.loads(before.read_text(encoding="utf-8"))
        entries = doc["exercises"] if isinstance(doc, dict) else doc
        if not isinstance(entries, list):
            raise ValueError("no exercises list")
        text = library_review(entries, default_library(), default_rules(), str(before))
    except (OSError, ValueError, KeyError, TypeError, PlannerError) as exc:
        typer.echo(f"error: cannot review against {before}: {exc}", err=True)
        raise typer.Exit(2) from exc
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"review written to {output}")
