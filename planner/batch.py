"""Plans for many members: one outcome per profile, never an exception.

A batch of thousands must not stop at one bad file: every profile yields an outcome,
``ok`` with the plan, ``infeasible`` with the reasons, or ``invalid`` with what is wrong
with the input. Pure over strings so the CLI can fan it out over processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pydantic import ValidationError

from planner.errors import PlanInfeasible, PlannerError
from planner.generator import generate_plan
from planner.models import MemberProfile


@dataclass
class PlanOutcome:
    source: str
    member_id: str | None
    status: str                       # ok | infeasible | invalid
    plan: dict[str, object] | None = None
    reasons: list[str] = field(default_factory=list)
    ms: float = 0.0

    def to_json_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source, "member_id": self.member_id,
                                  "status": self.status, "ms": round(self.ms, 1)}
        if self.plan is not None:
            out["plan"] = self.plan
        if self.reasons:
            out["reasons"] = self.reasons
        return out


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or '<profile>'}: {e['msg']}"
            for e in exc.errors()[:6]]


def plan_outcome(source: str, profile_json: str | bytes, weeks: int) -> PlanOutcome:
    """Parse one profile and plan it; every failure becomes a stated outcome."""
    start = time.perf_counter()
    try:
        profile = MemberProfile.model_validate_json(profile_json)
    except ValidationError as exc:
        return PlanOutcome(source, None, "invalid", reasons=_problems(exc),
                           ms=(time.perf_counter() - start) * 1000)
    try:
        plan = generate_plan(profile, weeks)
    except PlanInfeasible as exc:
        return PlanOutcome(source, profile.member_id, "infeasible", reasons=exc.reasons,
                           ms=(time.perf_counter() - start) * 1000)
    except PlannerError as exc:
        return PlanOutcome(source, profile.member_id, "invalid", reasons=[str(exc)],
                           ms=(time.perf_counter() - start) * 1000)
    return PlanOutcome(source, profile.member_id, "ok", plan=plan.to_json_dict(),
                       ms=(time.perf_counter() - start) * 1000)


def plan_outcome_job(job: tuple[str, str, int]) -> dict[str, object]:
    """Process-pool entry point: (source, profile JSON, weeks) -> outcome dict."""
    source, text, weeks = job
    return plan_outcome(source, text, weeks).to_json_dict()
