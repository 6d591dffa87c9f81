"""Relational model of a studio: who trains, where, what class, who booked it.

String primary keys keep ids readable in URLs and logs and let the demo seed stable ids.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[dict[str, Any]]: JSON}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    weight_kg: Mapped[float | None] = mapped_column(Float)
    hr_max: Mapped[int | None] = mapped_column(Integer)
    hr_rest: Mapped[int | None] = mapped_column(Integer)


class Trainer(Base):
    __tablename__ = "trainers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    qualifications: Mapped[list[str]] = mapped_column(default=list)
    max_hours_per_week: Mapped[float] = mapped_column(Float, default=40.0)
    # Weekly availability windows: [{"day": 0..6, "start": "HH:MM", "end": "HH:MM"}]
    availability: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    features: Mapped[list[str]] = mapped_column(default=list)


class ClassType(Base):
    __tablename__ = "class_types"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    duration_min: Mapped[int] = mapped_column(Integer)
    required_features: Mapped[list[str]] = mapped_column(default=list)
    qualification: Mapped[str | None] = mapped_column(String(64))
    revenue_weight: Mapped[float] = mapped_column(Float, default=1.0)


class ClassSession(Base):
    __tablename__ = "class_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    class_type_id: Mapped[str] = mapped_column(ForeignKey("class_types.id"))
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id"))
    trainer_id: Mapped[str] = mapped_column(ForeignKey("trainers.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")

    class_type: Mapped[ClassType] = relationship(lazy="selectin")
    room: Mapped[Room] = relationship(lazy="selectin")
    trainer: Mapped[Trainer] = relationship(lazy="selectin")
    bookings: Mapped[list[Booking]] = relationship(back_populates="class_session",
                                                   lazy="selectin")


class Booking(Base):
    """A member booked into a class session, and the strap they wear in it."""

    __tablename__ = "class_bookings"
    __table_args__ = (UniqueConstraint("class_session_id", "member_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    class_session_id: Mapped[str] = mapped_column(ForeignKey("class_sessions.id",
                                                             ondelete="CASCADE"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    strap_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="booked")

    class_session: Mapped[ClassSession] = relationship(back_populates="bookings")
    member: Mapped[Member] = relationship(lazy="selectin")
