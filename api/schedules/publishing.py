"""Publishing a timetable: every dated occurrence of its week in its date range becomes one
``class_sessions`` row trainers and members see; closure dates get none.

Where the newly published timetable's range overlaps the one it replaces, the old
range's future classes on those dates are reconciled rather than duplicated: a class that
stays exactly as it was keeps its row (and its bookings), a class that went away is
deleted when nobody booked it and marked ``cancelled`` when somebody did (members must
hear about it; nothing is lost). Classes already under way or over are never touched, nor
are the old timetable's classes outside the new range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.exceptions import InvalidInput
from db.models import ClassSession, ClassType, Room, Trainer, new_id
from db.platform import ClassSchedule
from scheduler.dates import DateRange, occurrences
from scheduler.schemas import ScheduledClass
from scheduler.timegrid import DAY_INDEX, to_minutes

Key = tuple[str, str, str, datetime]


@dataclass
class Materialised:
    session_ids: list[str]
    created: int = 0
    kept: int = 0
    removed: int = 0
    cancelled: int = 0
    skipped: list[date] = field(default_factory=list)  # closure dates that had classes
    skipped_classes: int = 0  # occurrences not created on them


def span_of(schedule: ClassSchedule) -> DateRange:
    """The dates a stored timetable runs on (one week when it predates date ranges)."""
    stored = schedule.result.get("span")
    assert schedule.week_start is not None
    if stored:
        return DateRange(date.fromisoformat(stored["start"]), date.fromisoformat(stored["end"]))
    return DateRange(schedule.week_start, schedule.week_start + timedelta(days=6))


def class_times(c: ScheduledClass, week_start: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a timetable class in the week starting ``week_start``."""
    return occurrence_times(c, week_start + timedelta(days=DAY_INDEX[c.day]), tz)


def occurrence_times(c: ScheduledClass, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a timetable class on ``day`` (local studio time)."""
    start, end = to_minutes(c.start), to_minutes(c.end)
    local = datetime.combine(day, time(0, 0), tzinfo=tz)
    # minutes from local midnight, so "24:00" and DST days come out right
    begins = (local + timedelta(minutes=start)).astimezone(UTC)
    return begins, (local + timedelta(minutes=end)).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def check_references(db: AsyncSession, classes: list[ScheduledClass]) -> None:
    """A timetable planned from an instance JSON may name rooms etc. the studio lacks."""
    missing = []
    for model, attr, what in ((Room, "room", "room"), (Trainer, "trainer", "trainer"),
                              (ClassType, "class_type", "class type")):
        wanted = {getattr(c, attr) for c in classes}
        known = set(await db.scalars(select(model.id).where(model.id.in_(wanted))))
        missing += [f"{what} {v!r}" for v in sorted(wanted - known)]
    if missing:
        raise InvalidInput("this timetable names what the studio does not have: "
                           + ", ".join(missing) + ". Add them (admin → database) or plan "
                           "from the studio instead of an instance file.")


async def materialise(db: AsyncSession, schedule: ClassSchedule,
                      replaced: list[ClassSchedule], tz: ZoneInfo,
                      closed: set[date] | None = None, now: datetime | None = None
                      ) -> Materialised:
    """Create the range's class sessions (in the caller's transaction)."""
    now = now or datetime.now(UTC)
    assert schedule.week_start is not None
    classes = [ScheduledClass.model_validate(c)
               for c in schedule.result.get("solve", {}).get("classes", [])]
    await check_references(db, classes)
    span = span_of(schedule)
    laid = occurrences(classes, span, closed or set())
    old_ids = [sid for old in replaced for sid in old.result.get("sessions", [])]
    old: dict[Key, ClassSession] = {}
    if old_ids:
        for row in await db.scalars(select(ClassSession).where(ClassSession.id.in_(old_ids))):
            starts = _aware(row.starts_at)
            if (starts > now and row.status == "scheduled"
                    and starts.astimezone(tz).date() in span):
                old[(row.class_type_id, row.room_id, row.trainer_id, starts)] = row
    out = Materialised(session_ids=[], skipped=laid.closed_dates(),
                       skipped_classes=len(laid.skipped))
    for o in laid.occurrences:
        c = o.cls
        starts, ends = occurrence_times(c, o.on, tz)
        same = old.pop((c.class_type, c.room, c.trainer, starts), None)
        if same is not None:
            out.session_ids.append(same.id)
            out.kept += 1
            continue
        row = ClassSession(id=new_id(), class_type_id=c.class_type, room_id=c.room,
                           trainer_id=c.trainer, starts_at=starts, ends_at=ends,
                           status="scheduled")
        db.add(row)
        out.session_ids.append(row.id)
        out.created += 1
    for row in old.values():
        if row.bookings:
            row.status = "cancelled"
            out.cancelled += 1
        else:
            await db.delete(row)
            out.removed += 1
    return out
