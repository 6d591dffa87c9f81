"""Staged CP-SAT optimisation of a weekly timetable, with an honest report.

Stage 1 finds any timetable meeting every hard rule (required sessions, pins); if there
is none, the explanation module names a small conflicting set. Stage 2 maximises weighted
attendance + revenue. Stage 3 holds stage 2's value within a tolerance and minimises idle
time, imbalance, trainer-preference breaches and changes to a published timetable. Each
stage is hinted with the previous solution. Small weeks are solved by CP-SAT alone (and
usually proved optimal); studio-sized weeks take their stage-2 bound from the LP relaxation
(``relaxation``), start from the LP-guided greedy and spend the stage on CP-SAT LNS. Above
``lp_max_options`` (the large studio) the full LP and even the full CP-SAT model cost most
of a minute, so the bound comes from LP duals priced over every option (``bounds``:
column generation, valid at every round by weak duality) and the full model is never
built. Everything spends from one deadline. The objective, bound and gap are computed by
the solvers, never set, and the result is re-checked by the independent validator.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import structlog

from scheduler.bounds import (
    BoundResult,
    FloatArray,
    build_rows,
    column_generation,
    dual_bound,
    initial_columns,
    session_cap_duals,
)
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
from scheduler.scoring import score_breakdown, total_score
from scheduler.stage import StageOutcome, run_stage
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

log = structlog.get_logger(__name__)

# Building the quality stage (idle-time bounds per trainer and day) takes about a second
# on a studio-sized week, so with less time left it is skipped rather than overrunning.
QUALITY_MIN_S = 1.0
# Validation and the score breakdown of the returned timetable (~0.3 s on the large
# studio, measured) happen after the last stage: kept out of the stages' time.
FINISH_RESERVE_S = 0.5
# A build (candidate classes, bound rows) taking more than this share of the time limit
# is reported in the result's notes: the search then had little time left.
SLOW_BUILD_SHARE = 0.25


@dataclass
class LazyModel:
    """The full CP-SAT model, built on first use. The large studio's value stage (bound
    from LP duals, search by LNS on sub-models) never needs it, and building it cost
    ~6 s of a 60 s budget there (254k options, measured); small models use it always.
    ``extras`` (stage constraints such as holding stage 2's value) are applied to it
    whenever it exists."""

    studio: Studio
    options: OptionSet
    ctx: ModelContext | None = None
    build_s: float = 0.0
    extras: list[Callable[[ModelContext], None]] = field(default_factory=list)

    def get(self) -> ModelContext:
        if self.ctx is None:
            started = time.perf_counter()
            self.ctx = build_model(self.studio, self.options)
            for extra in self.extras:
                extra(self.ctx)
            self.build_s = time.perf_counter() - started
            log.info("scheduler.model", options=len(self.options), wall_s=round(self.build_s, 3))
        return self.ctx

    def add(self, extra: Callable[[ModelContext], None]) -> None:
        self.extras.append(extra)
        if self.ctx is not None:
            extra(self.ctx)


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


@dataclass
class RunInfo:
    """What the result reports beside the timetable: build time and plain-words notes."""

    started: float
    build_s: float = 0.0
    notes: list[str] = field(default_factory=list)


STAGE_WORDS = {"attendance_revenue": "attendance and revenue",
               "quality": "trainer comfort, balance and changes (within "
                          "{tol:g} % of the best attendance and revenue)"}


def proven(stages: list[StageOutcome], tolerance: float, scale: int
           ) -> tuple[str, list[str]]:
    """The overall status and what each optimising stage proved, in words. OPTIMAL only
    when every optimising stage proved its optimum; a stage stopped by the clock or
    skipped leaves the whole solve FEASIBLE (a good timetable, not a proved best)."""
    lines = []
    scored = [s for s in stages if s.name in STAGE_WORDS]
    for s in scored:
        what = STAGE_WORDS[s.name].format(tol=100 * tolerance)
        if s.status == "OPTIMAL":
            lines.append(f"{what}: proved optimal")
        elif s.status == "SKIPPED":
            lines.append(f"{what}: not optimised (no time left)")
        elif s.objective is None or s.bound is None:
            lines.append(f"{what}: best found when time ran out, not proved optimal")
        elif s.name == "quality":  # minimised penalties: the bound is a floor
            lines.append(f"{what}: best found when time ran out, not proved optimal "
                         f"(penalties {s.objective / scale:.2f}; no timetable can go below "
                         f"{max(s.bound, 0) / scale:.2f})")
        else:
            lines.append(f"{what}: best found when time ran out, not proved optimal "
                         f"(value {s.objective / scale:.2f}; no timetable can exceed "
                         f"{s.bound / scale:.2f})")
    ok = bool(scored) and all(s.status == "OPTIMAL" for s in scored)
    return ("OPTIMAL" if ok else "FEASIBLE"), lines


def finish(studio: Studio, options: OptionSet, chosen: list[int],
           value_stage: StageOutcome, stages: list[StageOutcome],
           published: list[ScheduledClass] | None, run: RunInfo) -> SolveResult:
    """The result object: classes, breakdown, validator check, objective/bound/gap."""
    scale = studio.settings.solver.scale
    classes = to_classes(options, chosen)
    value = sum(options.options[i].value for i in chosen)
    value_bound = value_stage.bound
    gap = None if value_bound is None else abs(value_bound - value) / max(1.0, abs(value))
    status, proof = proven(stages, studio.settings.solver.stage_tolerance, scale)
    breakdown = score_breakdown(studio, classes, published)
    return SolveResult(
        status=status, proof=proof, score=total_score(breakdown), objective=value / scale,
        best_bound=None if value_bound is None else value_bound / scale, gap=gap,
        classes=classes, objective_breakdown=breakdown,
        violations=validate_schedule(studio.instance, Schedule(classes=classes), studio.settings),
        stages=[s.report(scale) for s in stages],
        wall_s=round(time.perf_counter() - run.started, 3),
        bound_source=value_stage.bound_source if value_bound is not None else None,
        build_s=round(run.build_s, 3), notes=run.notes)


def failed(status: str, explanation: list[str], stages: list[StageOutcome], scale: int,
           run: RunInfo) -> SolveResult:
    return SolveResult(status=status, objective=None, best_bound=None, gap=None, classes=[],
                       objective_breakdown={}, violations=[], explanation=explanation,
                       stages=[s.report(scale) for s in stages],
                       wall_s=round(time.perf_counter() - run.started, 3),
                       build_s=round(run.build_s, 3), notes=run.notes)


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
    start = _better_start(ctx.studio, ctx.options, hint, relaxed.x, relaxed.bound)
    left = time_s - (time.perf_counter() - started)
    lns = improve(ctx.studio, ctx.options, start, objective, maximize=True, time_s=left,
                  workers=workers, seed=seed, extra=extra, stop_at=relaxed.bound)
    best = lns.objective if lns.objective is not None else _value(ctx.options, start)
    return StageOutcome(name, "OPTIMAL" if best >= relaxed.bound else "FEASIBLE",
                        lns.chosen, best, relaxed.bound, time.perf_counter() - started, "lp")


def _value(options: OptionSet, chosen: list[int]) -> int:
    return sum(options.options[i].value for i in chosen)


def _better_start(studio: Studio, options: OptionSet, hint: list[int],
                  x: FloatArray | None, bound: int) -> list[int]:
    """The LP-guided greedy when it beats the hint and keeps every rule, else the hint."""
    if x is None:
        return hint
    guided = lp_guided_start(studio, options, x)
    better = (_value(options, guided) > _value(options, hint)
              and _meets_rules(studio, options, guided))
    log.info("scheduler.start", hint=_value(options, hint), lp_guided=_value(options, guided),
             bound=bound)
    return guided if better else hint


def dual_path_bound(studio: Studio, options: OptionSet, hint: list[int], deadline: float
                    ) -> BoundResult:
    """The large studio's bound: min over valid L(y) (``scheduler.bounds``) -- the session
    caps' closed form at once, then column generation's LP duals until ``deadline``."""
    values = np.asarray([o.value for o in options.options], dtype=np.float64)
    started = time.perf_counter()
    system = build_rows(studio, options)
    caps = dual_bound(system, values, session_cap_duals(system, options, studio, values))
    log.info("scheduler.bound.rows", rows=system.matrix.shape[0], nnz=system.matrix.nnz,
             session_caps=caps, wall_s=round(time.perf_counter() - started, 3))
    cfg = studio.settings.solver
    columns = initial_columns(options, values, hint, cfg.cg_per_slot, cfg.cg_per_trainer)
    first = BoundResult(caps, "session caps", None,
                        history=[(time.perf_counter() - started, caps)])
    return column_generation(system, values, columns, deadline=deadline,
                             chunk=cfg.cg_chunk, tolerance=cfg.cg_tolerance, start=first,
                             started=started)


def _dual_stage(studio: Studio, options: OptionSet, name: str, objective: Objective, *,
                time_s: float, workers: int, seed: int, hint: list[int],
                extra: Callable[[ModelContext], None] | None) -> StageOutcome:
    """Value stage above ``lp_max_options``: the bound from LP duals priced over every
    option (no full model is built), a start guided by the restricted LP, then LNS."""
    started = time.perf_counter()
    cfg = studio.settings.solver
    bound = dual_path_bound(studio, options, hint, started + time_s * cfg.dual_share)
    start = _better_start(studio, options, hint, bound.x, bound.bound)
    left = time_s - (time.perf_counter() - started)
    lns = improve(studio, options, start, objective, maximize=True, time_s=left,
                  workers=workers, seed=seed, extra=extra, stop_at=bound.bound)
    best = lns.objective if lns.objective is not None else _value(options, start)
    source = "lp duals" if bound.method == "column generation" else bound.method
    log.info("scheduler.bound", bound=bound.bound, source=source, rounds=bound.rounds,
             columns=bound.columns, converged=bound.converged,
             history=[(round(t, 1), b) for t, b in bound.history])
    return StageOutcome(name, "OPTIMAL" if best >= bound.bound else "FEASIBLE", lns.chosen,
                        best, bound.bound, time.perf_counter() - started, source)


def _optimise(model: LazyModel, name: str, objective: Objective, *, maximize: bool,
              time_s: float, workers: int, seed: int, hint: list[int],
              extra: Callable[[ModelContext], None] | None = None) -> StageOutcome:
    """One stage. Small models: the full CP-SAT model alone. Large models: LNS from the
    hint improves the timetable; the value stage's bound comes from the LP relaxation
    (``solver.bound = "lp"``; above ``lp_max_options`` from LP duals by column
    generation) or from the full model in a second thread ("cpsat")."""
    studio, options = model.studio, model.options
    cfg = studio.settings.solver
    started = time.perf_counter()
    if len(options) < cfg.lns_min_options or cfg.lns_share <= 0:
        return run_stage(model.get(), name, objective(model.get()), maximize=maximize,
                         time_s=time_s, workers=workers, seed=seed, hint=hint)
    if cfg.bound == "lp":
        if maximize and len(options) > cfg.lp_max_options:
            return _dual_stage(studio, options, name, objective, time_s=time_s,
                               workers=workers, seed=seed, hint=hint, extra=extra)
        if maximize:  # the value stage: the one whose gap is reported
            staged = _lp_stage(model.get(), name, objective, time_s=time_s, workers=workers,
                               seed=seed, hint=hint, extra=extra)
            if staged is not None:
                return staged
        else:  # the quality stage reports no gap: every core searches
            lns = improve(studio, options, hint, objective, maximize=False,
                          time_s=time_s, workers=workers, seed=seed, extra=extra, stop_at=0)
            return StageOutcome(name, "FEASIBLE" if lns.objective is not None else "UNKNOWN",
                                lns.chosen if lns.objective is not None else None,
                                lns.objective, None, time.perf_counter() - started)
    ctx = model.get()
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
        lns = improve(studio, options, hint, objective, maximize=maximize,
                      time_s=left(), workers=lambda: 1 if thread.is_alive() else workers,
                      seed=seed, extra=extra)
        thread.join()
    else:
        lns = improve(studio, options, hint, objective, maximize=maximize,
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


def _required_sessions(model: LazyModel, time_s: float, workers: int, seed: int,
                       published: list[int]) -> StageOutcome:
    """Stage 1: a timetable meeting every hard rule. The manager-style greedy usually
    gives one in milliseconds; CP-SAT searches when it misses a minimum or a pin."""
    started = time.perf_counter()
    studio, options = model.studio, model.options
    chosen = greedy_schedule(studio, options)
    if _meets_rules(studio, options, chosen):
        return StageOutcome("required_sessions", "FEASIBLE", chosen, None, None,
                            time.perf_counter() - started)
    return run_stage(model.get(), "required_sessions", None, maximize=False,
                     time_s=max(time_s - (time.perf_counter() - started), 0.05),
                     workers=workers, seed=seed, hint=published or chosen, first_only=True)


def solve(instance: Instance, *, demand: DemandPredictor | None = None,
          published: list[ScheduledClass] | None = None, time_limit_s: float = 30.0,
          workers: int | None = None, seed: int | None = None,
          settings: SchedulerSettings | None = None) -> SolveResult:
    """Plan the week: the library's main entry point (plain models in, plain model out).

    Every step -- building the candidate classes, the model or bound rows, and each stage
    -- spends from one deadline, ``time_limit_s`` after the call, so the wall time stays
    near the limit; a build that eats much of it is named in ``notes``."""
    run = RunInfo(time.perf_counter())
    deadline = run.started + time_limit_s
    studio = Studio.build(instance, settings)
    cfg = studio.settings.solver
    workers = workers or cfg.workers
    seed = cfg.seed if seed is None else seed
    options = build_options(studio, demand or demand_for(instance, settings=studio.settings))
    run.build_s = time.perf_counter() - run.started
    problems = precheck(studio, options)
    if problems:
        return failed("INFEASIBLE", problems, [], cfg.scale, run)
    model = LazyModel(studio, options)
    if len(options) <= cfg.lp_max_options or cfg.bound != "lp":
        model.get()  # every path but the large LP-duals one reads the full model
    hint = [i for i in (options.index_of(c) for c in published or []) if i is not None]

    def left() -> float:
        return max(deadline - time.perf_counter() - FINISH_RESERVE_S, 0.05)

    first = _required_sessions(model, min(left(), time_limit_s * cfg.feasibility_share),
                               workers, seed, hint)
    run.build_s += model.build_s
    if run.build_s > SLOW_BUILD_SHARE * time_limit_s:
        run.notes.append(
            f"building {len(options)} candidate classes and the model took {run.build_s:.1f} s "
            f"of the {time_limit_s:g} s limit; coarser slots or fewer rooms/trainers per "
            "class type leave more time to the search")
    if first.chosen is None:
        if first.status == "INFEASIBLE":
            words = explain_infeasible(studio, options, cfg.explain_time_s)
            return failed("INFEASIBLE", words, [first], cfg.scale, run)
        return failed(first.status, [
            f"no timetable found within {time_limit_s:g} s ({len(options)} candidate classes); "
            "give it more time or fewer options (coarser slots, fewer rooms)"],
            [first], cfg.scale, run)
    value = _optimise(model, "attendance_revenue", value_expr, maximize=True,
                      time_s=left() * cfg.value_share, workers=workers, seed=seed,
                      hint=first.chosen)
    stages = [first, value]
    best = value if value.chosen is not None else first
    assert best.chosen is not None
    floor = math.ceil((1 - cfg.stage_tolerance) * _value(options, best.chosen))

    def hold(c: ModelContext) -> None:
        c.model.add(value_expr(c) >= floor)

    if left() < QUALITY_MIN_S:
        stages.append(StageOutcome("quality", "SKIPPED", None, None, None, 0.0))
        return finish(studio, options, best.chosen, value, stages, published, run)
    model.add(hold)
    quality = _optimise(model, "quality", lambda c: quality_expr(c, published), maximize=False,
                        time_s=left(), workers=workers, seed=seed, hint=best.chosen,
                        extra=hold)
    stages.append(quality)
    if quality.chosen is not None:
        best = quality
    assert best.chosen is not None
    return finish(studio, options, best.chosen, value, stages, published, run)
