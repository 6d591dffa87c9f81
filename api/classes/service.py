"""Queries about class sessions; routers stay thin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.classes.schemas import ClassSessionOut, RosterMemberOut
from api.db.models import ClassSession
from api.exceptions import NotFoundError


def _out(session: ClassSession) -> ClassSessionOut:
    return ClassSessionOut(
        id=session.id, class_type=session.class_type.name, room=session.room.name,
        trainer=session.trainer.display_name, starts_at=session.starts_at,
        ends_at=session.ends_at, status=session.status, booked=len(session.bookings),
    )


async def list_sessions(db: AsyncSession, limit: int = 50) -> list[ClassSessionOut]:
    rows = await db.scalars(select(ClassSession).order_by(ClassSession.starts_at.desc())
                            .limit(limit))
    return [_out(row) for row in rows]


async def get_session(db: AsyncSession, class_session_id: str) -> ClassSession:
    found = await db.get(ClassSession, class_session_id)
    if found is None:
        raise NotFoundError(f"class session {class_session_id!r} does not exist")
    return found


async def session_out(db: AsyncSession, class_session_id: str) -> ClassSessionOut:
    return _out(await get_session(db, class_session_id))


async def current_session_id(db: AsyncSession) -> str | None:
    """The class a trainer most likely wants: live first, else the latest one."""
    live = await db.scalar(select(ClassSession.id).where(ClassSession.status == "live")
                           .order_by(ClassSession.starts_at.desc()).limit(1))
    if live:
        return live
    return await db.scalar(select(ClassSession.id).order_by(ClassSession.starts_at.desc())
                           .limit(1))


async def roster(db: AsyncSession, class_session_id: str) -> list[RosterMemberOut]:
    session = await get_session(db, class_session_id)
    year = datetime.now(UTC).year
    entries = []
    for booking in sorted(session.bookings, key=lambda b: b.member.display_name):
        member = booking.member
        entries.append(RosterMemberOut(
            member_id=member.id, display_name=member.display_name,
            age=year - member.birth_year if member.birth_year else None,
            sex=member.sex, weight_kg=member.weight_kg, hr_max=member.hr_max,
            hr_rest=member.hr_rest, strap_id=booking.strap_id,
        ))
    return entries
