"""Class ratings: a member rates a class they attended, within 48 h of its end.

A rating is 1 (poor) to 5 (great), with an optional tick "this time doesn't suit me" and
a comment. Trainers and admins read them per class (without member names: the numbers
and words matter, not who said them); the timetable's adjustment suggestions read them
per weekly slot (``scheduler.feedback``). Members see and change only their own rating.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exceptions import Forbidden, InvalidInput, NotFoundError
from api.privacy import consent
from db.models import Booking, ClassSession
from db.timetable import ClassFeedback
from scheduler.feedback import Rating

WINDOW = timedelta(hours=48)  # issue 15: "within 48 h of attending"
# Bookings that mean the member came (or at least was expected and not marked absent).
CAME = {"booked", "attended", "checked_in"}


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5, description="1 poor, 2 below par, 3 ok, 4 good, 5 great")
    time_unsuitable: bool = Field(False, description="this time doesn't suit me")
    comment: str | None = Field(None, max_length=1000)


class RatableClass(BaseModel):
    class_session_id: str
    class_name: str
    trainer: str
    starts_at: datetime
    ends_at: datetime
    rate_until: datetime
    rating: int | None = None
    time_unsuitable: bool = False
    comment: str | None = None


class ClassRatings(BaseModel):
    class_session_id: str
    class_name: str
    trainer: str
    starts_at: datetime
    ratings: int
    mean_rating: float | None
    time_unsuitable: int
    comments: list[str]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def ratable(db: AsyncSession, member_id: str, now: datetime | None = None
                  ) -> list[RatableClass]:
    """The member's classes that ended within the last 48 h, with their rating if given."""
    now = now or datetime.now(UTC)
    rows = await db.scalars(select(ClassSession).join(Booking).where(
        Booking.member_id == member_id, Booking.status.in_(CAME),
        ClassSession.ends_at <= now, ClassSession.ends_at >= now - WINDOW,
        ClassSession.status != "cancelled").order_by(ClassSession.starts_at.desc()))
    given = {f.class_session_id: f for f in await db.scalars(select(ClassFeedback).where(
        ClassFeedback.member_id == member_id))}
    out = []
    for s in rows:
        f = given.get(s.id)
        out.append(RatableClass(
            class_session_id=s.id, class_name=s.class_type.name,
            trainer=s.trainer.display_name, starts_at=_aware(s.starts_at),
            ends_at=_aware(s.ends_at), rate_until=_aware(s.ends_at) + WINDOW,
            rating=f.rating if f else None, time_unsuitable=f.time_unsuitable if f else False,
            comment=f.comment if f else None))
    return out


async def rate(db: AsyncSession, principal: Principal, session_id: str, body: RatingIn,
               now: datetime | None = None) -> RatableClass:
    """Store (or change) the member's rating of a class they attended, within 48 h."""
    now = now or datetime.now(UTC)
    if principal.member_id is None:
        raise Forbidden("only members rate classes")
    session = await db.get(ClassSession, session_id)
    if session is None:
        raise NotFoundError(f"class {session_id!r} does not exist")
    if not any(b.member_id == principal.member_id and b.status in CAME
               for b in session.bookings):
        raise Forbidden("you can rate only classes you attended")
    ends = _aware(session.ends_at)
    if session.status == "cancelled":
        raise InvalidInput("this class was cancelled: there is nothing to rate")
    if now < ends:
        raise InvalidInput("this class has not ended yet: rate it once it is over")
    if now > ends + WINDOW:
        raise InvalidInput(f"ratings close 48 h after the class; this one closed "
                           f"{(ends + WINDOW):%d %b %H:%M} UTC")
    row = await db.scalar(select(ClassFeedback).where(
        ClassFeedback.class_session_id == session_id,
        ClassFeedback.member_id == principal.member_id))
    comment = (body.comment or "").strip() or None
    if row is None:
        row = ClassFeedback(class_session_id=session_id, member_id=principal.member_id,
                            rating=body.rating, time_unsuitable=body.time_unsuitable,
                            comment=comment)
        db.add(row)
    else:
        row.rating, row.time_unsuitable, row.comment = body.rating, body.time_unsuitable, comment
    await db.commit()
    return RatableClass(
        class_session_id=session.id, class_name=session.class_type.name,
        trainer=session.trainer.display_name, starts_at=_aware(session.starts_at),
        ends_at=ends, rate_until=ends + WINDOW, rating=row.rating,
        time_unsuitable=row.time_unsuitable, comment=row.comment)


async def by_class(db: AsyncSession, days: int = 28, trainer_id: str | None = None,
                   now: datetime | None = None) -> list[ClassRatings]:
    """Rated classes of the last ``days`` days, newest first (no member names)."""
    now = now or datetime.now(UTC)
    query = select(ClassSession).where(
        ClassSession.starts_at >= now - timedelta(days=days),
        ClassSession.id.in_(select(ClassFeedback.class_session_id))
    ).order_by(ClassSession.starts_at.desc())
    if trainer_id:
        query = query.where(ClassSession.trainer_id == trainer_id)
    sessions = list(await db.scalars(query))
    rows: dict[str, list[ClassFeedback]] = {}
    for f in await db.scalars(select(ClassFeedback).where(
            ClassFeedback.class_session_id.in_([s.id for s in sessions]))):
        rows.setdefault(f.class_session_id, []).append(f)
    out = []
    for s in sessions:
        got = rows.get(s.id, [])
        out.append(ClassRatings(
            class_session_id=s.id, class_name=s.class_type.name,
            trainer=s.trainer.display_name, starts_at=_aware(s.starts_at), ratings=len(got),
            mean_rating=round(sum(f.rating for f in got) / len(got), 2) if got else None,
            time_unsuitable=sum(f.time_unsuitable for f in got),
            comments=[f.comment for f in got if f.comment]))
    return out


async def ratings_for_slots(db: AsyncSession, weeks: int, tz: ZoneInfo,
                            now: datetime | None = None) -> list[Rating]:
    """Ratings of the last ``weeks`` weeks placed on their weekly slot (studio time),
    leaving out members who switched ``suggestions`` off (issue 20)."""
    now = now or datetime.now(UTC)
    rows = await db.execute(select(ClassFeedback, ClassSession).join(
        ClassSession, ClassSession.id == ClassFeedback.class_session_id).where(
        ClassSession.starts_at >= now - timedelta(weeks=weeks)))
    allowed = await consent.allowed_by_all(db, "suggestions")
    out = []
    for f, s in rows.tuples():
        if not allowed(f.member_id):
            continue  # the member said no to timetable suggestions from their feedback
        starts = _aware(s.starts_at).astimezone(tz)
        out.append(Rating(class_type=s.class_type_id, day=starts.weekday(),
                          start=starts.hour * 60 + starts.minute,
                          week=(starts.date().toordinal() - 1) // 7, rating=f.rating,
                          time_unsuitable=f.time_unsuitable))
    return out
