"""``spotter schedule ...``: the weekly timetable commands, thin adapters over ``scheduler``.

JSON goes to stdout, logs to stderr. Bad input exits 2 with the problems listed; an
invalid schedule (``validate``) or an infeasible week (``solve``) exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from api.cli.apps import schedule_app

INSTANCE = typer.Argument(..., help="instance JSON file (see `spotter schedule example`)")
SCHEDULE = typer.Argument(..., help="schedule JSON file ({'classes': [...]}, e.g. solve output)")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _fail_input(exc: Exception) -> None:
    problems = getattr(exc, "problems", [str(exc)])
    typer.echo("error: invalid input:\n" + "\n".join(f"  - {p}" for p in problems), err=True)
    typer.echo(f"advice: {getattr(exc, 'advice', '')}", err=True)
    raise typer.Exit(2)


def _quiet_logs() -> None:
    """Library logs go to stderr so stdout stays pure JSON. The factory looks ``sys.stderr``
    up at each use, so a test runner swapping streams never leaves it on a closed file."""
    import structlog

    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        logger_factory=lambda *_: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )


@schedule_app.command("example")
def example(size: str = typer.Option("example", help="example | tiny | small | medium | large"),
            seed: int = typer.Option(0, help="seed of a generated studio")) -> None:
    """Print an example instance JSON (the documented schema, ready to solve)."""
    from scheduler.instances import example_instance, generate_instance

    inst = example_instance() if size == "example" else generate_instance(size, seed)
    typer.echo(inst.model_dump_json(indent=2, exclude_none=True))


@schedule_app.command("schema")
def schema() -> None:
    """Print the JSON schema of the instance (field descriptions included)."""
    from scheduler.schemas import Instance

    typer.echo(json.dumps(Instance.model_json_schema(), indent=2))


@schedule_app.command("solve")
def solve(
    instance: Path = INSTANCE,
    time_limit: float = typer.Option(30.0, "--time-limit", help="seconds for all stages"),
    as_json: bool = typer.Option(False, "--json", help="print the full result as JSON"),
    workers: int = typer.Option(0, help="CP-SAT workers (0 = configs/scheduler.toml)"),
    seed: int = typer.Option(0, help="CP-SAT random seed"),
    history: Path | None = typer.Option(None, help="class history CSV to learn demand from"),
    published: Path | None = typer.Option(None, help="published schedule JSON to stay close to"),
) -> None:
    """Plan the week with CP-SAT. Prints what was proved (OPTIMAL only when every stage
    proved its optimum), the attendance + revenue value with its bound and gap (%), the
    timetable and the score breakdown with its total. Exit 1 when no timetable is
    possible (the conflicting rules are listed) or the result breaks a hard rule."""
    _quiet_logs()
    from scheduler.datasets import read_history
    from scheduler.demand import demand_for
    from scheduler.errors import SchedulerInputError
    from scheduler.solve import solve as run_solve
    from scheduler.validation import parse_instance, parse_schedule

    try:
        inst = parse_instance(_read_json(instance))
        demand = demand_for(inst, read_history(history)) if history else None
        old = parse_schedule(_read_json(published)).classes if published else None
        result = run_solve(inst, demand=demand, published=old, time_limit_s=time_limit,
                           workers=workers or None, seed=seed)
    except SchedulerInputError as exc:
        _fail_input(exc)
        return
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        from api.cli.schedule_report import print_solve

        print_solve(result)
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        typer.echo(f"error: no timetable ({result.status}): "
                   + " ".join(result.explanation[:1] or ["see above"]), err=True)
        raise typer.Exit(1)
    if result.violations:
        typer.echo(f"error: the timetable breaks {len(result.violations)} hard rule(s)",
                   err=True)
        raise typer.Exit(1)


@schedule_app.command("validate")
def validate(instance: Path = INSTANCE, schedule: Path = SCHEDULE) -> None:
    """Check a schedule against every hard rule; exit 1 and list violations when invalid."""
    from scheduler.errors import SchedulerInputError
    from scheduler.validation import parse_instance, parse_schedule, validate_schedule

    try:
        violations = validate_schedule(parse_instance(_read_json(instance)),
                                       parse_schedule(_read_json(schedule)))
    except SchedulerInputError as exc:
        _fail_input(exc)
        return
    typer.echo(json.dumps({"valid": not violations,
                           "violations": [v.model_dump() for v in violations]}, indent=2))
    if violations:
        for v in violations:
            typer.echo(f"violation [{v.constraint}] {v.message}", err=True)
        raise typer.Exit(1)


@schedule_app.command("repair")
def repair(
    instance: Path = INSTANCE,
    schedule: Path = SCHEDULE,
    trainer_unavailable: str | None = typer.Option(None, help="trainer id who cannot teach"),
    room_closed: str | None = typer.Option(None, help="room id that is closed"),
    day: str | None = typer.Option(None, help="Mon..Sun; default the whole week"),
    start: str = typer.Option("00:00", help="start of the outage (HH:MM)"),
    end: str = typer.Option("24:00", help="end of the outage (HH:MM)"),
    time_limit: float = typer.Option(10.0, "--time-limit"),
) -> None:
    """Re-plan a published schedule with as few changes as possible; JSON to stdout."""
    _quiet_logs()
    from pydantic import ValidationError

    from scheduler.errors import SchedulerInputError
    from scheduler.repair import RoomClosed, TrainerUnavailable
    from scheduler.repair import repair as run_repair
    from scheduler.validation import parse_instance, parse_schedule

    if (trainer_unavailable is None) == (room_closed is None):
        typer.echo("error: give exactly one of --trainer-unavailable or --room-closed", err=True)
        raise typer.Exit(2)
    try:
        change: TrainerUnavailable | RoomClosed = (
            TrainerUnavailable(trainer=trainer_unavailable, day=day, start=start, end=end)
            if trainer_unavailable else RoomClosed(room=room_closed, day=day, start=start,
                                                   end=end))
        result = run_repair(parse_instance(_read_json(instance)),
                            parse_schedule(_read_json(schedule)), change,
                            time_limit_s=time_limit)
    except ValidationError as exc:
        _fail_input(SchedulerInputError([str(e["msg"]) for e in exc.errors()]))
        return
    except SchedulerInputError as exc:
        _fail_input(exc)
        return
    typer.echo(result.model_dump_json(indent=2))
    if result.status not in ("OPTIMAL", "FEASIBLE"):
        raise typer.Exit(1)


def _attendance_dir(given: Path | None) -> Path:
    """Where the real attendance files are: --data-dir, $SPOTTER_ATTENDANCE_DATA, or the
    shared data folder beside the repository (read in place, never copied)."""
    import os

    if given is not None:
        return given
    env = os.environ.get("SPOTTER_ATTENDANCE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "class-attendance"


@schedule_app.command("demand-eval")
def demand_eval(
    data: str = typer.Option(
        "synthetic", help="synthetic: a generated studio's class history | real: the last "
        "weeks of the shared campus-gym occupancy series (GoalZone: show-up model) | a "
        "folder: synthetic, plus show-up and slot-prior checks on that folder's files"),
    data_dir: Path | None = typer.Option(
        None, help="folder with the real files for --data real (default: "
        "$SPOTTER_ATTENDANCE_DATA or ../shared/data/class-attendance)"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    weeks: int = typer.Option(16, help="weeks of synthetic history"),
    test_weeks: int = typer.Option(4, help="held-out weeks at the end"),
    size: str = typer.Option("small", help="generated studio size"),
    seed: int = typer.Option(0),
) -> None:
    """Demand model vs naive baselines on held-out weeks: JSON with model_mae,
    baselines {name: mae} and test_weeks (plus details)."""
    _quiet_logs()
    from scheduler.errors import SchedulerInputError
    from scheduler.evaluation import demand_report, real_report

    try:
        if data == "real":
            report = real_report(_attendance_dir(data_dir), test_weeks=test_weeks)
        elif data == "synthetic" or Path(data).is_dir():
            folder = None if data == "synthetic" else Path(data)
            report = demand_report(folder, weeks=weeks, test_weeks=test_weeks, size=size,
                                   seed=seed)
        else:
            raise SchedulerInputError([f"--data {data!r}: not synthetic, real or a folder"],
                                      advice="use --data synthetic or --data real")
    except SchedulerInputError as exc:
        _fail_input(exc)
        return
    except ValueError as exc:
        _fail_input(SchedulerInputError([str(exc)], advice="use fewer --test-weeks"))
        return
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        from api.cli.schedule_report import print_demand

        print_demand(report)


@schedule_app.command("lookahead")
def lookahead_now() -> None:
    """Check the next days of the published timetable against trainers' leave now (the
    API also checks on new leave and on publishing; `spotter up` runs this daily, so
    leave recorded weeks ahead is caught when it comes into range). Prints the proposals
    it opened as JSON; admins are notified of each."""
    from api.cli.session import run_in_session
    from api.schedules import lookahead

    async def work(db: Any) -> list[dict[str, Any]]:
        return [lookahead.view(p).model_dump(mode="json") for p in await lookahead.scan(db)]

    _quiet_logs()
    opened = run_in_session(work)
    print(json.dumps({"opened": opened}, indent=2))
