"""The CPU-bound part of the schedules domain: solver, repair and suggestions, run in a
worker thread so the event loop keeps serving pages while CP-SAT works.

One solve at a time per process: on a small studio box a second concurrent solve would
halve both solvers' cores and blow both time limits, so a second request is refused
(429) with advice instead of queueing silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread

from api.exceptions import TooManyRequests
from scheduler.adjust import Suggestion, suggest_adjustments
from scheduler.demand import DemandPredictor, demand_for
from scheduler.feedback import Rating
from scheduler.greedy import greedy_schedule
from scheduler.history import ClassRecord
from scheduler.manager import manager_schedule
from scheduler.options import build_options
from scheduler.repair import Change, RepairResult, apply_change, repair
from scheduler.schemas import Instance, Schedule, ScheduledClass, SolveResult
from scheduler.scoring import score_breakdown
from scheduler.solve import solve
from scheduler.studio import Studio

T = TypeVar("T")
_solver_lock = threading.Lock()


async def off_loop(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread, one at a time; a concurrent call gets 429."""
    if not _solver_lock.acquire(blocking=False):
        raise TooManyRequests("a timetable is being computed right now; try again when it "
                              "has finished (usually within the time limit)")
    try:
        return await anyio.to_thread.run_sync(work)
    finally:
        _solver_lock.release()


def predictor(instance: Instance, records: list[ClassRecord]) -> tuple[DemandPredictor, str]:
    """The demand model for an instance and its label: given table > history > priors."""
    source = "given" if instance.demand else ("history" if records else "priors")
    return demand_for(instance, records or None), source


@dataclass
class Plan:
    result: SolveResult
    demand_source: str
    manager: float
    greedy: float


def plan(instance: Instance, records: list[ClassRecord], published: list[ScheduledClass] | None,
         time_limit_s: float, seed: int) -> Plan:
    """Solve the week and measure both baselines on the same demand (predicted attendance)."""
    demand, source = predictor(instance, records)
    result = solve(instance, demand=demand, published=published, time_limit_s=time_limit_s,
                   seed=seed)
    studio = Studio.build(instance)
    options = build_options(studio, demand)
    manager = sum(options.options[i].attendance for i in manager_schedule(studio, options))
    greedy = sum(options.options[i].attendance for i in greedy_schedule(studio, options))
    return Plan(result, source, round(manager, 2), round(greedy, 2))


@dataclass
class Repaired:
    instance: Instance
    outcome: RepairResult
    result: SolveResult


def repair_week(instance: Instance, records: list[ClassRecord], published: list[ScheduledClass],
                change: Change, time_limit_s: float, seed: int) -> Repaired:
    """Minimal-change repair, reported in the same result shape as a generated draft."""
    demand, _ = predictor(instance, records)
    outcome = repair(instance, Schedule(classes=published), change, demand=demand,
                     time_limit_s=time_limit_s, seed=seed)
    changed = apply_change(instance, change)
    # Pins the change made impossible were released by the repair: keep only those it kept.
    kept = {(c.class_type, c.room, c.trainer, c.day, c.start) for c in outcome.classes}
    changed = changed.model_copy(update={"pinned": [
        p for p in changed.pinned if (p.class_type, p.room, p.trainer, p.day, p.start) in kept]})
    studio = Studio.build(changed)
    breakdown = score_breakdown(studio, outcome.classes, published) if outcome.classes else {}
    result = SolveResult(
        status=outcome.status, objective=outcome.objective, best_bound=None, gap=None,
        classes=outcome.classes, objective_breakdown=breakdown,
        violations=outcome.violations, explanation=outcome.explanation)
    return Repaired(changed, outcome, result)


def suggestions(instance: Instance, classes: list[ScheduledClass], records: list[ClassRecord],
                ratings: list[Rating] | None = None,
                names: dict[str, dict[str, str]] | None = None) -> list[Suggestion]:
    demand, _ = predictor(instance, records)
    return suggest_adjustments(instance, classes, records, ratings=ratings, demand=demand,
                               names=names)
