"""Plans, what members log against them, and the exercise library admins curate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, new_id, utcnow


class ExerciseRow(Base):
    __tablename__ = "exercises"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the planner's Exercise
    source: Mapped[str] = mapped_column(String(32), default="library")  # library | admin
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkoutPlan(Base):
    __tablename__ = "workout_plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    trainer_id: Mapped[str | None] = mapped_column(ForeignKey("trainers.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|active|archived
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    # what adaptation changed, newest last: [{"at", "source", "adjustments": [...]}]
    adaptations: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


class MemberProfileRow(Base):
    """The planner's input for one member (``planner.models.MemberProfile`` as JSON).

    Training history grows as logged sets are applied; a coach or the member edits the rest.
    """

    __tablename__ = "member_profiles"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class WorkoutLog(Base):
    """One logged set."""

    __tablename__ = "workout_logs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("workout_plans.id"), index=True)
    performed_on: Mapped[date] = mapped_column(Date)
    exercise_id: Mapped[str] = mapped_column(String(128))
    set_index: Mapped[int] = mapped_column(Integer, default=1)
    load_kg: Mapped[float | None] = mapped_column(Float)
    reps: Mapped[int | None] = mapped_column(Integer)
    rpe: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    week: Mapped[int | None] = mapped_column(Integer)      # where in the plan it was done
    day: Mapped[int | None] = mapped_column(Integer)       # ISO weekday of the session
    pain: Mapped[bool] = mapped_column(Boolean, default=False)
    poor_form: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # adapted


class ReadinessCheckin(Base):
    __tablename__ = "readiness_checkins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    sleep: Mapped[int] = mapped_column(Integer)
    energy: Mapped[int] = mapped_column(Integer)
    stress: Mapped[int] = mapped_column(Integer)
    soreness: Mapped[int] = mapped_column(Integer)
    pain: Mapped[int] = mapped_column(Integer)
    pain_areas: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkoutFeedback(Base):
    __tablename__ = "workout_feedback"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("workout_plans.id"))
    session_ref: Mapped[str | None] = mapped_column(String(64))  # "week-day" in the plan
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
