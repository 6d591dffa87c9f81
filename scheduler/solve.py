"""Staged CP-SAT optimisation of a weekly timetable, with an honest report.

Stage 1 finds any timetable meeting every hard rule (required sessions, pins); if there
is none, the explanation module names a small conflicting set. Stage 2 maximises weighted
attendance + revenue. Stage 3 holds stage 2's value within a tolerance and minimises idle
time, imbalance, trainer-preference breaches and changes to a published timetable. Each
stage is hinted with the previous solution. Small weeks are solved by CP-SAT alone (and
usually proved optimal); studio-sized weeks take their stage-2 bound from the LP relaxation
(``relaxation``), start from the LP-guided greedy and spend the stage on CP-SAT LNS. The
objective, bound and gap are computed by the solvers, never set, and the result is
re-checked by the independent validator.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable

import structlog

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
from scheduler.relaxation import lp_guided_start, lp_relaxation
from scheduler.schemas import Instance, Schedule, ScheduledClass, SolveResult
from scheduler.scoring import score_breakdown
from scheduler.stage import StageOutcome, run_stage
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

log = structlog.get_logger(__name__)

# Building the quality stage (idle-time bounds per trainer and day) takes about a second
# on a studio-sized week, so with less time left it is skipped rather than overrunning.
QUALITY_MIN_S = 1.0


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


def _meets_rules(studio: Studio, options: OptionSet, chosen: list[int]) -> bool:
    """Minimum sessions and pins: the two rules a greedy start may miss (no backtracking)."""
    counts = Counter(options.options[i].class_type for i in chosen)
    taken = set(chosen)
    return (all(i in taken for i in options.pinned if i is not None)
            and all(counts[c.id] >= c.min_sessions for c in studio.class_types.values()))


def _lp_stage(ctx: ModelContext, name: str, objective: Objective, *, time_s: float,
              workers: int, seed: int, hint: list[int],
              extra: Callable[[ModelContext], None] | None) -> StageOutcome | None:
    """Value stage of a large model: LP relaxation for the bound and a guided start, then
    LNS on every worker for the rest of the stage. None when the LP did not finish."""
    started = time.perf_counter()
    cfg = ctx.studio.settings.solver
    values = [o.value for o in ctx.options.options]
    relaxed = lp_relaxation(ctx, values, time_s * cfg.lp_share)
    if relaxed is None:
        return None
    start = hint
    guided = lp_guided_start(ctx.studio, ctx.options, relaxed.x)

    def value(chosen: list[int]) -> int:
        return sum(values[i] for i in chosen)

    if value(guided) > value(hint) and _meets_rules(ctx.studio, ctx.options, guided):
        start = guided
    log.info("scheduler.start", hint=value(hint), lp_guided=value(guided), lp=relaxed.bound)
    left = time_s - (time.perf_counter() - started)
    lns = improve(ctx.studio, ctx.options, start, objective, maximize=True, time_s=left,
                  workers=workers, seed=seed, extra=extra, stop_at=relaxed.bound)
    best = lns.objective if lns.objective is not None else value(start)
    return StageOutcome(name, "OPTIMAL" if best >= relaxed.bound else "FEASIBLE",
                        lns.chosen, best, relaxed.bound, time.perf_counter() - started)


def _optimise(ctx: ModelContext, name: str, objective: Objective, *, maximize: bool,
              time_s: float, workers: int, seed: int, hint: list[int],
              extra: Callable[[ModelContext], None] | None = None) -> StageOutcome:
    """One stage. Small models: the full CP-SAT model alone. Large models: LNS from the
    hint improves the timetable; the bound comes from the LP relaxation (value stage,
    ``solver.bound = "lp"``) or from the full model in a second thread ("cpsat")."""
    cfg = ctx.studio.settings.solver
    started = time.perf_counter()
    if len(ctx.x) < cfg.lns_min_options or cfg.lns_share <= 0:
        return run_stage(ctx, name, objective(ctx), maximize=maximize, time_s=time_s,
                         workers=workers, seed=seed, hint=hint)
    if cfg.bound == "lp" and len(ctx.x) <= cfg.lp_max_options:
        if maximize:  # the value stage: the one whose gap is reported
            staged = _lp_stage(ctx, name, objective, time_s=time_s, workers=workers,
                               seed=seed, hint=hint, extra=extra)
            if staged is not None:
                return staged
        else:  # the quality stage reports no gap: every core searches
            lns = improve(ctx.studio, ctx.options, hint, objective, maximize=False,
                          time_s=time_s, workers=workers, seed=seed, extra=extra, stop_at=0)
            return StageOutcome(name, "FEASIBLE" if lns.objective is not None else "UNKNOWN",
                                lns.chosen if lns.objective is not None else None,
                                lns.objective, None, time.perf_counter() - started)
    expr = objective(ctx)
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
