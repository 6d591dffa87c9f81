"""Stored ``class_schedules`` rows as response models (one place reads the JSON columns)."""

from __future__ import annotations

from typing import Any

from api.schedules.schemas import Baselines, ScheduleOut, ScheduleSummary
from db.platform import ClassSchedule
from scheduler.config import load_settings
from scheduler.schemas import ScheduledClass, SolveResult


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


def out(row: ClassSchedule) -> ScheduleOut:
    solved = _solve(row)
    base: dict[str, Any] | None = row.result.get("baselines")
    weights = row.instance.get("weights") or load_settings().weights.model_dump()
    return ScheduleOut(
        **summary(row).model_dump(), schedule=solved.classes,
        objective_breakdown=solved.objective_breakdown, violations=solved.violations,
        stages=solved.stages, explanation=solved.explanation,
        notes=list(row.result.get("notes", [])), demand=dict(row.result.get("demand", {})),
        weights=weights, pinned=list(row.result.get("pins", [])),
        baselines=Baselines.model_validate(base) if base else None,
        repair=row.result.get("repair"), names=dict(row.result.get("names", {})))


def pinned_classes(row: ClassSchedule) -> list[ScheduledClass]:
    classes = row.result.get("solve", {}).get("classes", [])
    return [ScheduledClass.model_validate(classes[i]) for i in row.result.get("pins", [])
            if i < len(classes)]
