"""API shapes of what members log: sets, readiness check-ins, feedback on a workout."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from planner.models import MemberProfile
from planner.readiness import MemberStatus, ReadinessCheckIn


class SetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    load_kg: float | None = Field(default=None, ge=0, le=1000, description="none: body weight")
    reps: int = Field(ge=0, le=100)
    rpe: float | None = Field(default=None, ge=1, le=10)


class LogIn(BaseModel):
    """Sets of one planned exercise, logged against the member's active plan."""

    model_config = ConfigDict(extra="forbid")

    plan_id: str | None = Field(default=None, max_length=64, description="default: active plan")
    week: int = Field(ge=1, le=52)
    day: int = Field(ge=1, le=7, description="ISO weekday of the planned session")
    exercise_id: str = Field(min_length=1, max_length=128)
    performed_on: date | None = Field(default=None, description="default: today (UTC)")
    sets: list[SetIn] = Field(min_length=1, max_length=20)
    pain: bool = False
    poor_form: bool = False


class LoggedSetOut(BaseModel):
    id: str
    plan_id: str | None
    week: int | None
    day: int | None
    exercise_id: str
    set_index: int
    performed_on: date
    load_kg: float | None
    reps: int | None
    rpe: float | None
    pain: bool
    poor_form: bool
    applied: bool


class CheckInIn(ReadinessCheckIn):
    checked_on: date | None = Field(default=None, description="default: today (UTC)")


class CheckInOut(BaseModel):
    id: str
    checked_on: date
    answers: ReadinessCheckIn
    status: MemberStatus
    created_at: datetime


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_id: str | None = Field(default=None, max_length=64, description="default: active plan")
    week: int = Field(ge=1, le=52)
    day: int = Field(ge=1, le=7)
    rating: int = Field(ge=1, le=5, description="1 awful .. 5 great")
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    id: str
    plan_id: str | None
    session_ref: str | None
    rating: int | None
    comment: str | None
    created_at: datetime


class ProfileOut(BaseModel):
    member_id: str
    profile: MemberProfile | None
    updated_at: datetime | None
