"""Stored ``class_schedules`` rows as response models (one place reads the JSON columns)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.schedules.publishing import span_of
from api.schedules.schemas import Baselines, DateSpan, ScheduleOut, ScheduleSummary
from db.platform import ClassSchedule
from scheduler.config import load_settings
from scheduler.diff import describe
from scheduler.schemas import ScheduledClass, SolveResult
from scheduler.scoring import total_score


def _solve(row: ClassSchedule) -> SolveResult:
    return SolveResult.model_validate(row.result.get("solve") or {
        "status": "UNKNOWN", "objective": None, "best_bound": None, "gap": None,
        "classes": [], "objective_breakdown": {}, "violations": []})


def summary(row: ClassSchedule) -> ScheduleSummary:
    solved = _solve(row)
    return ScheduleSummary(
        id=row.id, name=row.name, status=row.status,  # type: ignore[arg-type]
        week_start=row.week_start, created_at=row.created_at, published_at=row.published_at,
        source=str(row.result.get("source", "studio")), solver_status=solved.status,
        objective=solved.objective, best_bound=solved.best_bound, gap=solved.gap,
        classes=len(solved.classes),
        predicted_attendance=round(sum(c.predicted_attendance for c in solved.classes), 2))


def span(row: ClassSchedule) -> DateSpan | None:
    if row.week_start is None:
        return None
    dates = span_of(row)
    return DateSpan(start=dates.start, end=dates.end, weeks=dates.weeks,
                    closures=[date.fromisoformat(d) for d in row.result.get("closures", [])])


def out(row: ClassSchedule) -> ScheduleOut:
    solved = _solve(row)
    base: dict[str, Any] | None = row.result.get("baselines")
    weights = row.instance.get("weights") or load_settings().weights.model_dump()
    score = solved.score if solved.score is not None else (
        total_score(solved.objective_breakdown) if solved.objective_breakdown else None)
    return ScheduleOut(
        **summary(row).model_dump(), schedule=solved.classes, score=score,
        proof=solved.proof, span=span(row), proposed_by=row.result.get("proposed_by"),
        objective_breakdown=solved.objective_breakdown, violations=solved.violations,
        stages=solved.stages, explanation=solved.explanation,
        notes=list(row.result.get("notes", [])), demand=dict(row.result.get("demand", {})),
        weights=weights, pinned=list(row.result.get("pins", [])),
        baselines=Baselines.model_validate(base) if base else None,
        repair=_named_repair(row), names=dict(row.result.get("names", {})))


def _named_repair(row: ClassSchedule) -> dict[str, Any] | None:
    """The stored repair with its change list re-worded with display names."""
    repair: dict[str, Any] | None = row.result.get("repair")
    if not repair:
        return repair
    names = row.result.get("names", {})
    changes = []
    for ch in repair.get("changes", []):
        before = ScheduledClass.model_validate(ch["before"]) if ch.get("before") else None
        after = ScheduledClass.model_validate(ch["after"]) if ch.get("after") else None
        changes.append({**ch, "detail": describe(ch["kind"], before, after, names)})
    return {**repair, "changes": changes}


def pinned_classes(row: ClassSchedule) -> list[ScheduledClass]:
    classes = row.result.get("solve", {}).get("classes", [])
    return [ScheduledClass.model_validate(classes[i]) for i in row.result.get("pins", [])
            if i < len(classes)]
