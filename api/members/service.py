"""What members log (sets, check-ins, feedback) and their planner profile.

Each write is checked against the plan it names: a set is logged against an exercise the
member's active plan has in that session, so adaptation can compare it with the target.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exceptions import InvalidInput
from api.members.schemas import (
    CheckInIn,
    CheckInOut,
    FeedbackIn,
    FeedbackOut,
    LoggedSetOut,
    LogIn,
    ProfileOut,
)
from api.plans import access
from api.plans.service import active_plan, parse_profile, save_profile
from db.training import (
    MemberProfileRow,
    ReadinessCheckin,
    WorkoutFeedback,
    WorkoutLog,
    WorkoutPlan,
)
from planner.config import default_config
from planner.models import MemberProfile, Plan, Session
from planner.readiness import ReadinessCheckIn, member_status


def today() -> date:
    return datetime.now(UTC).date()


async def get_profile(db: AsyncSession, principal: Principal, member_id: str) -> ProfileOut:
    member = await access.ensure_member_access(db, principal, member_id)
    row = await db.get(MemberProfileRow, member.id)
    return ProfileOut(member_id=member.id,
                      profile=parse_profile(row.profile, "stored profile") if row else None,
                      updated_at=row.updated_at if row else None)


async def put_profile(db: AsyncSession, principal: Principal, member_id: str,
                      profile: MemberProfile) -> ProfileOut:
    member = await access.ensure_member_access(db, principal, member_id)
    row = await save_profile(db, member.id, profile, principal.user_id)
    await db.commit()
    return ProfileOut(member_id=member.id, profile=profile, updated_at=row.updated_at)


async def _plan_session(db: AsyncSession, member_id: str, plan_id: str | None, week: int,
                        day: int, *, active_only: bool) -> tuple[WorkoutPlan, Session]:
    row = await db.get(WorkoutPlan, plan_id) if plan_id else await active_plan(db, member_id)
    if row is None or row.member_id != member_id:
        raise InvalidInput("no active plan to log against" if plan_id is None
                           else f"plan {plan_id!r} is not this member's")
    if active_only and row.status != "active":
        raise InvalidInput(f"sets are logged against the active plan; this one is {row.status}")
    if row.status == "draft":
        raise InvalidInput("a draft plan takes no logs or feedback until it is approved")
    plan = Plan.model_validate(row.plan)
    session = next((s for w in plan.weeks if w.week == week for s in w.sessions
                    if s.day == day), None)
    if session is None:
        raise InvalidInput(f"the plan has no session on day {day} of week {week}")
    return row, session


def _log_out(r: WorkoutLog) -> LoggedSetOut:
    return LoggedSetOut(id=r.id, plan_id=r.plan_id, week=r.week, day=r.day,
                        exercise_id=r.exercise_id, set_index=r.set_index,
                        performed_on=r.performed_on, load_kg=r.load_kg, reps=r.reps,
                        rpe=r.rpe, pain=r.pain, poor_form=r.poor_form,
                        applied=r.applied_at is not None)


async def log_sets(db: AsyncSession, principal: Principal, member_id: str, body: LogIn
                   ) -> list[LoggedSetOut]:
    member = await access.ensure_member_access(db, principal, member_id)
    plan, session = await _plan_session(db, member.id, body.plan_id, body.week, body.day,
                                        active_only=True)
    if body.exercise_id not in {i.exercise_id for i in session.exercises}:
        names = ", ".join(i.exercise_id for i in session.exercises)
        raise InvalidInput(f"{body.exercise_id!r} is not planned on day {body.day} of week "
                           f"{body.week}; planned: {names}")
    when = body.performed_on or today()
    before = await db.scalar(select(func.count()).select_from(WorkoutLog).where(
        WorkoutLog.plan_id == plan.id, WorkoutLog.week == body.week,
        WorkoutLog.day == body.day, WorkoutLog.exercise_id == body.exercise_id,
        WorkoutLog.performed_on == when)) or 0
    rows = [WorkoutLog(member_id=member.id, plan_id=plan.id, performed_on=when,
                       exercise_id=body.exercise_id, set_index=int(before) + n + 1,
                       load_kg=s.load_kg, reps=s.reps, rpe=s.rpe, week=body.week,
                       day=body.day, pain=body.pain, poor_form=body.poor_form)
            for n, s in enumerate(body.sets)]
    db.add_all(rows)
    await db.commit()
    return [_log_out(r) for r in rows]


async def list_logs(db: AsyncSession, principal: Principal, member_id: str,
                    plan_id: str | None = None, limit: int = 200) -> list[LoggedSetOut]:
    member = await access.ensure_member_access(db, principal, member_id)
    query = select(WorkoutLog).where(WorkoutLog.member_id == member.id)
    if plan_id:
        query = query.where(WorkoutLog.plan_id == plan_id)
    rows = await db.scalars(query.order_by(WorkoutLog.performed_on.desc(),
                                           WorkoutLog.created_at.desc()).limit(limit))
    return [_log_out(r) for r in rows]


def _checkin_out(r: ReadinessCheckin) -> CheckInOut:
    answers = ReadinessCheckIn(sleep=r.sleep, energy=r.energy, stress=r.stress,
                               soreness=r.soreness, pain=r.pain,
                               pain_areas=r.pain_areas or [])  # type: ignore[arg-type]
    return CheckInOut(id=r.id, checked_on=r.checked_on, answers=answers,
                      status=member_status(answers, default_config()), created_at=r.created_at)


async def check_in(db: AsyncSession, principal: Principal, member_id: str, body: CheckInIn
                   ) -> CheckInOut:
    member = await access.ensure_member_access(db, principal, member_id)
    row = ReadinessCheckin(member_id=member.id, checked_on=body.checked_on or today(),
                           sleep=body.sleep, energy=body.energy, stress=body.stress,
                           soreness=body.soreness, pain=body.pain,
                           pain_areas=list(body.pain_areas), created_at=datetime.now(UTC))
    db.add(row)
    await db.commit()
    return _checkin_out(row)


async def list_checkins(db: AsyncSession, principal: Principal, member_id: str,
                        limit: int = 60) -> list[CheckInOut]:
    member = await access.ensure_member_access(db, principal, member_id)
    rows = await db.scalars(select(ReadinessCheckin).where(
        ReadinessCheckin.member_id == member.id)
        .order_by(ReadinessCheckin.checked_on.desc(), ReadinessCheckin.created_at.desc())
        .limit(limit))
    return [_checkin_out(r) for r in rows]


def _feedback_out(r: WorkoutFeedback) -> FeedbackOut:
    return FeedbackOut(id=r.id, plan_id=r.plan_id, session_ref=r.session_ref, rating=r.rating,
                       comment=r.comment, created_at=r.created_at)


async def give_feedback(db: AsyncSession, principal: Principal, member_id: str,
                        body: FeedbackIn) -> FeedbackOut:
    member = await access.ensure_member_access(db, principal, member_id)
    plan, _ = await _plan_session(db, member.id, body.plan_id, body.week, body.day,
                                  active_only=False)
    row = WorkoutFeedback(member_id=member.id, plan_id=plan.id,
                          session_ref=f"{body.week}-{body.day}", rating=body.rating,
                          comment=(body.comment or "").strip() or None,
                          created_at=datetime.now(UTC))
    db.add(row)
    await db.commit()
    return _feedback_out(row)


async def list_feedback(db: AsyncSession, principal: Principal, member_id: str,
                        limit: int = 100) -> list[FeedbackOut]:
    member = await access.ensure_member_access(db, principal, member_id)
    rows = await db.scalars(select(WorkoutFeedback).where(
        WorkoutFeedback.member_id == member.id)
        .order_by(WorkoutFeedback.created_at.desc()).limit(limit))
    return [_feedback_out(r) for r in rows]
