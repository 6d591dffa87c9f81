"""The LP relaxation is a true upper bound (never below the brute-force optimum), its guided
start keeps every hard rule, and the LP + LNS path reports an honest bound and gap."""

from __future__ import annotations

import pytest

from scheduler.config import SchedulerSettings, load_settings
from scheduler.demand import demand_for
from scheduler.instances import generate_instance
from scheduler.model import build_model
from scheduler.options import build_options
from scheduler.relaxation import lp_guided_start, lp_relaxation
from scheduler.schemas import Schedule
from scheduler.solve import solve, to_classes
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

from .test_scheduler_solve import brute_force, random_tiny, solve_is_valid_and_bounded


def lp_path(**solver: object) -> SchedulerSettings:
    """Settings that send even tiny weeks down the large-model path (LP bound + LNS)."""
    settings = load_settings()
    update = {"lns_min_options": 0, "bound": "lp", **solver}
    return settings.model_copy(update={"solver": settings.solver.model_copy(update=update)})


@pytest.mark.parametrize("seed", range(6))
def test_lp_bound_is_never_below_the_optimum(seed: int) -> None:
    inst = random_tiny(seed)
    studio = Studio.build(inst)
    options = build_options(studio, demand_for(inst))
    best = brute_force(inst, options.options, studio)
    relaxed = lp_relaxation(build_model(studio, options), [o.value for o in options.options],
                            5.0)
    if best < 0:
        return  # infeasible week: the LP may still be feasible (it is a relaxation)
    assert relaxed is not None and relaxed.bound >= best
    start = lp_guided_start(studio, options, relaxed.x)
    found = validate_schedule(inst, Schedule(classes=to_classes(options, start)))
    # a greedy does not backtrack: it may miss a minimum (the solver then keeps its own
    # start), but it never breaks a coupling rule
    assert {v.constraint for v in found} <= {"min_sessions"}


@pytest.mark.parametrize("seed", range(3))
def test_lp_path_solve_is_valid_and_bounded(seed: int) -> None:
    solve_is_valid_and_bounded(random_tiny(seed), lp_path(), time_limit_s=1.5)


def test_small_studio_lp_path_reports_a_small_gap() -> None:
    inst = generate_instance("small", 0)
    result = solve(inst, time_limit_s=5, workers=1, seed=0, settings=lp_path())
    value = next(s for s in result.stages if s.name == "attendance_revenue")
    assert result.violations == []
    assert value.best_bound is not None and value.objective is not None
    assert value.objective <= value.best_bound
    assert result.gap is not None and 0 <= result.gap < 0.05
