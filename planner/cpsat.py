"""A thin, fast writer of CP-SAT models (OR-Tools' CpModelProto) for the selection model.

OR-Tools' Python expression layer spends most of a small model's time flattening
expressions (profiled: ~3/4 of a plan's solve). Writing the proto directly keeps the same
solver and model semantics at a fraction of the cost. Literals follow the proto's
convention: variable ``i``, or ``-i - 1`` for its negation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INT_MAX = 2**40


@dataclass
class SolveResult:
    status: str
    values: list[int]
    wall_seconds: float


class ProtoModel:
    """Just the constraint kinds the planner needs, appended straight to the proto."""

    def __init__(self) -> None:
        from ortools.sat.python import cp_model

        self.model = cp_model.CpModel()  # type: ignore[no-untyped-call]
        self.proto = self.model.Proto()

    def new_var(self, lo: int, hi: int) -> int:
        var = self.proto.variables.add()
        var.domain.extend((lo, hi))
        return len(self.proto.variables) - 1

    def new_bool(self) -> int:
        return self.new_var(0, 1)

    def linear(self, variables: Sequence[int], coefs: Sequence[int], lo: int = -INT_MAX,
               hi: int = INT_MAX, enforce: Sequence[int] = ()) -> None:
        """``lo <= sum(coef * var) <= hi``, only when every ``enforce`` literal holds."""
        ct = self.proto.constraints.add()
        ct.enforcement_literal.extend(enforce)
        ct.linear.vars.extend(variables)
        ct.linear.coeffs.extend(coefs)
        ct.linear.domain.extend((lo, hi))

    def bool_or(self, literals: Sequence[int]) -> None:
        self.proto.constraints.add().bool_or.literals.extend(literals)

    def at_most_one(self, literals: Sequence[int]) -> None:
        self.proto.constraints.add().at_most_one.literals.extend(literals)

    def implication(self, a: int, b: int) -> None:
        self.bool_or((-a - 1, b))

    def maximize(self, variables: Sequence[int], coefs: Sequence[int]) -> None:
        """CP-SAT minimises; a negated objective with scaling -1 reports the maximum."""
        objective = self.proto.objective
        objective.vars.extend(variables)
        objective.coeffs.extend(-c for c in coefs)
        objective.scaling_factor = -1.0

    def hint(self, variables: Sequence[int], values: Sequence[int]) -> None:
        self.proto.solution_hint.vars.extend(variables)
        self.proto.solution_hint.values.extend(values)

    def solve(self, *, deterministic_limit: float, max_seconds: float, seed: int = 0
              ) -> SolveResult:
        """One worker and a fixed seed: the same model always gets the same answer."""
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()  # type: ignore[no-untyped-call]
        params = solver.parameters
        params.num_workers, params.random_seed = 1, seed
        params.max_time_in_seconds = max_seconds
        params.max_deterministic_time = deterministic_limit
        # a tiny model: repeated presolve and probing cost more than they save (measured)
        params.max_presolve_iterations = 1
        params.cp_model_probing_level = 0
        solver.Solve(self.model)
        response = solver.ResponseProto()
        return SolveResult(solver.StatusName(), list(response.solution), response.wall_time)
