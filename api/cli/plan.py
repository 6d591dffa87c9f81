"""``spotter plan ...``: workout plans, thin adapters over the pure ``planner`` package.

JSON goes to stdout, logs and progress to stderr. Exit codes: 0 plan made, 2 bad input
(unreadable file, invalid profile), 3 the profile cannot be served (reasons listed),
1 a plan failed the rule check (``check``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import typer

from api.cli.apps import plan_app

PROFILE = typer.Option(..., "--profile", help="member profile JSON (see `spotter plan "
                                              "example-profile` and `profile-schema`)")


def _quiet_logs() -> None:
    """Library logs to stderr, INFO and up, so stdout stays pure JSON."""
    import structlog

    # resolve sys.stderr at each log call: a factory bound to the stream object keeps
    # writing to it after a caller (a test runner) has swapped and closed it
    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _profile(path: Path) -> Any:
    from pydantic import ValidationError

    from planner.models import MemberProfile

    try:
        return MemberProfile.model_validate_json(_read(path))
    except ValidationError as exc:
        problems = "\n".join(f"  - {'.'.join(str(p) for p in e['loc']) or '<profile>'}: "
                             f"{e['msg']}" for e in exc.errors()[:10])
        typer.echo(f"error: invalid profile {path}:\n{problems}\nadvice: compare with "
                   "`spotter plan example-profile`", err=True)
        raise typer.Exit(2) from exc


@plan_app.command("example-profile")
def example_profile() -> None:
    """Print a documented example member profile (JSON)."""
    from planner.examples import EXAMPLE

    typer.echo(EXAMPLE.model_dump_json(indent=2))


@plan_app.command("profile-schema")
def profile_schema() -> None:
    """Print the JSON Schema of a member profile."""
    from planner.models import MemberProfile

    typer.echo(json.dumps(MemberProfile.model_json_schema(), indent=2))


@plan_app.command("generate")
def generate(profile: Path = PROFILE,
             weeks: int = typer.Option(12, "--weeks", min=1, max=52, help="plan length"),
             week: int | None = typer.Option(None, "--week", min=1, max=52,
                                             help="text mode: print only this week"),
             as_json: bool = typer.Option(False, "--json", help="print the plan as JSON")) -> None:
    """Generate a periodized plan; it has passed the rule check when printed.

    Text mode prints every week (or --week N) in words a member can read; --json prints
    the plan document."""
    _quiet_logs()
    from planner.errors import PlanInfeasible, PlannerError
    from planner.generator import generate_plan

    member = _profile(profile)
    if week is not None and week > weeks:
        typer.echo(f"error: --week {week} is past the plan's {weeks} weeks", err=True)
        raise typer.Exit(2)
    try:
        plan = generate_plan(member, weeks)
    except PlanInfeasible as exc:
        if as_json:
            typer.echo(json.dumps({"member_id": exc.member_id, "error": "infeasible",
                                   "reasons": exc.reasons}, indent=2))
        typer.echo("no plan: the profile cannot be served within the guidance:\n"
                   + "\n".join(f"  - {r}" for r in exc.reasons), err=True)
        raise typer.Exit(3) from exc
    except PlannerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(plan.to_json_dict(), indent=2))
        return
    from api.cli.plan_text import plan_lines

    for line in plan_lines(plan, only_week=week):
        typer.echo(line)


@plan_app.command("check")
def check(plan_file: Path = typer.Option(..., "--plan", help="plan JSON (generate --json)"),
          profile: Path = PROFILE) -> None:
    """Run the rule check on a (possibly hand-edited) plan; exit 1 when it fails."""
    from pydantic import ValidationError

    from planner.config import default_config
    from planner.io import default_library
    from planner.models import Plan
    from planner.validation import check_plan

    member = _profile(profile)
    try:
        plan = Plan.model_validate_json(_read(plan_file))
    except ValidationError as exc:
        typer.echo(f"error: invalid plan {plan_file}: {exc.errors()[:3]}", err=True)
        raise typer.Exit(2) from exc
    found = check_plan(plan, member, default_library(), default_config())
    typer.echo(json.dumps({"member_id": plan.member_id, "passed": not found,
                           "violations": [str(v) for v in found]}, indent=2))
    if found:
        raise typer.Exit(1)


def _profile_sources(place: Path) -> list[tuple[str, str]]:
    """(source, profile JSON) for *.json (one profile or a list) and *.jsonl files: those
    in a folder, or the one file given."""
    jobs: list[tuple[str, str]] = []
    for path in sorted(place.iterdir()) if place.is_dir() else [place]:
        if path.suffix not in (".json", ".jsonl") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".jsonl":
            jobs += [(f"{path.name}:{n}", line) for n, line in enumerate(text.splitlines(), 1)
                     if line.strip()]
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            jobs.append((path.name, text))  # reported as invalid by the worker
            continue
        if isinstance(data, list):
            jobs += [(f"{path.name}[{i}]", json.dumps(d)) for i, d in enumerate(data)]
        else:
            jobs.append((path.name, text))
    return jobs


def _batch_input(source: Path | None, legacy: Path | None) -> Path:
    """The profiles to plan: the argument (as ``schedule solve`` takes its file), or the
    older ``--profiles DIR``; both naming different places is refused."""
    if source and legacy and source.resolve() != legacy.resolve():
        typer.echo(f"error: two inputs given ({source} and --profiles {legacy}); "
                   "pass one", err=True)
        raise typer.Exit(2)
    chosen = source or legacy
    if chosen is None:
        typer.echo("error: missing PROFILES: a folder of profile .json/.jsonl files, or one "
                   "such file (see `spotter plan example-profile`)", err=True)
        raise typer.Exit(2)
    if not chosen.exists():
        typer.echo(f"error: {chosen} does not exist", err=True)
        raise typer.Exit(2)
    if chosen.is_file() and chosen.suffix not in (".json", ".jsonl"):
        typer.echo(f"error: {chosen} is not a .json or .jsonl file of profiles", err=True)
        raise typer.Exit(2)
    return chosen


@plan_app.command("batch")
def batch(source: Path | None = typer.Argument(
              None, metavar="PROFILES", show_default=False,
              help="a folder of profile .json/.jsonl files, or one such file "
                   "(a .json may hold a list)"),
          profiles: Path | None = typer.Option(None, "--profiles", file_okay=False,
                                               help="older form of PROFILES (a folder)"),
          weeks: int = typer.Option(12, "--weeks", min=1, max=52),
          out: Path | None = typer.Option(None, "--out", help="folder: one <member>.json "
                                          "per plan (default: JSONL on stdout)"),
          jsonl: Path | None = typer.Option(None, "--jsonl", help="write outcomes to a JSONL file"),
          workers: int = typer.Option(0, "--workers", help="processes (0 = all cores)")) -> None:
    """Plan every profile in a folder or file; one outcome per profile, none lost on errors.

    Profiles that share a week signature (kit, goals, level, days, minutes, injuries,
    preferences) are planned next to each other so each worker solves that week once;
    outcome lines therefore follow that grouping, each naming its source."""
    _quiet_logs()
    from concurrent.futures import ProcessPoolExecutor

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from planner.batch import batch_job, grouping_key

    chosen = _batch_input(source, profiles)
    sources = _profile_sources(chosen)
    sources.sort(key=lambda job: grouping_key(job[1]))
    jobs = [(src, text, weeks, out is not None) for src, text in sources]
    n_workers = workers or os.cpu_count() or 1
    counts = {"ok": 0, "infeasible": 0, "invalid": 0}
    sink = jsonl.open("w", encoding="utf-8") if jsonl else (None if out else sys.stdout)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        MofNCompleteColumn(), TimeRemainingColumn(),
                        console=_stderr_console())
    try:
        with progress, ProcessPoolExecutor(n_workers) as pool:
            task = progress.add_task("planning", total=len(jobs))
            for result in pool.map(batch_job, jobs, chunksize=8):
                counts[result.status] += 1
                if out and result.plan_text is not None:
                    name = _safe(str(result.member_id))
                    (out / f"{name}.json").write_text(result.plan_text)
                if sink is not None:
                    sink.write(result.line + "\n")
                elif result.status != "ok":
                    typer.echo(f"{result.source}: {result.status}: "
                               f"{'; '.join(result.reasons)}", err=True)
                progress.advance(task)
    finally:
        if jsonl and sink is not None:
            sink.close()
    typer.echo(f"{len(jobs)} profiles: {counts['ok']} planned, {counts['infeasible']} "
               f"infeasible, {counts['invalid']} invalid", err=True)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "member"


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
