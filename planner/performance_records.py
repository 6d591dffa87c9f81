"""Plain records of the performance summary (``planner.performance``): its thresholds,
what it reads (class results, logged sets, check-ins, feedback, planned sessions) and
what it answers. Kept apart so the API, the CLI and the plan adjustments share one shape.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# -- thresholds --------------------------------------------------------------------------


class PerformanceRules(BaseModel):
    """When a trend counts as a trend. Our product choices, each with its reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A week-on-week change of a tenth of the weekly mean is beyond the noise of a
    # normal week (one class more or less moves it by roughly a third).
    load_trend_percent: float = Field(default=10.0, gt=0)
    # Heart-rate recovery 60 s after work (HRR60) drops by a few bpm with accumulated
    # fatigue; losing a bpm a week over three or more classes is a trend, not a bad day.
    recovery_trend_bpm_per_week: float = Field(default=1.0, gt=0)
    min_recovery_points: int = Field(default=3, ge=2)
    min_load_weeks: int = Field(default=3, ge=2)
    # A quarter of the reps faulty is a habit rather than one tired rep (the same share
    # the post-class summary calls an improvement area); over at least ten reps.
    fault_rate_to_regress: float = Field(default=0.25, gt=0, le=1)
    min_reps_for_fault_rate: int = Field(default=10, ge=1)
    # Logged sets the member flagged "form felt off" (or pain) on two separate days.
    flagged_days_to_regress: int = Field(default=2, ge=1)
    # Workouts the member rated 1-2 ("awful", "hard going"): three of them, and at least
    # half of the workouts they rated, say the plan asks more than they recover from,
    # not one bad day; the answer is lighter work (the
    # volume the rules ask for stays).
    low_ratings_to_ease: int = Field(default=3, ge=1)
    low_rating_share_to_ease: float = Field(default=0.5, gt=0, le=1)


# -- inputs ------------------------------------------------------------------------------


class CameraSet(BaseModel):
    """One set the camera counted (``exercise`` is the camera's name: squat, push-up)."""

    model_config = ConfigDict(extra="forbid")

    exercise: str
    reps: int = Field(ge=0)
    faulty: int = Field(default=0, ge=0)


class ClassResult(BaseModel):
    """One post-class summary of the member (``db.live.MemberClassSummary``)."""

    model_config = ConfigDict(extra="forbid")

    class_session_id: str
    on: date
    effort_points: float | None = None
    trimp: float | None = None
    recovery_bpm_60s: float | None = None
    sets: list[CameraSet] = Field(default_factory=list)


class SetRecord(BaseModel):
    """One logged set (``db.training.WorkoutLog``)."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str
    on: date
    reps: int | None = None
    load_kg: float | None = None
    rpe: float | None = None
    pain: bool = False
    poor_form: bool = False
    week: int | None = None
    day: int | None = None


class CheckInRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date
    readiness: float = Field(ge=0, le=100)


class FeedbackRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date
    rating: int | None = Field(default=None, ge=1, le=5)
    commented: bool = False
    comment: str | None = Field(default=None, max_length=2000)
    session: str | None = Field(default=None, description="week-day of the plan session")


class PlannedSession(BaseModel):
    """A session of the active plan on its calendar date (``session_dates``)."""

    model_config = ConfigDict(extra="forbid")

    week: int
    day: int
    on: date
    in_class: bool = False


# -- outputs -----------------------------------------------------------------------------

Direction = Literal["rising", "falling", "steady", "unknown"]


class WeekLoad(BaseModel):
    start: date
    end: date
    classes: int
    effort_points: float
    trimp: float


class LoadTrend(BaseModel):
    weeks: list[WeekLoad]
    effort_points_slope: float | None = Field(description="effort points per week, per week")
    effort_points_change_percent: float | None = Field(
        description="the slope as a percentage of the weekly mean")
    trimp_slope: float | None
    trimp_change_percent: float | None
    direction: Direction
    text: str


class RecoveryPoint(BaseModel):
    on: date
    bpm: float


class RecoveryTrend(BaseModel):
    points: list[RecoveryPoint]
    slope_bpm_per_week: float | None
    mean_bpm: float | None
    direction: Literal["improving", "worsening", "steady", "unknown"]
    text: str


class ExerciseStats(BaseModel):
    exercise: str = Field(description="exercise id (logged) or the camera's exercise name")
    source: Literal["logged", "camera"]
    sets: int
    reps: int
    faulty_reps: int | None = Field(description="camera: reps with a form fault")
    flagged_sets: int | None = Field(description="logged: sets marked form off or pain")
    flagged_days: int | None = None
    fault_rate: float | None = Field(description="faulty reps / reps (camera), flagged "
                                     "sets / sets (logged)")
    top_load_kg: float | None = None


class Adherence(BaseModel):
    planned: int
    done: int
    percent: float | None
    missed: list[str] = Field(description="week-day of the missed sessions")
    text: str


class ReadinessStats(BaseModel):
    check_ins: int
    mean: float | None
    latest: float | None
    text: str


class FeedbackNote(BaseModel):
    """One workout's feedback as the member gave it, for the coach to read."""

    on: date
    session: str | None
    rating: int | None
    comment: str | None


class FeedbackStats(BaseModel):
    ratings: int
    mean_rating: float | None
    low_ratings: int = Field(description="workouts rated 1 or 2")
    comments: int
    text: str
    notes: list[FeedbackNote] = Field(default_factory=list, description="the latest "
                                      "workouts with a comment or a rating of 1-2, newest "
                                      "first (at most 5)")


class Signal(BaseModel):
    """Something planning should act on, with the numbers behind it."""

    kind: Literal["deload_early", "regress", "ease_intensity"]
    exercise: str | None = None
    source: Literal["logged", "camera"] | None = None
    text: str


class PerformanceSummary(BaseModel):
    member_id: str
    start: date
    end: date
    weeks: int
    load: LoadTrend
    recovery: RecoveryTrend
    exercises: list[ExerciseStats]
    adherence: Adherence
    readiness: ReadinessStats
    feedback: FeedbackStats
    signals: list[Signal]
