"""Which class runs in a room now: the edge box follows this instead of being told a
class id at start (``spotter edge run --room``)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.admin import service as admin_settings
from api.exceptions import Forbidden, NotFoundError
from api.rooms.schemas import RoomClassOut, RoomNowOut
from db.models import ClassSession, Room


def _out(session: ClassSession) -> RoomClassOut:
    return RoomClassOut(id=session.id, class_type=session.class_type.name,
                        starts_at=session.starts_at, ends_at=session.ends_at,
                        status=session.status)


async def room_now(db: AsyncSession, room_id: str, principal: Principal,
                   now: datetime | None = None) -> RoomNowOut:
    """For the room's own device (and admins): its live class, today's classes, toggles."""
    if not (principal.is_admin or (principal.role == "device"
                                   and principal.room_id == room_id)):
        raise Forbidden("only this room's edge device or an admin may follow the room")
    if await db.get(Room, room_id) is None:
        raise NotFoundError(f"no room {room_id!r}")
    now = now or datetime.now(UTC)
    day = datetime.combine(now.date(), time.min, tzinfo=UTC)
    today = list(await db.scalars(
        select(ClassSession).where(ClassSession.room_id == room_id,
                                   ClassSession.starts_at < day + timedelta(days=1),
                                   ClassSession.ends_at >= day)
        .order_by(ClassSession.starts_at)))
    live = await db.scalar(select(ClassSession).where(
        ClassSession.room_id == room_id, ClassSession.status == "live")
        .order_by(ClassSession.starts_at.desc()).limit(1))
    features = await admin_settings.ai_features(db)
    return RoomNowOut(room_id=room_id, live=_out(live) if live else None,
                      today=[_out(s) for s in today], vision=features.vision_for(room_id),
                      live_alerts=features.live_alerts)
