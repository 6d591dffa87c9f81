"""Plans for many members: one outcome per profile, never an exception.

A batch of thousands must not stop at one bad file: every profile yields an outcome,
``ok`` with the plan, ``infeasible`` with the reasons, or ``invalid`` with what is wrong
with the input. Pure over strings so the CLI can fan it out over processes.

Throughput: each worker process keeps a :class:`~planner.cache.SelectionCache`, and
:func:`grouping_key` lets the caller order the jobs so members who share a week signature
(a studio's kit, goal, level, days, minutes) land in the same worker's chunk: the week is
solved once per signature per worker. Workers also serialise their outcome to a JSON line
themselves, so the parent process only writes text and leaves both cores to planning.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from pydantic import ValidationError

from planner.cache import SelectionCache
from planner.errors import PlanInfeasible, PlannerError
from planner.generator import generate_plan
from planner.models import MemberProfile

_PROCESS_CACHE = SelectionCache()


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


@dataclass(frozen=True)
class BatchResult:
    """What a worker sends back: small fields for the parent's counters and messages, the
    outcome as one JSON line, and the plan as indented JSON when a file is wanted."""

    source: str
    member_id: str | None
    status: str
    reasons: tuple[str, ...]
    line: str
    plan_text: str | None = None


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or '<profile>'}: {e['msg']}"
            for e in exc.errors()[:6]]


def plan_outcome(source: str, profile_json: str | bytes, weeks: int, *,
                 cache: SelectionCache | None = None) -> PlanOutcome:
    """Parse one profile and plan it; every failure becomes a stated outcome."""
    start = time.perf_counter()
    try:
        profile = MemberProfile.model_validate_json(profile_json)
    except ValidationError as exc:
        return PlanOutcome(source, None, "invalid", reasons=_problems(exc),
                           ms=(time.perf_counter() - start) * 1000)
    try:
        plan = generate_plan(profile, weeks, cache=cache)
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
    return plan_outcome(source, text, weeks, cache=_PROCESS_CACHE).to_json_dict()


def batch_job(job: tuple[str, str, int, bool]) -> BatchResult:
    """Process-pool entry point of ``spotter plan batch``: (source, profile JSON, weeks,
    whether the plan is wanted as its own file) -> :class:`BatchResult`."""
    source, text, weeks, want_file = job
    outcome = plan_outcome(source, text, weeks, cache=_PROCESS_CACHE)
    plan_text = json.dumps(outcome.plan, indent=1) if want_file and outcome.plan else None
    return BatchResult(source, outcome.member_id, outcome.status, tuple(outcome.reasons),
                       json.dumps(outcome.to_json_dict()), plan_text)


def grouping_key(profile_json: str | bytes) -> tuple[str, ...]:
    """A cheap sort key that puts profiles with the same week signature next to each other.

    Only orders work (the cache checks the exact signature); unreadable input sorts last
    and is reported by the worker as usual."""
    try:
        data = json.loads(profile_json)
        if not isinstance(data, dict):
            return ("~",)
        prefs = data.get("preferences") or {}
        injuries = sorted(str(i.get("area")) for i in data.get("injuries") or []
                          if isinstance(i, dict))
        kit = data.get("equipment")
        kit = sorted({str(k) for k in kit}) if isinstance(kit, list) else kit
        parts = (kit, data.get("fitness_level"), data.get("goals"),
                 data.get("days_per_week"), data.get("minutes_per_session"), injuries,
                 prefs.get("liked") if isinstance(prefs, dict) else None,
                 prefs.get("disliked") if isinstance(prefs, dict) else None,
                 data.get("class_days"))
        return tuple(json.dumps(p, sort_keys=True) for p in parts)
    except (ValueError, TypeError, AttributeError):
        return ("~",)
