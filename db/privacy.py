"""Members' control over their health data: their choices (consent), who looked at or
changed their data, and receipts of erasures.

Consent is kept as history, not as a flag: each change is a new row with the time and the
version of the wording the member agreed to, so a studio can show what a member had
chosen on any day. The current choice is the latest row per member and choice; a member
with no row has not been asked and gets each choice's default (``configs`` decides).

The access log and the erasure receipts outlive the member they are about: an erasure
replaces the member's id in the log with the anonymous id it used elsewhere, and a
receipt holds counts and places, never personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, new_id, utcnow


class MemberConsent(Base):
    """One recorded choice. ``choice``: hr_tracking, camera_form, wall_screen,
    suggestions (the vocabulary lives with the API, which validates it)."""

    __tablename__ = "member_consents"
    __table_args__ = (Index("ix_member_consents_member_choice", "member_id", "choice",
                            "recorded_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)  # of the choice's wording
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(64))  # user id; None: the system


class DataAccess(Base):
    """Who viewed, changed, exported or erased which member's data, and when. No foreign
    keys on purpose: entries must survive the accounts and members they name."""

    __tablename__ = "data_access_log"
    __table_args__ = (Index("ix_data_access_log_member_at", "member_id", "at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_user_id: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))  # admin, trainer, member, system
    member_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # view, change, export, erase
    resource: Mapped[str] = mapped_column(String(40))  # plan, summary, profile, ...
    detail: Mapped[str | None] = mapped_column(String(200))


class ErasureReceipt(Base):
    """What an erasure removed and where: counts per place, the anonymous id aggregates
    now carry, who ran it and when. Nothing here identifies the member."""

    __tablename__ = "erasure_receipts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    anonymous_id: Mapped[str] = mapped_column(String(64))
    performed_by: Mapped[str | None] = mapped_column(String(64))
    removed: Mapped[dict[str, Any]] = mapped_column()
