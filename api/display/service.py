"""What a room's wall screen shows, read from the database and the live board.

Only names (as each member chose), zone, %HRmax and effort points reach the screen: no
heart rate in bpm, no strap state, no alerts, no form faults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.display.names import WallPreference, check_nickname, slot_ids, wall_labels
from api.exceptions import Forbidden, InvalidInput, NotFoundError
from api.privacy import consent
from configs.consent import consent_config
from db.display import MemberDisplayPreference
from db.models import ClassSession, Member, Room
from scheduler.config import studio_zone


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class WallClass:
    """The class a wall screen shows and how it names each booked member."""

    class_session_id: str
    class_type: str
    labels: dict[str, str]  # member id -> what the wall shows
    slots: dict[str, str]  # member id -> element id without the member id


async def room(db: AsyncSession, room_id: str) -> Room:
    found = await db.get(Room, room_id)
    if found is None:
        raise NotFoundError(f"no room {room_id!r}")
    return found


async def live_class(db: AsyncSession, room_id: str) -> ClassSession | None:
    return await db.scalar(select(ClassSession).where(
        ClassSession.room_id == room_id, ClassSession.status == "live")
        .order_by(ClassSession.starts_at.desc()).limit(1))


async def next_class_today(db: AsyncSession, room_id: str, now: datetime | None = None
                           ) -> ClassSession | None:
    """The room's next class that has not started, today in the studio's zone."""
    now = now or datetime.now(UTC)
    tz = studio_zone()
    day_end = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time.min,
                               tzinfo=tz).astimezone(UTC)
    return await db.scalar(select(ClassSession).where(
        ClassSession.room_id == room_id, ClassSession.status == "scheduled",
        ClassSession.starts_at >= now - timedelta(minutes=30),
        ClassSession.starts_at < day_end).order_by(ClassSession.starts_at).limit(1))


def default_preference() -> WallPreference:
    """A member who never chose: configs/consent.toml [wall_screen] default."""
    return WallPreference(on_wall=consent_config().wall_screen.default != "anonymous")


async def preferences(db: AsyncSession, member_ids: list[str]) -> dict[str, WallPreference]:
    rows = {r.member_id: WallPreference(r.nickname, r.on_wall) for r in await db.scalars(
        select(MemberDisplayPreference).where(
            MemberDisplayPreference.member_id.in_(member_ids)))}
    return {m: rows.get(m) or default_preference() for m in member_ids}


async def wall_class(db: AsyncSession, session: ClassSession) -> WallClass:
    members = [b.member_id for b in session.bookings]
    names = {b.member_id: b.member.display_name for b in session.bookings}
    labels = wall_labels(members, names, await preferences(db, members))
    return WallClass(session.id, session.class_type.name, labels, slot_ids(members))


def wall_tiles(tiles: dict[str, dict[str, Any]], wall: WallClass) -> list[dict[str, Any]]:
    """The board's tiles cut down to what a wall may show, in a stable order by label.
    Tiles of members not booked into the class (no label) are left out."""
    shown = []
    for member_id, tile in tiles.items():
        if member_id not in wall.labels:
            continue
        pct = tile.get("pct_hr_max")
        shown.append({"slot": wall.slots[member_id], "label": wall.labels[member_id],
                      "zone": tile.get("zone"),
                      "pct": round(pct * 100) if isinstance(pct, int | float) else None,
                      "effort": round(float(tile.get("effort_points") or 0))})
    return sorted(shown, key=lambda t: (t["label"].lower(), t["slot"]))


# -- the member's own choice -----------------------------------------------------------

def _own_member(principal: Principal) -> str:
    if principal.role != "member" or not principal.member_id:
        raise Forbidden("only a member chooses how the wall screen names them")
    return principal.member_id


async def my_preference(db: AsyncSession, principal: Principal) -> dict[str, Any]:
    member_id = _own_member(principal)
    member = await db.get(Member, member_id)
    row = await db.get(MemberDisplayPreference, member_id)
    pref = WallPreference(row.nickname, row.on_wall) if row else default_preference()
    label = wall_labels([member_id], {member_id: member.display_name if member else ""},
                        {member_id: pref})[member_id]
    return {"nickname": pref.nickname, "on_wall": pref.on_wall,
            "shown_as": label if pref.on_wall else "Member N (a number, not your name)"}


async def set_my_preference(db: AsyncSession, principal: Principal, nickname: str | None,
                            on_wall: bool) -> dict[str, Any]:
    member_id = _own_member(principal)
    try:
        cleaned = check_nickname(nickname)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    await consent.save_wall_choice(db, member_id, cleaned, on_wall, principal.user_id)
    await db.commit()
    return await my_preference(db, principal)

