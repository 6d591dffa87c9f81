"""The lookahead over the published classes of the next days (``scheduler.lookahead``):
proposals stored for the admins, applied to the dated ``class_sessions`` rows in one action.

A scan runs whenever leave is recorded, a timetable is published, or an admin asks. Each
class a leave hits gets one open proposal (a later scan does not duplicate it); admins are
notified. Applying changes only that dated class (its trainer, time or status) and tells
the people concerned: the new trainer, and the members who booked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exceptions import ConflictError, NotFoundError
from api.schedules import closures
from api.schedules.publishing import occurrence_times
from api.schedules.studio import BOOKED
from db.accounts import User
from db.models import ClassSession, Trainer
from db.notify import notify, notify_member, notify_trainer
from db.platform import ClassSchedule
from db.timetable import ScheduleProposal, TrainerLeave
from scheduler.config import load_settings
from scheduler.lookahead import DatedClass, Leave, Proposal, lookahead
from scheduler.schemas import Instance, ScheduledClass
from scheduler.timegrid import DAYS, to_hhmm

log = structlog.get_logger(__name__)


class ProposalOut(BaseModel):
    id: str
    status: str
    kind: str
    reason: str
    created_at: datetime
    class_session_id: str
    detail: dict[str, Any]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_class(s: ClassSession, tz: ZoneInfo) -> tuple[date, ScheduledClass]:
    starts, ends = _aware(s.starts_at).astimezone(tz), _aware(s.ends_at).astimezone(tz)
    end_min = ends.hour * 60 + ends.minute if ends.date() == starts.date() else 24 * 60
    return starts.date(), ScheduledClass(
        class_type=s.class_type_id, room=s.room_id, trainer=s.trainer_id,
        day=DAYS[starts.weekday()], start=to_hhmm(starts.hour * 60 + starts.minute),  # type: ignore[arg-type]
        end=to_hhmm(end_min))


async def _published(db: AsyncSession) -> ClassSchedule | None:
    return await db.scalar(select(ClassSchedule).where(ClassSchedule.status == "published")
                           .order_by(ClassSchedule.published_at.desc()).limit(1))


async def _admins(db: AsyncSession) -> list[str]:
    return list(await db.scalars(select(User.id).where(User.role == "admin",
                                                       User.is_active.is_(True))))


async def scan(db: AsyncSession, now: datetime | None = None) -> list[ScheduleProposal]:
    """New proposals for the next ``[lookahead] days``; admins told (commits)."""
    now = now or datetime.now(UTC)
    settings = load_settings()
    tz = ZoneInfo(settings.studio.timezone)
    row = await _published(db)
    if row is None:
        return []
    instance = Instance.model_validate(row.instance)
    today = now.astimezone(tz).date()
    days = settings.lookahead.days
    first = today - timedelta(days=today.weekday())
    last = today + timedelta(days=days - 1)
    last = last + timedelta(days=6 - last.weekday())
    leave_rows = list(await db.scalars(select(TrainerLeave).where(
        TrainerLeave.ends_on >= today, TrainerLeave.starts_on <= last)))
    if not leave_rows:
        return []
    window = (datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC),
              datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC))
    known = ({t.id for t in instance.trainers}, {r.id for r in instance.rooms},
             {c.id for c in instance.class_types})
    dated = []
    for s in await db.scalars(select(ClassSession).where(
            ClassSession.starts_at >= window[0], ClassSession.starts_at < window[1],
            ClassSession.status == "scheduled")):
        if (s.trainer_id in known[0] and s.room_id in known[1]
                and s.class_type_id in known[2]):
            on, cls = _as_class(s, tz)
            dated.append(DatedClass(s.id, on, cls, booked=sum(
                1 for b in s.bookings if b.status in BOOKED)))
    leave = [Leave(r.trainer_id, r.starts_on, r.ends_on, r.reason or "") for r in leave_rows]
    found = lookahead(instance, dated, leave, today=today, days=days,
                      closures=await closures.closed_dates(db),
                      names=dict(row.result.get("names", {})))
    taken = set(await db.scalars(select(ScheduleProposal.class_session_id).where(
        ScheduleProposal.status == "open")))
    made = []
    for p in found:
        if p.session_id in taken:
            continue
        leave_id = next((r.id for r in leave_rows if r.trainer_id == p.before.trainer
                         and r.starts_on <= p.on <= r.ends_on), None)
        proposal = ScheduleProposal(class_session_id=p.session_id, leave_id=leave_id,
                                    kind=p.kind, status="open", reason=p.reason,
                                    detail=p.model_dump(mode="json"))
        db.add(proposal)
        made.append(proposal)
    if made:
        await db.flush()
        for uid in await _admins(db):
            notify(db, "schedule.cover_needed", uid, {
                "title": f"{len(made)} class(es) in the next {days} days need cover: "
                         "review the proposals", "url": "/trainer/schedules#lookahead"})
    await db.commit()
    log.info("schedule.lookahead", leave=len(leave_rows), classes=len(dated),
             proposals=len(made))
    return made


def view(p: ScheduleProposal) -> ProposalOut:
    return ProposalOut(id=p.id, status=p.status, kind=p.kind, reason=p.reason,
                       created_at=p.created_at, class_session_id=p.class_session_id,
                       detail=dict(p.detail))


async def list_proposals(db: AsyncSession, status: str | None = "open") -> list[ProposalOut]:
    query = select(ScheduleProposal).order_by(ScheduleProposal.created_at.desc()).limit(200)
    if status:
        query = query.where(ScheduleProposal.status == status)
    return [view(p) for p in await db.scalars(query)]


async def _open(db: AsyncSession, proposal_id: str) -> tuple[ScheduleProposal, ClassSession]:
    p = await db.get(ScheduleProposal, proposal_id)
    if p is None:
        raise NotFoundError(f"proposal {proposal_id!r} does not exist")
    if p.status != "open":
        raise ConflictError(f"this proposal is already {p.status}")
    session = await db.get(ClassSession, p.class_session_id)
    plan = Proposal.model_validate(p.detail)
    if (session is None or session.status != "scheduled"
            or session.trainer_id != plan.before.trainer):
        p.status = "stale"
        await db.commit()
        raise ConflictError("the class changed since this proposal was made; run the "
                            "lookahead again")
    return p, session


async def apply(db: AsyncSession, proposal_id: str, principal: Principal) -> ProposalOut:
    """Apply one proposal to its dated class and tell whoever it concerns (commits)."""
    p, session = await _open(db, proposal_id)
    plan = Proposal.model_validate(p.detail)
    tz = ZoneInfo(load_settings().studio.timezone)
    members = [b.member_id for b in session.bookings if b.status in BOOKED]
    what = f"{session.class_type.name} on {plan.on:%a %d %b} at {plan.before.start}"
    if plan.kind == "cancel" or plan.after is None or plan.after_on is None:
        session.status = "cancelled"
        for m in members:
            await notify_member(db, "class.cancelled", m, {
                "title": f"{what} is cancelled: the trainer is away and no cover was found",
                "class_session_id": session.id})
    else:
        after = plan.after
        coach = await db.get(Trainer, after.trainer)
        who = coach.display_name if coach is not None else after.trainer
        session.trainer_id, session.room_id = after.trainer, after.room
        session.starts_at, session.ends_at = occurrence_times(after, plan.after_on, tz)
        change = (f"now with {who}" if plan.kind == "substitute"
                  else f"moved to {plan.after_on:%a %d %b} {after.start}")
        await notify_trainer(db, "class.changed", after.trainer, {
            "title": f"You are taking {what}" if plan.kind == "substitute"
            else f"{what} {change}", "class_session_id": session.id})
        for m in members:
            await notify_member(db, "class.changed", m, {
                "title": f"{what}: {change}", "class_session_id": session.id})
    p.status, p.decided_at, p.decided_by = "applied", datetime.now(UTC), principal.user_id
    await db.commit()
    log.info("schedule.proposal_applied", id=p.id, kind=p.kind, session=session.id,
             members_told=len(members))
    return view(p)


async def dismiss(db: AsyncSession, proposal_id: str, principal: Principal) -> ProposalOut:
    p = await db.get(ScheduleProposal, proposal_id)
    if p is None:
        raise NotFoundError(f"proposal {proposal_id!r} does not exist")
    if p.status != "open":
        raise ConflictError(f"this proposal is already {p.status}")
    p.status, p.decided_at, p.decided_by = "dismissed", datetime.now(UTC), principal.user_id
    await db.commit()
    return view(p)
