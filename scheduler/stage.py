"""One CP-SAT stage of the timetable search and its outcome (objective, bound, gap).

Kept apart from ``solve`` so that the staged search, the LP-bounded search and repair all
run their stages the same way, with the same measured solver parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from ortools.sat.python import cp_model

from scheduler.model import LinearExpr, ModelContext
from scheduler.schemas import StageReport

log = structlog.get_logger(__name__)


@dataclass
class StageOutcome:
    name: str
    status: str
    chosen: list[int] | None
    objective: int | None
    bound: int | None
    wall_s: float
    bound_source: str | None = None

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
            gap=self.gap(), wall_s=round(self.wall_s, 3), bound_source=self.bound_source)


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
        bound=round(solver.best_objective_bound) if has_obj else None, wall_s=wall,
        bound_source="cp-sat" if has_obj else None)
    log.info("scheduler.stage", stage=name, status=outcome.status, objective=outcome.objective,
             bound=outcome.bound, wall_s=round(wall, 3), options=len(ctx.x))
    return outcome
