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
    Kit,
    Level,
    Mechanic,
    Muscle,
    Pattern,
    Position,
    ProgressionModel,
    Sex,
    Split,
)

_BODY_ONLY: tuple[Kit, ...] = ("body only",)


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
    positions: tuple[Position, ...] = Field(
        default=(), description="joint positions and loads it involves (injury rules use them)")
    needs: tuple[tuple[Kit, ...], ...] = Field(
        default=(), description="fixtures besides its equipment: every group needs one of "
        "its items (a pull-up needs a pull-up bar; a step-up a box, step or bench)")

    def fits_kit(self, kit: frozenset[str] | set[str]) -> bool:
        """Whether a member with ``kit`` (body only always counts) can do it."""
        have = set(kit) | {"body only"}
        return self.equipment in have and all(have.intersection(g) for g in self.needs)

    def kit_words(self) -> str:
        """What it needs, in words: "dumbbell and a bench", "a pull-up bar"."""
        parts: list[str] = [] if self.equipment == "body only" else [self.equipment]
        parts += [" or ".join(g) for g in self.needs]
        return " and ".join(parts) or "no equipment"

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
    equipment: list[Kit] = Field(
        default_factory=lambda: list(_BODY_ONLY),
        description="equipment and fixtures (pull-up bar, dip station, bench, box or step, "
        "rings or suspension trainer) on hand")
    injuries: list[Injury] = Field(default_factory=list)
    hr_max: int | None = Field(default=None, ge=100, le=230,
                               description="measured HRmax, bpm (else Tanaka from age)")
    hr_rest: int | None = Field(default=None, ge=30, le=110, description="resting HR, bpm")
    class_days: list[int] = Field(
        default_factory=list, description="ISO weekdays of the member's studio conditioning "
        "classes; conditioning sessions go there and name the zones to aim for")
    preferences: Preferences = Field(default_factory=Preferences)
    training_history: list[LoggedSet] = Field(default_factory=list)

    @field_validator("goals")
    @classmethod
    def _goals_unique(cls, goals: list[str]) -> list[str]:
        if len(set(goals)) != len(goals):
            raise ValueError("goals must not repeat; rank each goal once")
        return goals

    @field_validator("class_days")
    @classmethod
    def _days(cls, days: list[int]) -> list[int]:
        if any(not 1 <= d <= 7 for d in days) or len(set(days)) != len(days):
            raise ValueError("class_days are distinct ISO weekdays 1-7")
        return sorted(days)

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


class HeartRateTarget(BaseModel):
    """Where a cardio block keeps the heart: zones of the live board and their bpm.

    Zones and bpm come from the member's HRmax (and resting HR where the zone model uses
    heart-rate reserve) with the same zone bounds as the live board (configs/zones.toml)."""

    model_config = ConfigDict(extra="forbid")

    zones: tuple[int, int] = Field(description="lowest and highest zone of the work")
    bpm: tuple[int, int]
    recovery_zone: int | None = Field(default=None, description="zone between intervals")
    recovery_bpm: tuple[int, int] | None = None
    hr_max: int
    hr_rest: int | None = None

    def words(self) -> str:
        zones = f"zone {self.zones[0]}" if self.zones[0] == self.zones[1] else \
            f"zones {self.zones[0]}-{self.zones[1]}"
        text = f"{zones} ({self.bpm[0]}-{self.bpm[1]} bpm)"
        if self.recovery_zone is not None and self.recovery_bpm is not None:
            text += (f", easing to zone {self.recovery_zone} ({self.recovery_bpm[0]}-"
                     f"{self.recovery_bpm[1]} bpm) between bouts")
        return text


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
    heart_rate: HeartRateTarget | None = Field(default=None,
                                               description="cardio blocks: zones to keep")


class Session(BaseModel):
    """One training day. ``day`` is the ISO weekday (1 = Monday)."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=1, le=7)
    focus: str
    estimated_minutes: float = Field(ge=0)
    exercises: list[PlanItem]
    in_class: bool = Field(default=False, description="a studio class the member attends")
    heart_rate: HeartRateTarget | None = Field(
        default=None, description="conditioning sessions: the zones to aim for")


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
                for key in ("in_class", "heart_rate"):  # strength sessions keep their shape
                    if not session[key]:
                        del session[key]
                for item in session["exercises"]:
                    item["intensity"] = {k: v for k, v in item["intensity"].items()
                                         if v is not None}
                    if item["heart_rate"] is None:
                        del item["heart_rate"]
        return data
