"""``/trainer``: the trainer's classes for today, from the class sessions that publishing
a timetable creates (an admin sees every room). Each opens its live board; "Start" is
offered from a few minutes before the start time (configs/tablet.toml).

The list is pure over plain rows (:func:`today_rows`), so its rules (which day, which
state, when "Start" appears) are tested without a server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.classes.service import visible_to
from configs.base import CONFIG_DIR, ConfigFile
from db.models import ClassSession

STATES = {"scheduled": "upcoming", "live": "live", "ended": "ended", "cancelled": "cancelled"}


class TodaySection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start_early_min: int = Field(default=10, ge=0, le=240)


class TabletConfig(ConfigFile):
    """configs/tablet.toml with SPOTTER_TABLET__* overrides."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_TABLET__")
    TOML_FILE: ClassVar[Path] = CONFIG_DIR / "tablet.toml"
    FILE_ENV: ClassVar[str | None] = "SPOTTER_TABLET_CONFIG"
    today: TodaySection = TodaySection()


def tablet_config() -> TabletConfig:
    return TabletConfig.load()


def start_early() -> timedelta:
    return timedelta(minutes=tablet_config().today.start_early_min)


def local_day(tz: ZoneInfo, now: datetime | None = None) -> str:
    """"Tuesday 14 May" in the studio's zone."""
    return (now or datetime.now(UTC)).astimezone(tz).strftime("%A %d %B")


@dataclass(frozen=True)
class TodayRow:
    id: str
    starts_at: datetime  # UTC
    ends_at: datetime
    local_time: str  # "18:30-19:15" in the studio's zone
    room: str
    class_type: str
    trainer: str
    booked: int
    capacity: int
    state: str  # upcoming | live | ended | cancelled | not held
    can_start: bool
    starts_in_min: int | None  # minutes until "Start" appears, for an upcoming class


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``now``'s date in the studio's zone, in UTC."""
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def today_row(session: ClassSession, now: datetime, tz: ZoneInfo, early: timedelta
              ) -> TodayRow:
    starts, ends = _aware(session.starts_at), _aware(session.ends_at)
    state = STATES.get(session.status, session.status)
    if state == "upcoming" and now >= ends:
        state = "not held"
    opens = starts - early
    can_start = state == "upcoming" and now >= opens
    wait = None
    if state == "upcoming" and not can_start:
        wait = math.ceil((opens - now).total_seconds() / 60)
    local = f"{starts.astimezone(tz):%H:%M}-{ends.astimezone(tz):%H:%M}"
    return TodayRow(id=session.id, starts_at=starts, ends_at=ends, local_time=local,
                    room=session.room.name, class_type=session.class_type.name,
                    trainer=session.trainer.display_name,
                    booked=sum(1 for b in session.bookings if b.status != "cancelled"),
                    capacity=session.room.capacity, state=state, can_start=can_start,
                    starts_in_min=wait)


async def today_rows(db: AsyncSession, principal: Principal, tz: ZoneInfo,
                     now: datetime | None = None, early: timedelta | None = None
                     ) -> list[TodayRow]:
    """The caller's classes of today (a trainer's own, an admin's every room), by time."""
    now = now or datetime.now(UTC)
    early = start_early() if early is None else early
    first, last = day_bounds(now, tz)
    # today's, and any class still live from earlier (so it can be ended from here)
    rows = await db.scalars(select(ClassSession).where(
        visible_to(principal), or_(and_(ClassSession.starts_at < last,
                                        ClassSession.ends_at > first),
                                   ClassSession.status == "live"))
        .order_by(ClassSession.starts_at, ClassSession.id))
    return [today_row(s, now, tz, early) for s in rows]
