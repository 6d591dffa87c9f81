"""Request and response shapes of ``/api/schedules``.

The timetable itself (classes, objective breakdown, violations) is the scheduler library's
own contract (``scheduler.schemas``), passed through unchanged so the CLI, the API and the
pages read the same numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from api.dates import StudioDate
from scheduler.adjust import Suggestion
from scheduler.config import MAX_WEIGHT, ObjectiveWeights
from scheduler.diff import ScheduleDiff
from scheduler.repair import Change, Substitute
from scheduler.schemas import ObjectiveTerm, ScheduledClass, StageReport, Violation

Status = Literal["draft", "published", "archived"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionBounds(_In):
    min: int = Field(ge=0, le=50)
    max: int = Field(ge=0, le=50)


# A scenario: weights that differ from the admin's (unset = the admin's value); names and
# bounds from the scheduler's own model (scheduler.config.ObjectiveWeights).
WeightOverrides = create_model(
    "WeightOverrides", __base__=_In,
    **{name: (float | None, Field(None, ge=0, le=MAX_WEIGHT, description=f.description))
       for name, f in ObjectiveWeights.model_fields.items()})


class GenerateIn(_In):
    name: str | None = Field(None, max_length=200, description="default: scenario + week")
    week_start: StudioDate | None = Field(None, description="a Monday; default the next Monday")
    end_date: StudioDate | None = Field(
        None, description="last day the timetable runs (inclusive); default the Sunday of "
                          "week_start's week. The week repeats up to it, closures skipped")
    weeks: int | None = Field(None, ge=1, le=26, description="instead of end_date: how "
                              "many weeks from week_start")
    time_limit_s: float | None = Field(
        None, gt=0, le=120, description="solver time; default configs/scheduler.toml [studio]")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    sessions: dict[str, SessionBounds] = Field(
        default_factory=dict, description="per class type id: sessions per week (min, max)")
    weights: WeightOverrides | None = Field(None, description="scenario weights")
    instance: dict[str, Any] | None = Field(
        None, description="plan this instance JSON (`spotter schedule example`) instead of "
                          "the studio in the database")


class ScheduleSummary(BaseModel):
    id: str
    name: str
    status: Status
    week_start: date | None
    created_at: datetime
    published_at: datetime | None
    source: str
    solver_status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    classes: int
    predicted_attendance: float


class Baselines(BaseModel):
    """Predicted attendance of the two baselines on the same instance and demand."""

    manager: float = Field(description="manager's draft: popular-times grid, first free "
                                       "qualified trainer and fitting room, no demand model")
    greedy: float = Field(description="demand-aware greedy over every option")


class DateSpan(BaseModel):
    start: date
    end: date
    weeks: int
    closures: list[date] = Field(description="closure dates inside the range: no class runs")


class ScheduleOut(ScheduleSummary):
    schedule: list[ScheduledClass]
    score: float | None = Field(description="the breakdown's total: value terms minus "
                                            "penalties")
    proof: list[str] = Field(description="what the solver proved, in words")
    span: DateSpan | None = Field(description="the dates the weekly timetable runs on")
    proposed_by: str | None = Field(description="name of the trainer who drafted it")
    objective_breakdown: dict[str, ObjectiveTerm]
    violations: list[Violation]
    stages: list[StageReport]
    explanation: list[str]
    notes: list[str]
    demand: dict[str, Any]
    weights: dict[str, float]
    pinned: list[int] = Field(description="indexes into schedule of pinned classes")
    baselines: Baselines | None
    repair: dict[str, Any] | None = None
    names: dict[str, dict[str, str]] = Field(
        description="display names of rooms, trainers and class types by id")


class CompareOut(BaseModel):
    a: ScheduleOut
    b: ScheduleOut
    diff: ScheduleDiff = Field(description="how b differs from a (display names, no ids)")
    same_weights: bool
    weight_differences: dict[str, tuple[float, float]] = Field(
        description="weight name: (a's, b's) for the weights that differ")
    common_weights: dict[str, float] = Field(description="the weights both are scored under "
                                                         "in a_common/b_common (a's)")
    a_common: dict[str, ObjectiveTerm] = Field(description="a's terms under common_weights")
    b_common: dict[str, ObjectiveTerm] = Field(description="b's terms under common_weights")
    common_terms: list[str] = Field(description="terms both timetables were scored on; "
                                                "the common totals add only these")


class PublishOut(BaseModel):
    schedule: ScheduleSummary
    archived: list[str]
    sessions_created: int = Field(description="one per dated class occurrence in the range")
    skipped_closures: int = Field(0, description="occurrences not created: studio closed")
    sessions_kept: int
    sessions_removed: int
    sessions_cancelled: int = Field(description="future classes of the old timetable that "
                                                "had bookings: marked cancelled, not deleted")


class RepairIn(_In):
    change: Change
    time_limit_s: float | None = Field(None, gt=0, le=120)


class RepairOut(BaseModel):
    draft: ScheduleOut
    changes: list[dict[str, Any]]
    substitutes: list[Substitute]


class PinIn(_In):
    index: int = Field(ge=0, description="index of the class in the schedule")
    pinned: bool = True


class AdjustmentsOut(BaseModel):
    schedule_id: str
    history_classes: int
    weeks: int
    ratings: int = Field(0, description="members' class ratings read (recent weeks)")
    suggestions: list[Suggestion]


class TimetableOut(BaseModel):
    """The published week as members see it."""

    id: str
    name: str
    week_start: date | None
    classes: list[ScheduledClass]
    names: dict[str, dict[str, str]]
