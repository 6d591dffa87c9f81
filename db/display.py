"""The studio's wall screen: room display tokens and how members appear on it.

A display token is not an account and not a device token: it opens one room's wall
screen and nothing else (no roster, no signing key, no API), so a TV left in a studio
cannot be turned into an edge box or a trainer login. Only its SHA-256 is stored.

Members choose how the wall names them: their first name (the default), a nickname, or
not at all ("Member N"). The screen never shows alerts or health details either way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, new_id, utcnow


class DisplayToken(Base):
    __tablename__ = "display_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberDisplayPreference(Base):
    """Absent row: shown by first name. ``on_wall`` False: shown as "Member N"."""

    __tablename__ = "member_display_preferences"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"),
                                           primary_key=True)
    nickname: Mapped[str | None] = mapped_column(String(40))
    on_wall: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
