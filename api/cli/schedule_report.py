"""Human-readable ``spotter schedule`` output: rich tables with headers, gaps as
percentages, the score breakdown adding up to its total. JSON output does not pass here."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from scheduler.schemas import SolveResult
from scheduler.scoring import signed

# Wide enough for the class table when stdout is a pipe (rich would assume 80 columns).
PIPE_WIDTH = 120


def console() -> Console:
    """A console on the current stdout (looked up per call: test runners swap it)."""
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else PIPE_WIDTH,
                   highlight=False)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def print_solve(result: SolveResult) -> None:
    out = console()
    out.print(f"Status: {result.status}")
    for line in result.proof:
        out.print(f"  - {line}")
    if result.objective is not None:
        out.print(f"Attendance + revenue value: {result.objective:.2f}   best bound "
                  f"{'-' if result.best_bound is None else f'{result.best_bound:.2f}'}   "
                  f"gap {pct(result.gap)} (how far the value could at most still rise)")
    if result.classes:
        table = Table(title=f"Timetable ({len(result.classes)} classes)")
        for head in ("Day", "Start", "End", "Class", "Room", "Trainer"):
            table.add_column(head)
        table.add_column("Expected attendees", justify="right")
        for c in result.classes:
            table.add_row(c.day, c.start, c.end, c.class_type, c.room, c.trainer,
                          f"{c.predicted_attendance:.1f}")
        out.print(table)
    if result.objective_breakdown:
        out.print(breakdown_table(result))
    for line in result.explanation:
        out.print(line)
    for v in result.violations:
        out.print(f"violation [{v.constraint}] {v.message}")
    for note in result.notes:
        out.print(f"note: {note}")


def breakdown_table(result: SolveResult) -> Table:
    table = Table(title="Score breakdown (value terms add, penalties subtract)")
    for head, justify in (("Term", "left"), ("Weight", "right"), ("Value", "right"),
                          ("Unit", "left"), ("Adds to score", "right")):
        table.add_column(head, justify=justify)  # type: ignore[arg-type]
    total = 0.0
    for name, term in result.objective_breakdown.items():
        shown = round(signed(term), 2) + 0.0  # + 0.0: no "-0.00"
        total += shown
        table.add_row(name.replace("_", " "), f"{term.weight:g}", f"{term.value:.2f}",
                      term.unit, f"{shown:+.2f}" if shown else "0.00")
    table.add_section()
    table.add_row("Total score", "", "", "", f"{total:.2f}")
    return table


def print_demand(report: dict[str, Any]) -> None:
    """The demand-eval report: overall MAE of the model and baselines, then per week."""
    out = console()
    table = Table(title=f"Demand model vs naive baselines, {report['test_weeks']} held-out "
                        f"weeks ({report.get('unit', 'attendees per class')})")
    table.add_column("Method")
    table.add_column("Mean absolute error", justify="right")
    table.add_row("model", f"{report['model_mae']:.2f}")
    for name, mae in report["baselines"].items():
        table.add_row(name.replace("_", " "), f"{mae:.2f}")
    out.print(table)
    if report.get("weeks"):
        weekly = Table(title="Per held-out week")
        for head in ("Week of", "Slots", "Period", "Model",
                     *[k.replace("_", " ") for k in report["baselines"]]):
            weekly.add_column(head)
        for w in report["weeks"]:
            weekly.add_row(w["week_start"], str(w["slots"]), w["period"],
                           f"{w['model_mae']:.2f}",
                           *[f"{v:.2f}" for v in w["baselines"].values()])
        out.print(weekly)
    if report.get("method"):
        out.print(report["method"])
