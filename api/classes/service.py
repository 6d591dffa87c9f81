"""Queries about class sessions; routers stay thin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.classes.schemas import ClassSessionOut, EdgeCredentialsOut, RosterMemberOut
from api.exceptions import Forbidden, NotFoundError
from api.privacy import consent
from contract.pseudonyms import to_wire, wire_id_of_booking
from contract.records import RosterEntry
from contract.signing import API, class_key, sign_as
from db.models import Booking, ClassSession


def _out(session: ClassSession) -> ClassSessionOut:
    return ClassSessionOut(
        id=session.id, class_type=session.class_type.name, room=session.room.name,
        trainer=session.trainer.display_name, starts_at=session.starts_at,
        ends_at=session.ends_at, status=session.status, booked=len(session.bookings),
    )


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause: the class sessions this caller may see."""
    if principal.role == "admin":
        return ClassSession.id.is_not(None)
    if principal.role == "trainer":
        return ClassSession.trainer_id == principal.trainer_id
    if principal.role == "device":
        return ClassSession.room_id == principal.room_id
    booked = select(Booking.class_session_id).where(Booking.member_id == principal.member_id)
    return ClassSession.id.in_(booked)


def ensure_staff_access(principal: Principal, session: ClassSession) -> None:
    """Live data and rosters: the class's own trainer, its room's device, or an admin."""
    allowed = (principal.role == "admin"
               or (principal.role == "trainer" and session.trainer_id == principal.trainer_id)
               or (principal.role == "device" and session.room_id == principal.room_id))
    if not allowed:
        raise Forbidden("only this class's trainer, its room's edge device or an admin may "
                        "see its live data and roster")


async def list_sessions(db: AsyncSession, principal: Principal, limit: int = 50
                        ) -> list[ClassSessionOut]:
    rows = await db.scalars(select(ClassSession).where(visible_to(principal))
                            .order_by(ClassSession.starts_at.desc()).limit(limit))
    return [_out(row) for row in rows]


async def get_session(db: AsyncSession, class_session_id: str,
                      principal: Principal | None = None) -> ClassSession:
    """The session, if it exists and (when a principal is given) they may see it."""
    query = select(ClassSession).where(ClassSession.id == class_session_id)
    if principal is not None:
        query = query.where(visible_to(principal))
    found = await db.scalar(query)
    if found is None:
        raise NotFoundError(f"class session {class_session_id!r} does not exist "
                            "or is not yours")
    return found


async def session_out(db: AsyncSession, class_session_id: str, principal: Principal
                      ) -> ClassSessionOut:
    return _out(await get_session(db, class_session_id, principal))


async def current_session_id(db: AsyncSession, principal: Principal) -> str | None:
    """The class a trainer most likely wants: their live one, else the one that started
    most recently, else the next one coming up (published timetables create future
    classes, which must not hide today's)."""
    mine = select(ClassSession.id).where(visible_to(principal))
    live = await db.scalar(mine.where(ClassSession.status == "live")
                           .order_by(ClassSession.starts_at.desc()).limit(1))
    if live:
        return live
    now = datetime.now(UTC)
    started = await db.scalar(mine.where(ClassSession.starts_at <= now)
                              .order_by(ClassSession.starts_at.desc()).limit(1))
    if started:
        return started
    return await db.scalar(mine.order_by(ClassSession.starts_at.asc()).limit(1))


async def roster(db: AsyncSession, class_session_id: str, principal: Principal
                 ) -> list[RosterMemberOut]:
    session = await get_session(db, class_session_id, principal)
    ensure_staff_access(principal, session)
    return await roster_of(db, session)


async def roster_of(db: AsyncSession, session: ClassSession,
                    member_ids: set[str] | None = None) -> list[RosterMemberOut]:
    """The roster of a class already checked for access (``member_ids``: only these)."""
    bookings = [b for b in session.bookings if member_ids is None or b.member_id in member_ids]
    year = datetime.now(UTC).year
    allowed = await consent.choices_of(db, [b.member_id for b in bookings])
    entries = []
    for booking in sorted(bookings, key=lambda b: b.member.display_name):
        member = booking.member
        choices = allowed[member.id]
        # a member who opted out of heart rate has no strap on the roster: the box then
        # has nothing to pair, and the worker drops whatever still arrives for them
        entries.append(RosterMemberOut(
            member_id=member.id, display_name=member.display_name,
            age=year - member.birth_year if member.birth_year else None,
            sex=member.sex, weight_kg=member.weight_kg, hr_max=member.hr_max,
            hr_rest=member.hr_rest,
            strap_id=booking.strap_id if choices.hr_tracking else None,
            hr_tracking=choices.hr_tracking, camera_form=choices.camera_form,
            wire_id=wire_id_of_booking(booking.id),
        ))
    return entries


def roster_record(class_session_id: str, row: RosterMemberOut) -> RosterEntry:
    """The roster record of one member as it travels: under their wire id, without their
    name (contract.pseudonyms); the worker looks both up in the bookings."""
    entry = RosterEntry(class_session_id=class_session_id,
                        **row.model_dump(exclude={"wire_id"}))
    return to_wire(entry, {row.member_id: row.wire_id}.get)


async def edge_credentials(db: AsyncSession, class_session_id: str, principal: Principal,
                           secret: str) -> EdgeCredentialsOut:
    """Only a device token of the class's own room gets the class's key."""
    session = await get_session(db, class_session_id, principal)
    if (principal.role != "device" or principal.device_id is None
            or session.room_id != principal.room_id):
        raise Forbidden("only an edge device of this class's room gets its signing key")
    room = str(session.room_id)
    entries = [sign_as(secret, API, roster_record(class_session_id, row))
               for row in await roster(db, class_session_id, principal)]
    return EdgeCredentialsOut(
        device_id=principal.device_id, room_id=room, class_session_id=class_session_id,
        key=class_key(secret, principal.device_id, room, class_session_id).hex(),
        roster=[e.model_dump(mode="json") for e in entries])
