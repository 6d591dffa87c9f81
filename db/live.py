"""What a live class leaves behind: alerts (with acknowledgements) and summaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, utcnow


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the worker's alert_id
    class_session_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    event_time: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class PostClassSummary(Base):
    """One per class session; rewriting it is idempotent."""

    __tablename__ = "post_class_summaries"

    class_session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MemberClassSummary(Base):
    """One member's part of a post-class summary: what that member may read, and the
    history the next summary compares against (personal bests)."""

    __tablename__ = "member_class_summaries"

    class_session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ended_at: Mapped[float | None] = mapped_column(Float)  # class end, Unix seconds
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RealTimeInsight(Base):
    """Insights as they happen (``streams.minutes``): one row per member per minute of
    class (zone seconds, effort, mean and peak %HRmax, reps and faulty reps), and one per
    alert. The id is derived from class, member, kind and time, so a redelivered record
    rewrites its row instead of adding one. Kept ``SPOTTER_INSIGHTS_RETENTION_DAYS``
    (``spotter db prune``)."""

    __tablename__ = "real_time_class_insights"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    class_session_id: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float)  # Unix seconds: minute start, or alert time
    kind: Mapped[str] = mapped_column(String(16))  # minute | alert
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
