"""Staged CP-SAT optimisation of a weekly timetable, with an honest report.

Stage 1 finds any timetable meeting every hard rule (required sessions, pins); if there
is none, the explanation module names a small conflicting set. Stage 2 maximises weighted
attendance + revenue. Stage 3 holds stage 2's value within a tolerance and minimises idle
time, imbalance, trainer-preference breaches and changes to a published timetable. Each
stage is hinted with the previous solution. The objective, bound and gap are read from the
solver, and the result is re-checked by the independent validator.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from ortools.sat.python import cp_model

from scheduler.config import SchedulerSettings
from scheduler.demand import DemandPredictor, demand_for
from scheduler.explain import explain_infeasible, precheck
from scheduler.greedy import greedy_schedule
from scheduler.lns import Objective, improve
from scheduler.model import (
    LinearExpr,
    ModelContext,
    build_model,
    change_expr,
    idle_expr,
    imbalance_expr,
    preference_expr,
    value_expr,
)
from scheduler.options import OptionSet, build_options
from scheduler.schemas import Instance, Schedule, ScheduledClass, SolveResult, StageReport
from scheduler.scoring import score_breakdown
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

log = structlog.get_logger(__name__)

# Building the quality stage (idle-time bounds per trainer and day) takes about a second
# on a studio-sized week, so with less time left it is skipped rather than overrunning.
QUALITY_MIN_S = 1.0


@dataclass
class StageOutcome:
    name: str
    status: str
    chosen: list[int] | None
    objective: int | None
    bound: int | None
    wall_s: float

    def gap(self) -> float | None:
        """CP-SAT's relative gap |objective - bound| / max(1, |objective|), scaled units."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))

    def report(self, scale: int) -> StageReport:
        return StageReport(
            name=self.name, status=self.status,
            objective=None if self.objective is None else self.objective / scale,
            best_bound=None if self.bound is None else self.bound / scale,
            gap=self.gap(), wall_s=round(self.wall_s, 3))


def run_stage(ctx: ModelContext, name: str, objective: LinearExpr | None, *,
              maximize: bool, time_s: float, workers: int, seed: int,
              hint: list[int] | None, first_only: bool = False) -> StageOutcome:
    """One CP-SAT solve of ``ctx.model`` with the given objective and hint."""
    model = ctx.model
    model.clear_hints()  # type: ignore[no-untyped-call]
    model.clear_objective()  # type: ignore[no-untyped-call]
    if hint is not None:
        chosen = set(hint)
        for i, var in enumerate(ctx.x):
            model.add_hint(var, i in chosen)
    if objective is not None:
        (model.maximize if maximize else model.minimize)(objective)
    solver = cp_model.CpSolver()  # type: ignore[no-untyped-call]
    solver.parameters.max_time_in_seconds = max(time_s, 0.05)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # Measured on the generated medium studio: probing and symmetry detection spent most of
    # the time limit in presolve; dual reductions in presolve discarded the hint; loading
    # every slot clique into the LP up front gave the tightest bound within 30 s.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    solver.parameters.keep_all_feasible_solutions_in_presolve = True
    solver.parameters.add_lp_constraints_lazily = False
    if first_only:
        solver.parameters.stop_after_first_solution = True
    started = time.perf_counter()
    status = solver.status_name(solver.solve(model))
    wall = time.perf_counter() - started
    found = status in ("OPTIMAL", "FEASIBLE")
    chosen_idx = None
    if found:
        sol = solver.response_proto.solution
        chosen_idx = [i for i, var in enumerate(ctx.x) if sol[var.Index()]]
    has_obj = found and objective is not None
    outcome = StageOutcome(
        name=name, status=status, chosen=chosen_idx,
        objective=round(solver.objective_value) if has_obj else None,
        bound=round(solver.best_objective_bound) if has_obj else None, wall_s=wall)
    log.info("scheduler.stage", stage=name, status=outcome.status, objective=outcome.objective,
             bound=outcome.bound, wall_s=round(wall, 3), options=len(ctx.x))
    return outcome


def quality_expr(ctx: ModelContext, published: list[ScheduledClass] | None
                 ) -> LinearExpr:
    """Stage 3: weighted idle minutes, imbalance, preference breaches and changes."""
    w, scale = ctx.studio.weights, ctx.studio.settings.solver.scale
    expr = (round(scale * w.idle_minute) * idle_expr(ctx)
            + round(scale * w.imbalance) * imbalance_expr(ctx)
            + round(scale * w.preference) * preference_expr(ctx))
    if published is not None:
        expr += round(scale * w.change) * change_expr(ctx, published)
    return expr


def to_classes(options: OptionSet, chosen: list[int]) -> list[ScheduledClass]:
    return sorted((options.options[i].to_class() for i in chosen),
                  key=lambda c: ("MonTueWedThuFriSatSun".index(c.day), c.start, c.room))


def finish(studio: Studio, options: OptionSet, chosen: list[int], status: str,
           value_bound: int | None, stages: list[StageOutcome],
           published: list[ScheduledClass] | None, started: float) -> SolveResult:
    """The result object: classes, breakdown, validator check, objective/bound/gap."""
    scale = studio.settings.solver.scale
    classes = to_classes(options, chosen)
    value = sum(options.options[i].value for i in chosen)
    gap = None if value_bound is None else abs(value_bound - value) / max(1.0, abs(value))
    return SolveResult(
        status=status, objective=value / scale,
        best_bound=None if value_bound is None else value_bound / scale, gap=gap,
        classes=classes, objective_breakdown=score_breakdown(studio, classes, published),
        violations=validate_schedule(studio.instance, Schedule(classes=classes), studio.settings),
        stages=[s.report(scale) for s in stages], wall_s=round(time.perf_counter() - started, 3))


def failed(status: str, explanation: list[str], stages: list[StageOutcome], scale: int,
           started: float) -> SolveResult:
    return SolveResult(status=status, objective=None, best_bound=None, gap=None, classes=[],
                       objective_breakdown={}, violations=[], explanation=explanation,
                       stages=[s.report(scale) for s in stages],
                       wall_s=round(time.perf_counter() - started, 3))


def _optimise(ctx: ModelContext, name: str, objective: Objective, *, maximize: bool,
              time_s: float, workers: int, seed: int, hint: list[int],
              extra: Callable[[ModelContext], None] | None = None) -> StageOutcome:
    """One stage. Small models: the full CP-SAT model alone. Large models: LNS from the
    hint improves the timetable while the full model (hinted, in a second thread when
    there are two or more workers) works on the bound; the better timetable is kept."""
    cfg = ctx.studio.settings.solver
    started = time.perf_counter()
    expr = objective(ctx)
    if len(ctx.x) < cfg.lns_min_options or cfg.lns_share <= 0:
        return run_stage(ctx, name, expr, maximize=maximize, time_s=time_s, workers=workers,
                         seed=seed, hint=hint)
    box: dict[str, StageOutcome] = {}
    deadline = started + time_s

    def left() -> float:
        return max(deadline - time.perf_counter(), 0.05)

    def full(threads: int) -> None:
        box["full"] = run_stage(ctx, name, expr, maximize=maximize, time_s=left(),
                                workers=threads, seed=seed, hint=hint)

    if workers > 1:  # CP-SAT releases the GIL while solving: both run at once
        bound_until = started + time_s * cfg.bound_share
        thread = threading.Thread(target=lambda: box.update(full=run_stage(
            ctx, name, expr, maximize=maximize, time_s=max(bound_until - time.perf_counter(),
                                                           0.05),
            workers=workers - 1, seed=seed, hint=hint)), daemon=True)
        thread.start()
        # once the bound thread is done, its cores go to the LNS steps
        lns = improve(ctx.studio, ctx.options, hint, objective, maximize=maximize,
                      time_s=left(), workers=lambda: 1 if thread.is_alive() else workers,
                      seed=seed, extra=extra)
        thread.join()
    else:
        lns = improve(ctx.studio, ctx.options, hint, objective, maximize=maximize,
                      time_s=left() * cfg.lns_share, workers=1, seed=seed, extra=extra)
        full(1)
    out = box["full"]
    out.wall_s = time.perf_counter() - started
    better = lns.objective is not None and (
        out.objective is None
        or (lns.objective > out.objective if maximize else lns.objective < out.objective))
    if better or out.chosen is None:
        out.chosen, out.objective = lns.chosen, lns.objective
        if out.status not in ("OPTIMAL",):
            out.status = "FEASIBLE"
    return out


def _required_sessions(ctx: ModelContext, time_s: float, workers: int, seed: int,
                       published: list[int]) -> StageOutcome:
    """Stage 1: a timetable meeting every hard rule. The manager-style greedy usually
    gives one in milliseconds; CP-SAT searches when it misses a minimum or a pin."""
    started = time.perf_counter()
    studio, options = ctx.studio, ctx.options
    chosen = greedy_schedule(studio, options)
    counts = Counter(options.options[i].class_type for i in chosen)
    pins_ok = all(i in set(chosen) for i in options.pinned if i is not None)
    if pins_ok and all(counts[c.id] >= c.min_sessions for c in studio.class_types.values()):
        return StageOutcome("required_sessions", "FEASIBLE", chosen, None, None,
                            time.perf_counter() - started)
    return run_stage(ctx, "required_sessions", None, maximize=False, time_s=time_s,
                     workers=workers, seed=seed, hint=published or chosen, first_only=True)


def solve(instance: Instance, *, demand: DemandPredictor | None = None,
          published: list[ScheduledClass] | None = None, time_limit_s: float = 30.0,
          workers: int | None = None, seed: int | None = None,
          settings: SchedulerSettings | None = None) -> SolveResult:
    """Plan the week: the library's main entry point (plain models in, plain model out)."""
    started = time.perf_counter()
    studio = Studio.build(instance, settings)
    cfg = studio.settings.solver
    workers = workers or cfg.workers
    seed = cfg.seed if seed is None else seed
    options = build_options(studio, demand or demand_for(instance, settings=studio.settings))
    problems = precheck(studio, options)
    if problems:
        return failed("INFEASIBLE", problems, [], cfg.scale, started)
    ctx = build_model(studio, options)
    hint = [i for i in (options.index_of(c) for c in published or []) if i is not None]

    def left() -> float:
        return max(time_limit_s - (time.perf_counter() - started), 0.05)

    first = _required_sessions(ctx, min(left(), time_limit_s * cfg.feasibility_share),
                               workers, seed, hint)
    if first.chosen is None:
        if first.status == "INFEASIBLE":
            words = explain_infeasible(studio, options, cfg.explain_time_s)
            return failed("INFEASIBLE", words, [first], cfg.scale, started)
        return failed(first.status, [
            f"no timetable found within {time_limit_s:g} s ({len(options)} candidate classes); "
            "give it more time or fewer options (coarser slots, fewer rooms)"],
            [first], cfg.scale, started)
    value = _optimise(ctx, "attendance_revenue", value_expr, maximize=True,
                      time_s=left() * cfg.value_share, workers=workers, seed=seed,
                      hint=first.chosen)
    stages = [first, value]
    best = value if value.chosen is not None else first
    assert best.chosen is not None
    status = value.status if value.objective is not None else "FEASIBLE"
    floor = math.ceil((1 - cfg.stage_tolerance) * sum(options.options[i].value
                                                       for i in best.chosen))

    def hold(c: ModelContext) -> None:
        c.model.add(value_expr(c) >= floor)

    if left() < QUALITY_MIN_S:
        stages.append(StageOutcome("quality", "SKIPPED", None, None, None, 0.0))
        return finish(studio, options, best.chosen, status, value.bound, stages, published,
                      started)
    hold(ctx)
    quality = _optimise(ctx, "quality", lambda c: quality_expr(c, published), maximize=False,
                        time_s=left(), workers=workers, seed=seed, hint=best.chosen,
                        extra=hold)
    stages.append(quality)
    if quality.chosen is not None:
        best = quality
    assert best.chosen is not None
    return finish(studio, options, best.chosen, status, value.bound, stages, published, started)
