"""What the timetable learns from after publishing: members' class ratings, trainers'
recorded leave, and the lookahead's proposals for classes a leave hits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, new_id, utcnow


class ClassFeedback(Base):
    """A member's rating of a class they attended (one per member and class)."""

    __tablename__ = "class_feedback"
    __table_args__ = (UniqueConstraint("class_session_id", "member_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    class_session_id: Mapped[str] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # 1 (poor) .. 5 (great)
    time_unsuitable: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainerLeave(Base):
    """A trainer's time off, whole days from ``starts_on`` to ``ends_on`` inclusive."""

    __tablename__ = "trainer_leave"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class ScheduleProposal(Base):
    """A lookahead proposal for one dated class: substitute, move or cancel."""

    __tablename__ = "schedule_proposals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    class_session_id: Mapped[str] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="CASCADE"), index=True)
    leave_id: Mapped[str | None] = mapped_column(
        ForeignKey("trainer_leave.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # substitute | move | cancel
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|applied|dismissed
    reason: Mapped[str] = mapped_column(Text)
    # the scheduler's Proposal (before/after classes, dates, alternatives, validator result)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
