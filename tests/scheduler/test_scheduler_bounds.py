"""The large studio's bounds (``scheduler.bounds``) can never fall below an optimum.

Validity rests on two facts, each tested here: every row of the system holds for every
timetable that passes the independent validator, and L(y) >= any such timetable's value
for every y >= 0 (checked against brute-force optima with arbitrary, LP and polished
duals). Then the same rows give the same LP as the CP-SAT model, column generation reaches
it, and the solver's dual path reports a bound, its source, and stays within its time.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from scheduler.bounds import (
    BoundResult,
    RowSystem,
    build_rows,
    column_generation,
    coordinate_descent,
    dual_bound,
    initial_columns,
    session_cap_duals,
)
from scheduler.config import SchedulerSettings, load_settings
from scheduler.demand import demand_for
from scheduler.greedy import greedy_schedule
from scheduler.instances import example_instance, generate_instance
from scheduler.model import build_model
from scheduler.options import OptionSet, build_options
from scheduler.relaxation import lp_relaxation
from scheduler.schemas import Instance, Schedule
from scheduler.solve import solve
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

from .test_scheduler_solve import brute_force, random_tiny, solve_is_valid_and_bounded


def dual_path(**solver: object) -> SchedulerSettings:
    """Settings that send even tiny weeks down the large-studio path (LP duals + LNS)."""
    settings = load_settings()
    update = {"lns_min_options": 0, "bound": "lp", "lp_max_options": 0, **solver}
    return settings.model_copy(update={"solver": settings.solver.model_copy(update=update)})


def setup(inst: Instance) -> tuple[Studio, OptionSet, RowSystem, np.ndarray]:
    studio = Studio.build(inst)
    options = build_options(studio, demand_for(inst))
    values = np.asarray([o.value for o in options.options], dtype=np.float64)
    return studio, options, build_rows(studio, options), values


def check_rows_hold(inst: Instance, system: RowSystem, options: OptionSet,
                    chosen: list[int]) -> None:
    x = np.zeros(len(options))
    x[chosen] = 1.0
    assert np.all(system.matrix @ x <= system.rhs + 1e-9)
    assert np.all(system.lower <= x) and np.all(x <= system.upper)


@pytest.mark.parametrize("seed", range(6))
def test_rows_hold_for_validated_timetables(seed: int) -> None:
    """A row violated by a valid timetable would make every bound suspect."""
    inst = random_tiny(seed)
    studio, options, system, _ = setup(inst)
    result = solve(inst, time_limit_s=3, workers=1, seed=0)
    if result.status == "INFEASIBLE":
        return
    assert result.violations == []
    chosen = [options.index_of(c) for c in result.classes]
    assert None not in chosen
    check_rows_hold(inst, system, options, [i for i in chosen if i is not None])
    check_rows_hold(inst, system, options, greedy_schedule(studio, options))


@pytest.mark.parametrize("day_cap", [None, 1])
def test_rows_hold_with_pins_and_day_cap(day_cap: int | None) -> None:
    inst = example_instance().model_copy(update={"max_classes_per_trainer_day": day_cap})
    _, options, system, _ = setup(inst)
    result = solve(inst, time_limit_s=3, workers=1, seed=0)
    assert result.violations == []
    assert validate_schedule(inst, Schedule(classes=result.classes)) == []
    chosen = [options.index_of(c) for c in result.classes]
    check_rows_hold(inst, system, options, [i for i in chosen if i is not None])
    assert system.lower.sum() == len(inst.pinned)


@pytest.mark.parametrize("day_cap", [None, 1])
def test_bounds_with_pins_stay_above_the_proved_optimum(day_cap: int | None) -> None:
    """The example week has a pinned class (a fixed column): CP-SAT proves its optimum,
    and no dual bound, polished or not, may fall below it."""
    inst = example_instance().model_copy(update={"max_classes_per_trainer_day": day_cap})
    studio, options, system, values = setup(inst)
    result = solve(inst, time_limit_s=5, workers=1, seed=0)
    stage = next(s for s in result.stages if s.name == "attendance_revenue")
    assert stage.status == "OPTIMAL" and stage.objective is not None
    best = round(stage.objective * studio.settings.solver.scale)
    rng = np.random.default_rng(0)
    m = len(system.rhs)
    for y in [session_cap_duals(system, options, studio, values),
              *(rng.exponential(float(values.max()), m) for _ in range(10))]:
        polished = coordinate_descent(system, values, y, deadline=time.perf_counter() + 5)
        assert dual_bound(system, values, y) >= best
        assert best <= dual_bound(system, values, polished) <= dual_bound(system, values, y) + 1
    cols = initial_columns(options, values, greedy_schedule(studio, options), 1, 0)
    found = column_generation(system, values, cols, deadline=time.perf_counter() + 10)
    assert found.bound >= best


@pytest.mark.parametrize("seed", range(8))
def test_dual_bounds_are_never_below_the_brute_force_optimum(seed: int) -> None:
    inst = random_tiny(seed)
    studio, options, system, values = setup(inst)
    best = brute_force(inst, options.options, studio)
    if best < 0:
        return  # no timetable: nothing to bound
    m = len(system.rhs)
    rng = np.random.default_rng(seed)
    duals = [np.zeros(m), session_cap_duals(system, options, studio, values),
             *(rng.exponential(float(values.max()), m) * (rng.random(m) < 0.5)
               for _ in range(20))]
    for y in duals:
        assert dual_bound(system, values, y) >= best
        polished = coordinate_descent(system, values, y, deadline=time.perf_counter() + 5)
        assert np.all(polished >= 0)
        assert dual_bound(system, values, polished) >= best
        # polishing is exact per row, so it never makes the bound worse
        assert dual_bound(system, values, polished) <= dual_bound(system, values, y) + 1
    for per_slot, per_trainer in ((1, 0), (2, 60)):
        cols = initial_columns(options, values, greedy_schedule(studio, options),
                               per_slot, per_trainer)
        found = column_generation(system, values, cols, deadline=time.perf_counter() + 10,
                                  chunk=1)
        assert found.bound >= best


def test_rows_give_the_model_lp_and_column_generation_reaches_it() -> None:
    """Same relaxation as the CP-SAT model's LP (``relaxation``), reached by pricing."""
    inst = generate_instance("small", 0)
    studio, options, system, values = setup(inst)
    full = lp_relaxation(build_model(studio, options), [int(v) for v in values], 30.0)
    assert full is not None
    caps = dual_bound(system, values, session_cap_duals(system, options, studio, values))
    cols = initial_columns(options, values, greedy_schedule(studio, options))
    found = column_generation(system, values, cols, deadline=time.perf_counter() + 60,
                              tolerance=0.0, start=BoundResult(caps, "session caps", None))
    assert found.converged and found.method == "column generation"
    assert found.x is not None and len(found.x) == len(options)
    # L(y) at the LP duals equals the LP optimum up to HiGHS's tolerances
    assert full.bound - 2 <= found.bound <= full.bound + 2
    assert found.bound <= caps
    bounds = [b for _, b in found.history]
    assert bounds == sorted(bounds, reverse=True)  # the kept bound only tightens


@pytest.mark.parametrize("seed", range(3))
def test_dual_path_solve_is_valid_and_bounded(seed: int) -> None:
    result = solve_is_valid_and_bounded(random_tiny(seed), dual_path(), time_limit_s=2)
    if result is not None:
        assert result.bound_source in ("lp duals", "session caps")


def test_dual_path_on_the_small_studio_keeps_its_time_limit() -> None:
    """One deadline for build and stages: wall time near the limit, gap reported."""
    inst = generate_instance("small", 0)
    limit = 4.0
    result = solve(inst, time_limit_s=limit, workers=1, seed=0, settings=dual_path())
    assert result.violations == []
    assert result.wall_s <= limit + 1.5  # shared 2-core machine: some slack for load
    assert result.build_s > 0
    assert result.bound_source == "lp duals"
    assert result.gap is not None and 0 <= result.gap < 0.05
