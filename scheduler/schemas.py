"""The documented JSON shapes of the scheduler: the instance (the studio's week to plan)
and the schedule/solution. Field descriptions double as the schema documentation
(``Instance.model_json_schema()``), so the API and the CLI share one contract.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.config import ObjectiveWeights
from scheduler.timegrid import to_minutes

# Bounds that keep every number of an instance meaningful for one studio and keep the
# scaled integer objective (value x scale x attendance) far below CP-SAT's 2**63.
MAX_PLACES = 10_000  # members in one room or class
MAX_PRICE = 100_000.0  # revenue per attendee, in the studio's currency
MAX_SESSIONS = 500  # classes of one type in a week

Day = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class _In(BaseModel):
    # Unknown keys are refused so that a typo ("max_hour") is reported, not silently ignored.
    model_config = ConfigDict(extra="forbid")


def _check_time(value: str) -> str:
    to_minutes(value)
    return value


class Window(_In):
    """A window on one weekday, ``start`` inclusive, ``end`` exclusive (``"24:00"`` allowed)."""

    day: Day
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM, after start")

    _t = field_validator("start", "end")(_check_time)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if to_minutes(self.end) <= to_minutes(self.start):
            raise ValueError(f"window {self.day} {self.start}-{self.end} ends before it starts")
        return self


class Room(_In):
    id: str = Field(min_length=1)
    capacity: int = Field(gt=0, le=MAX_PLACES, description="places for members")
    features: list[str] = Field(default_factory=list, description="e.g. bikes, mirrors, reformers")
    closed: list[Window] = Field(default_factory=list, description="windows the room is closed")


class ClassType(_In):
    id: str = Field(min_length=1)
    name: str | None = None
    duration_min: int = Field(gt=0, le=24 * 60)
    required_features: list[str] = Field(default_factory=list)
    qualification: str | None = Field(None, description="trainer qualification needed")
    revenue_weight: float = Field(0.0, ge=0, le=MAX_PRICE,
                                 description="price or revenue per attendee")
    min_sessions: int = Field(0, ge=0, le=MAX_SESSIONS, description="sessions per week, at least")
    max_sessions: int = Field(ge=0, le=MAX_SESSIONS, description="sessions per week, at most")
    min_capacity: int = Field(1, ge=1, le=MAX_PLACES,
                              description="smallest room capacity that fits the class")
    base_demand: float | None = Field(
        None, ge=0, le=MAX_PLACES,
        description="expected attendees at an average slot (prior demand)"
    )
    category: str | None = Field(None, description="booking category for show-up rates, e.g. HIIT")

    @model_validator(mode="after")
    def _bounds(self) -> ClassType:
        if self.min_sessions > self.max_sessions:
            raise ValueError(
                f"class type {self.id!r}: min_sessions {self.min_sessions} > "
                f"max_sessions {self.max_sessions}"
            )
        return self


class TrainerPreferences(_In):
    avoid: list[Window] = Field(default_factory=list, description="soft: rather not teach then")


class Trainer(_In):
    id: str = Field(min_length=1)
    name: str | None = None
    qualifications: list[str] = Field(default_factory=list)
    availability: list[Window] = Field(description="weekly windows the trainer can teach in")
    max_hours: float | None = Field(None, gt=0, le=7 * 24,
                                     description="per week; default from config (40)")
    popularity: float = Field(1.0, gt=0, le=100,
                              description="demand multiplier (learned trainer effect)")
    preferences: TrainerPreferences = Field(default_factory=TrainerPreferences)


class PinnedClass(_In):
    """A class that must stay exactly as given (room, trainer, day and start)."""

    class_type: str
    room: str
    trainer: str
    day: Day
    start: str

    _t = field_validator("start")(_check_time)


class DemandEntry(_In):
    """Given demand: expected attendees of a class type at a start (before capacity caps)."""

    class_type: str
    day: Day
    start: str
    expected: float = Field(ge=0, le=MAX_PLACES)
    std: float | None = Field(None, ge=0, le=MAX_PLACES)

    _t = field_validator("start")(_check_time)


class Instance(_In):
    """One studio week to plan. ``spotter schedule example`` prints a complete one."""

    name: str = "studio week"
    slot_minutes: int | None = Field(None, gt=0, le=60, description="time grid; default 15")
    changeover_min: int | None = Field(None, ge=0, le=24 * 60,
                                       description="gap between a trainer's classes")
    max_classes_per_trainer_day: int | None = Field(
        None, ge=1, le=96, description="classes one trainer may teach on one day; none = no cap")
    opening_hours: list[Window] = Field(min_length=1)
    rooms: list[Room] = Field(min_length=1)
    class_types: list[ClassType] = Field(min_length=1)
    trainers: list[Trainer] = Field(min_length=1)
    pinned: list[PinnedClass] = Field(default_factory=list)
    demand: list[DemandEntry] | None = Field(None, description="given demand; else the model")
    weights: ObjectiveWeights | None = Field(None, description="override of configs weights")


class ScheduledClass(BaseModel):
    model_config = ConfigDict(extra="ignore")

    class_type: str
    room: str
    trainer: str
    day: Day
    start: str
    end: str
    predicted_attendance: float = 0.0

    _t = field_validator("start", "end")(_check_time)


class Schedule(BaseModel):
    """A timetable; the ``solve`` output is accepted as is (extra keys are ignored)."""

    model_config = ConfigDict(extra="ignore")

    classes: list[ScheduledClass]


class Violation(BaseModel):
    constraint: str = Field(description="the hard constraint family, e.g. trainer_double_booked")
    message: str
    classes: list[int] = Field(default_factory=list, description="indexes into the schedule")


class PenaltyItem(BaseModel):
    involves: list[str]
    value: float
    detail: str


class ObjectiveTerm(BaseModel):
    weight: float
    value: float = Field(description="raw value in the term's unit")
    weighted: float
    unit: str
    stage: Literal["value", "quality"]
    items: list[PenaltyItem] = Field(default_factory=list)


class StageReport(BaseModel):
    name: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_s: float
    bound_source: str | None = Field(
        default=None, description="where best_bound came from (cp-sat, lp, lp duals, ...)")


class SolveResult(BaseModel):
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    classes: list[ScheduledClass]
    objective_breakdown: dict[str, ObjectiveTerm]
    violations: list[Violation]
    explanation: list[str] = Field(default_factory=list)
    stages: list[StageReport] = Field(default_factory=list)
    wall_s: float = 0.0
    bound_source: str | None = Field(
        default=None, description="which method gave best_bound: 'cp-sat' (the full model), "
        "'lp' (the LP relaxation), 'lp duals' (column generation priced over every option) "
        "or 'session caps' (each class type's best options); all valid upper bounds")
    build_s: float = Field(default=0.0, description="seconds spent building candidate "
                           "classes and bound rows before any search, inside wall_s")
    notes: list[str] = Field(default_factory=list,
                             description="plain-words remarks, e.g. a slow build")
    score: float | None = Field(
        default=None, description="the objective breakdown's total: attendance and revenue "
        "terms added, idle time, imbalance, preference and change penalties subtracted")
    proof: list[str] = Field(
        default_factory=list, description="what each stage proved, in words; status is "
        "OPTIMAL only when every optimising stage proved its optimum")
