"""Plain data the planner works on: exercises, member profiles, plans.

All models are pydantic so the CLI, the API and the tests share one JSON contract; the
planner functions themselves never read files or clocks.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.vocab import (
    Category,
    Equipment,
    Force,
    Goal,
    InjuryArea,
    Level,
    Mechanic,
    Muscle,
    Pattern,
    ProgressionModel,
    Sex,
    Split,
)

_BODY_ONLY: tuple[Equipment, ...] = ("body only",)


class Exercise(BaseModel):
    """One library entry: facts from the dataset plus the planner's own fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[0-9A-Za-z_\-]+$")
    name: str = Field(min_length=1)
    primary_muscles: tuple[Muscle, ...] = Field(min_length=1)
    secondary_muscles: tuple[Muscle, ...] = ()
    equipment: Equipment
    level: Level
    category: Category
    mechanic: Mechanic | None = None
    force: Force | None = None
    # planner fields
    pattern: Pattern
    contraindications: tuple[InjuryArea, ...] = ()
    regressions: tuple[str, ...] = ()
    progressions: tuple[str, ...] = ()
    timed: bool = Field(default=False, description="dosed in seconds (holds, carries, intervals)")
    staple: bool = Field(default=False, description="a common, well-coached variant")
    specialty: bool = Field(default=False,
                            description="needs special kit or coaching; never auto-planned")
    difficulty: float = Field(default=0.0, description="ordering used for regressions/progressions")

    @property
    def loadable(self) -> bool:
        """Whether a load in kg makes sense (an estimated 1RM can be kept for it)."""
        return self.equipment in {"barbell", "dumbbell", "cable", "machine", "kettlebells",
                                  "e-z curl bar"} and not self.timed


class Injury(BaseModel):
    """A limitation the plan must train around."""

    model_config = ConfigDict(extra="forbid")

    area: InjuryArea
    note: str = ""


class LoggedSet(BaseModel):
    """One performed set, as the member logged it."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str = Field(min_length=1)
    date: date
    load_kg: float = Field(ge=0, le=1000)
    reps: int = Field(ge=1, le=100)
    rpe: float | None = Field(default=None, ge=1, le=10)


class Preferences(BaseModel):
    """Likes, dislikes and how the member wants intensity written."""

    model_config = ConfigDict(extra="forbid")

    liked: list[str] = Field(default_factory=list, description="exercise ids to favour")
    disliked: list[str] = Field(default_factory=list, description="exercise ids never to plan")
    intensity_mode: Literal["auto", "percent_1rm"] = Field(
        default="auto",
        description="auto: kg from history, else RPE; percent_1rm: %1RM for loadable lifts")
    progression_model: ProgressionModel | None = Field(
        default=None, description="override the level-based choice of progression model")


class MemberProfile(BaseModel):
    """Everything plan generation needs about one member (the documented input JSON)."""

    model_config = ConfigDict(extra="forbid")

    member_id: str = Field(min_length=1)
    age: int = Field(ge=13, le=100)
    sex: Sex
    body_weight_kg: float = Field(gt=25, le=350)
    goals: list[Goal] = Field(min_length=1, description="ranked, most important first")
    fitness_level: Level
    days_per_week: int = Field(ge=1, le=7)
    minutes_per_session: int = Field(ge=20, le=180)
    equipment: list[Equipment] = Field(default_factory=lambda: list(_BODY_ONLY))
    injuries: list[Injury] = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=Preferences)
    training_history: list[LoggedSet] = Field(default_factory=list)

    @field_validator("goals")
    @classmethod
    def _goals_unique(cls, goals: list[str]) -> list[str]:
        if len(set(goals)) != len(goals):
            raise ValueError("goals must not repeat; rank each goal once")
        return goals

    @property
    def primary_goal(self) -> str:
        return self.goals[0]

    @property
    def injury_areas(self) -> frozenset[str]:
        return frozenset(injury.area for injury in self.injuries)

    @property
    def available_equipment(self) -> frozenset[str]:
        return frozenset(self.equipment) | {"body only"}


class Intensity(BaseModel):
    """Exactly one of %1RM, RPE or an absolute load."""

    model_config = ConfigDict(extra="forbid")

    percent_1rm: float | None = Field(default=None, gt=0, le=100)
    rpe: float | None = Field(default=None, ge=1, le=10)
    load_kg: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Intensity:
        given = [v for v in (self.percent_1rm, self.rpe, self.load_kg) if v is not None]
        if len(given) != 1:
            raise ValueError("intensity needs exactly one of percent_1rm, rpe, load_kg")
        return self

    @property
    def kind(self) -> str:
        if self.percent_1rm is not None:
            return "percent_1rm"
        return "rpe" if self.rpe is not None else "load_kg"


class PlanItem(BaseModel):
    """One exercise in one session, with its dose and the reason for both."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str
    name: str
    primary_muscles: list[str]
    secondary_muscles: list[str]
    equipment: str
    sets: int = Field(ge=1)
    reps: int | None = Field(default=None, ge=1, description="None for timed items")
    duration_seconds: int | None = Field(default=None, ge=1,
                                         description="set length of timed items")
    rest_seconds: int = Field(ge=0)
    intensity: Intensity
    reason: str


class Session(BaseModel):
    """One training day. ``day`` is the ISO weekday (1 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=1, le=7)
    focus: str
    estimated_minutes: float = Field(ge=0)
    exercises: list[PlanItem]


class Week(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: int = Field(ge=1)
    deload: bool
    sessions: list[Session]


class Plan(BaseModel):
    """A multi-week plan, the JSON that ``spotter plan generate --json`` prints."""

    model_config = ConfigDict(extra="forbid")

    member_id: str
    split: Split
    progression_model: ProgressionModel
    weeks: list[Week]
    weekly_sets_per_muscle: dict[str, float]
    warnings: list[str] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, object]:
        """The CLI/API shape: intensity objects carry only their one key."""
        data = self.model_dump(mode="json")
        for week in data["weeks"]:
            for session in week["sessions"]:
                for item in session["exercises"]:
                    item["intensity"] = {k: v for k, v in item["intensity"].items()
                                         if v is not None}
        return data
