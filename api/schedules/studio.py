"""The studio in the database as a scheduler instance, and its class history as records.

Rules of the translation (documented here because the tables do not carry them):
- opening hours: the admin's ``opens``-``closes`` window, every day of the week;
- a trainer with no availability recorded may teach whenever the studio is open (a new
  trainer should not make the week infeasible); recorded windows are used as they are;
- max hours: the lower of the trainer's own cap and the admin's studio-wide cap;
- sessions per class type: the request's bounds, else ``configs/scheduler.toml [studio]``;
- pinned classes: the classes of the published timetable that an admin pinned;
- history: finished, not cancelled classes of the last N weeks with their bookings.
  Bookings marked ``attended``/``checked_in``/``no_show`` give attendance; where a class
  has no such marks, its bookings count as attendance (no check-in data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.admin.schemas import SchedulerPolicy
from db.models import ClassSession, ClassType, Room, Trainer
from scheduler.config import StudioSettings
from scheduler.history import NO_WAITLIST_CAP, ClassRecord
from scheduler.schemas import Instance, ScheduledClass
from scheduler.timegrid import DAY_INDEX, DAYS, to_minutes
from scheduler.validation import parse_instance

BOOKED = {"booked", "attended", "checked_in", "no_show"}
ATTENDED = {"attended", "checked_in"}
MARKED = ATTENDED | {"no_show"}


@dataclass
class StudioRows:
    rooms: list[Room]
    trainers: list[Trainer]
    class_types: list[ClassType]

    def names(self) -> dict[str, dict[str, str]]:
        return {"rooms": {r.id: r.name for r in self.rooms},
                "trainers": {t.id: t.display_name for t in self.trainers},
                "class_types": {c.id: c.name for c in self.class_types}}


@dataclass
class BuiltInstance:
    instance: Instance
    notes: list[str] = field(default_factory=list)


async def load_rows(db: AsyncSession) -> StudioRows:
    return StudioRows(
        rooms=list(await db.scalars(select(Room).order_by(Room.id))),
        trainers=list(await db.scalars(select(Trainer).order_by(Trainer.id))),
        class_types=list(await db.scalars(select(ClassType).order_by(ClassType.id))))


def _day_name(raw: Any) -> str | None:
    """Availability rows store the day as 0..6 (Mon..Sun); names are accepted too."""
    if isinstance(raw, int) and 0 <= raw < 7:
        return DAYS[raw]
    if isinstance(raw, str):
        short = raw.strip()[:3].title()
        return short if short in DAY_INDEX else None
    return None


def _availability(trainer: Trainer, opening: list[dict[str, str]], notes: list[str]
                  ) -> list[dict[str, str]]:
    if not trainer.availability:
        return opening
    windows = []
    for w in trainer.availability:
        day = _day_name(w.get("day")) if isinstance(w, dict) else None
        try:
            start, end = str(w["start"]), str(w["end"])
            ok = day is not None and to_minutes(start) < to_minutes(end)
        except (KeyError, TypeError, ValueError):
            ok = False
        if ok:
            windows.append({"day": day, "start": start, "end": end})
        else:
            notes.append(f"trainer {trainer.id}: availability entry {w!r} ignored "
                         "(needs day 0-6, start and end HH:MM)")
    return windows


def build_instance(rows: StudioRows, policy: SchedulerPolicy, cfg: StudioSettings,
                   sessions: dict[str, tuple[int, int]], pinned: list[ScheduledClass],
                   name: str) -> BuiltInstance:
    """The instance of the studio as it is now (see the module docstring for the rules)."""
    notes: list[str] = []
    c = policy.constraints
    opening = [{"day": d, "start": c.opens, "end": c.closes} for d in DAYS]
    known_types = {t.id for t in rows.class_types}
    for type_id in sorted(set(sessions) - known_types):
        notes.append(f"sessions given for unknown class type {type_id!r}: ignored")
    types = []
    for t in rows.class_types:
        lo, hi = sessions.get(t.id, (cfg.min_sessions, cfg.max_sessions))
        types.append({"id": t.id, "name": t.name, "duration_min": t.duration_min,
                      "required_features": list(t.required_features or []),
                      "qualification": t.qualification, "revenue_weight": t.revenue_weight,
                      "min_sessions": lo, "max_sessions": hi})
    trainers = [{"id": t.id, "name": t.display_name,
                 "qualifications": list(t.qualifications or []),
                 "availability": _availability(t, opening, notes),
                 "max_hours": min(t.max_hours_per_week or c.max_trainer_hours,
                                  c.max_trainer_hours)}
                for t in rows.trainers]
    ids = {"room": {r.id for r in rows.rooms}, "trainer": {t.id for t in rows.trainers},
           "class_type": known_types}
    pins = []
    for p in pinned:
        missing = [k for k, v in (("room", p.room), ("trainer", p.trainer),
                                  ("class_type", p.class_type)) if v not in ids[k]]
        if missing:
            notes.append(f"pinned {p.class_type} {p.day} {p.start} dropped: its "
                         f"{', '.join(missing)} no longer exists")
        else:
            pins.append({"class_type": p.class_type, "room": p.room, "trainer": p.trainer,
                         "day": p.day, "start": p.start})
    data = {
        "name": name, "changeover_min": c.changeover_minutes,
        "max_classes_per_trainer_day": c.max_classes_per_trainer_day,
        "opening_hours": opening,
        "rooms": [{"id": r.id, "capacity": r.capacity, "features": list(r.features or [])}
                  for r in rows.rooms],
        "class_types": types, "trainers": trainers, "pinned": pins,
        "weights": policy.weights.model_dump(),
    }
    return BuiltInstance(parse_instance(data), notes)


def week_of(day: date) -> int:
    """Week number of the Monday on or before ``day`` (0001-01-01 was a Monday)."""
    return (day.toordinal() - 1) // 7


def monday_of(week: int) -> date:
    return date.fromordinal(week * 7 + 1)


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


async def history(db: AsyncSession, cfg: StudioSettings, now: datetime | None = None
                  ) -> tuple[list[ClassRecord], int]:
    """(records, classes without attendance marks) of finished classes in the window."""
    now = now or datetime.now(UTC)
    tz = ZoneInfo(cfg.timezone)
    since = now - timedelta(weeks=cfg.history_weeks)
    rows = await db.scalars(select(ClassSession).where(
        ClassSession.starts_at >= since, ClassSession.ends_at <= now,
        ClassSession.status != "cancelled"))
    records, unmarked = [], 0
    for s in rows:
        starts, ends = _aware(s.starts_at).astimezone(tz), _aware(s.ends_at).astimezone(tz)
        statuses = [b.status for b in s.bookings]
        booked = sum(1 for st in statuses if st in BOOKED)
        if any(st in MARKED for st in statuses):
            attended = sum(1 for st in statuses if st in ATTENDED)
        else:
            attended, unmarked = booked, unmarked + (1 if booked else 0)
        records.append(ClassRecord(
            week=week_of(starts.date()), class_type=s.class_type_id,
            category=s.class_type.name, day=starts.weekday(),
            start=starts.hour * 60 + starts.minute,
            duration_min=max(int((ends - starts).total_seconds() // 60), 1),
            room=s.room_id, capacity=s.room.capacity, trainer=s.trainer_id,
            price=s.class_type.revenue_weight, booked=min(booked, s.room.capacity),
            waitlisted=sum(1 for st in statuses if st == "waitlisted"),
            waitlist_cap=NO_WAITLIST_CAP, attended=attended,
            late_cancel=sum(1 for st in statuses if st == "late_cancel")))
    return records, unmarked


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
