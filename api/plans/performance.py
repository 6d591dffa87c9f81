"""A member's performance summary from the stored records (``planner.performance``).

Reads the member's post-class summaries, logged sets, check-ins, workout feedback and
active plan for the last N weeks and hands them to the pure summary. Used by the API
route, the member and plan-review pages, ``spotter member performance`` and plan
generation and adaptation (``adjust``), so every place shows the same numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from db.consent import allows
from db.live import MemberClassSummary
from db.training import ReadinessCheckin, WorkoutFeedback, WorkoutLog, WorkoutPlan
from planner.config import default_config
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan
from planner.performance import (
    CameraSet,
    CheckInRecord,
    ClassResult,
    FeedbackRecord,
    PerformanceSummary,
    PlannedSession,
    SetRecord,
    performance_summary,
    session_dates,
)
from planner.performance_plan import PerformanceChange, apply_performance
from planner.readiness import ReadinessCheckIn, member_status
from scheduler.config import studio_zone

# Four weeks is one mesocycle's loading run at the shortest deload spacing (4-6 weeks,
# bell2023): long enough for a trend, short enough to describe the member's current block.
DEFAULT_WEEKS = 4
SOURCE = "performance summary"  # the adaptation records' source of these changes


def studio_today() -> date:
    return datetime.now(studio_zone()).date()


def _class_result(row: MemberClassSummary, zone: ZoneInfo) -> ClassResult | None:
    if row.ended_at is None:
        return None
    payload: dict[str, Any] = row.payload or {}
    totals = payload.get("totals") or {}
    form = payload.get("form") or {}
    sets = [CameraSet(exercise=str(s.get("exercise")), reps=int(s.get("reps") or 0),
                      faulty=int(s.get("faulty") or 0))
            for s in form.get("sets") or [] if s.get("exercise") and s.get("reps")]
    return ClassResult(class_session_id=row.class_session_id,
                       on=datetime.fromtimestamp(row.ended_at, zone).date(),
                       effort_points=totals.get("effort_points"), trimp=totals.get("trimp"),
                       recovery_bpm_60s=totals.get("recovery_bpm_60s"), sets=sets)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plan_sessions(row: WorkoutPlan) -> list[PlannedSession]:
    """The plan's sessions on their dates, counted from approval in the studio's zone
    (``planner.performance.session_dates``); none for a plan not yet approved."""
    if row.approved_at is None:
        return []
    plan = Plan.model_validate(row.plan)
    return session_dates([(w.week, [(s.day, s.in_class) for s in w.sessions])
                          for w in plan.weeks], _utc(row.approved_at).astimezone(
                              studio_zone()).date())


async def gather(db: AsyncSession, member_id: str, weeks: int = DEFAULT_WEEKS,
                 today: date | None = None) -> PerformanceSummary:
    """The summary of the ``weeks`` weeks ending ``today`` (default: today in the studio)."""
    zone = studio_zone()
    today = today or studio_today()
    start = today - timedelta(days=7 * weeks - 1)
    since = datetime.combine(start, datetime.min.time(), zone)
    classes = [c for c in (_class_result(r, zone) for r in await db.scalars(
        select(MemberClassSummary).where(MemberClassSummary.member_id == member_id,
                                         MemberClassSummary.ended_at >= since.timestamp())))
               if c is not None]
    sets = [SetRecord(exercise_id=r.exercise_id, on=r.performed_on, reps=r.reps,
                      load_kg=r.load_kg, rpe=r.rpe, pain=r.pain, poor_form=r.poor_form,
                      week=r.week, day=r.day)
            for r in await db.scalars(select(WorkoutLog).where(
                WorkoutLog.member_id == member_id, WorkoutLog.performed_on >= start))]
    config = default_config()
    check_ins = [CheckInRecord(on=r.checked_on, readiness=member_status(ReadinessCheckIn(
        sleep=r.sleep, energy=r.energy, stress=r.stress, soreness=r.soreness, pain=r.pain,
        pain_areas=r.pain_areas or []), config).readiness)  # type: ignore[arg-type]
        for r in await db.scalars(select(ReadinessCheckin).where(
            ReadinessCheckin.member_id == member_id, ReadinessCheckin.checked_on >= start))]
    feedback = [FeedbackRecord(on=_utc(r.created_at).astimezone(zone).date(), rating=r.rating,
                               commented=bool(r.comment), comment=r.comment,
                               session=r.session_ref)
                for r in await db.scalars(select(WorkoutFeedback).where(
                    WorkoutFeedback.member_id == member_id,
                    WorkoutFeedback.created_at >= since))]
    plan_row = await db.scalar(select(WorkoutPlan).where(
        WorkoutPlan.member_id == member_id, WorkoutPlan.status == "active")
        .order_by(WorkoutPlan.approved_at.desc()).limit(1))
    planned = plan_sessions(plan_row) if plan_row is not None else []
    return performance_summary(member_id, today=today, weeks=weeks, classes=classes,
                               sets=sets, check_ins=check_ins, feedback=feedback,
                               planned=[p for p in planned if p.on <= today])


def applied_signals(adaptations: list[dict[str, Any]] | None) -> set[str]:
    """Signals a plan already acted on (kept in its adaptation records), so adapting again
    does not regress the same exercise twice or move the deload again."""
    return {s for a in adaptations or [] if a.get("source") == SOURCE
            for s in a.get("signals") or []}


def adaptation_record(summary: PerformanceSummary, changes: list[PerformanceChange]
                      ) -> dict[str, Any]:
    """An entry of ``WorkoutPlan.adaptations``: what the summary changed and why (the plan
    review lists each note), and which signals are now done."""
    return {"at": datetime.now(UTC).isoformat(), "source": SOURCE, "logs": 0,
            "window": {"start": summary.start.isoformat(), "end": summary.end.isoformat(),
                       "weeks": summary.weeks},
            "signals": [c.signal for c in changes if c.applied],
            "adjustments": [{"reason": c.note, "applied": c.applied} for c in changes]}


async def adjust(db: AsyncSession, member_id: str, plan: Plan, profile: MemberProfile,
                 library: ExerciseLibrary, *, from_week: int,
                 adaptations: list[dict[str, Any]] | None = None,
                 report_unapplied: bool = True) -> tuple[Plan, dict[str, Any] | None]:
    """The plan answering the member's performance summary from ``from_week``, and the
    adaptation record to keep (None when the summary asked for nothing new, or, without
    ``report_unapplied``, when nothing could be applied: repeated adaptations would
    otherwise keep recording the same refusal). A member who switched ``suggestions``
    off (issue 20) keeps their plan as it is: their class data does not adapt it."""
    if not await allows(db, member_id, "suggestions"):
        return plan, None  # the member said no to suggestions from their data
    summary = await gather(db, member_id)
    if not summary.signals:
        return plan, None
    adjusted, changes = await run_in_threadpool(
        apply_performance, plan, summary, profile=profile, library=library,
        from_week=from_week, config=default_config(), skip=applied_signals(adaptations))
    if not changes or not (report_unapplied or any(c.applied for c in changes)):
        return plan, None
    return adjusted, adaptation_record(summary, changes)
