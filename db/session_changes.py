"""Changes to a member's planned session suggested during a live class.

The API's suggestion service (``api.live.suggestions``) stores one row per member, class
and rule episode (``episode_key`` is unique, so a redelivered alert or a second API process adds
nothing). The trainer accepts or dismisses each; an accepted row is how the member's plan
shows the change for that session, with the evidence (which alert or insight, with its
numbers) that caused it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, new_id, utcnow

STATUSES = ("pending", "accepted", "dismissed")


class PlanSessionChange(Base):
    __tablename__ = "plan_session_changes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    episode_key: Mapped[str] = mapped_column(String(400), unique=True)  # class|member|group|episode
    class_session_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("workout_plans.id"), index=True)
    week: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)  # ISO weekday of the planned session
    session_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(32))
    change_group: Mapped[str] = mapped_column(String(200))  # regress:<id>, reduce:session
    exercise_id: Mapped[str | None] = mapped_column(String(128))
    exercise_name: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(Text)
    modifications: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
