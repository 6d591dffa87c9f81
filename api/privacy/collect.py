"""Finding a member's rows of each registered kind (shared by export and erasure)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.privacy.member_data import REGISTRY, DataKind, Needles
from contract.pseudonyms import wire_id_of_booking
from db.accounts import User
from db.live import AlertRow, MemberClassSummary, RealTimeInsight
from db.models import Booking, Member
from db.timetable import ClassFeedback


class NoSuchMember(LookupError):
    """The member id names no member (never existed, or already erased)."""


async def needles_of(db: AsyncSession, member_id: str) -> Needles:
    member = await db.get(Member, member_id)
    if member is None:
        raise NoSuchMember(f"member {member_id!r} does not exist")
    users = list(await db.scalars(select(User).where(User.member_id == member_id)))
    names = [member.display_name, *(u.display_name for u in users)]
    names += [n.split()[0] for n in names if n and n.split()]
    emails = [e for e in [member.email, *(u.email for u in users)] if e]
    bookings = await db.scalars(select(Booking.id).where(Booking.member_id == member_id))
    wire_ids = sorted(w for w in map(wire_id_of_booking, bookings) if w)
    return Needles(member_id=member_id, names=sorted({n for n in names if n}),
                   emails=sorted(set(emails)), user_ids=[u.id for u in users],
                   wire_ids=wire_ids)


async def classes_of(db: AsyncSession, member_id: str) -> list[str]:
    """Every class session the member left a trace in."""
    found: set[str] = set()
    for model in (Booking, ClassFeedback, MemberClassSummary, RealTimeInsight, AlertRow):
        found |= set(await db.scalars(select(model.class_session_id).where(  # type: ignore[attr-defined]
            model.member_id == member_id)))  # type: ignore[attr-defined]
    return sorted(found)


def query(kind: DataKind, needles: Needles, classes: list[str]) -> Select[Any]:
    column = getattr(kind.model, kind.column)
    if kind.link == "user":
        return select(kind.model).where(column.in_(needles.user_ids))
    if kind.link == "class":
        return select(kind.model).where(column.in_(classes))
    return select(kind.model).where(column == needles.member_id)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def as_record(kind: DataKind, row: Any) -> dict[str, Any]:
    return {c.name: jsonable(getattr(row, c.key)) for c in kind.columns()}


async def rows_of(db: AsyncSession, kind: DataKind, needles: Needles,
                  classes: list[str]) -> list[Any]:
    return list(await db.scalars(query(kind, needles, classes)))


async def collect(db: AsyncSession, member_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every exported kind's records of the member, as JSON-able dicts."""
    needles = await needles_of(db, member_id)
    classes = await classes_of(db, member_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in REGISTRY:
        if kind.export:
            out[kind.name] = [as_record(kind, r)
                              for r in await rows_of(db, kind, needles, classes)]
    return out
