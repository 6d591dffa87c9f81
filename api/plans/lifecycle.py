"""Approval (with the previous block's logs carried over), adaptation on request and
in-session modifications: the moments logged training changes a plan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from api.accounts.principal import Principal
from api.exercises.service import current_library
from api.plans import access, display, performance
from api.plans.exceptions import PlanRefused, PlanStateError
from api.plans.schemas import AdaptOut, SessionModsIn, SessionModsOut
from api.plans.service import active_plan, parse_profile, stored_profile
from db.notify import notify_member
from db.training import MemberProfileRow, ReadinessCheckin, WorkoutLog, WorkoutPlan
from planner.adapt import Adjustment, ExerciseLog, SetResult, adapt_plan, carry_over
from planner.config import default_config
from planner.errors import PlannerError, PlanRejected
from planner.models import MemberProfile, Plan
from planner.readiness import (
    MemberStatus,
    ReadinessCheckIn,
    apply_modifications,
    member_status,
    suggest_session_modifications,
)

SessionLogs = tuple[int, int, date, list[ExerciseLog]]


def session_logs(rows: Sequence[WorkoutLog]) -> list[SessionLogs]:
    """Logged set rows -> (week, day, date, one ExerciseLog per exercise), oldest first."""
    ordered = sorted((r for r in rows if r.week is not None and r.day is not None),
                     key=lambda r: (r.week, r.day, r.performed_on, r.exercise_id, r.set_index))
    out: list[SessionLogs] = []
    for (week, day), group in groupby(ordered, key=lambda r: (r.week, r.day)):
        items = list(group)
        logs = []
        for ex_id, sets in groupby(sorted(items, key=lambda r: (r.exercise_id, r.set_index)),
                                   key=lambda r: r.exercise_id):
            done = list(sets)
            logs.append(ExerciseLog(exercise_id=ex_id, pain=any(r.pain for r in done),
                                    poor_form=any(r.poor_form for r in done),
                                    sets=[SetResult(reps=r.reps or 0, load_kg=r.load_kg,
                                                    rpe=r.rpe) for r in done]))
        out.append((int(week or 0), int(day or 0), max(r.performed_on for r in items), logs))
    return out


async def _unapplied(db: AsyncSession, plan_id: str) -> list[WorkoutLog]:
    return list(await db.scalars(select(WorkoutLog).where(
        WorkoutLog.plan_id == plan_id, WorkoutLog.applied_at.is_(None))))


def _record(source: str, adjustments: Sequence[Adjustment], logs: int) -> dict[str, Any]:
    return {"at": datetime.now(UTC).isoformat(), "source": source, "logs": logs,
            "adjustments": [a.model_dump(mode="json") for a in adjustments]}


async def _keep_history(db: AsyncSession, member_id: str, updated: MemberProfile,
                        user_id: str | None) -> None:
    """The stored profile gains the applied sets (its 1RM estimates follow the member)."""
    row = await db.get(MemberProfileRow, member_id)
    if row is not None:
        stored = parse_profile(row.profile, "stored profile")
        known = {(s.exercise_id, s.date, s.load_kg, s.reps) for s in stored.training_history}
        new = [s for s in updated.training_history
               if (s.exercise_id, s.date, s.load_kg, s.reps) not in known]
        row.profile = stored.model_copy(update={
            "training_history": [*stored.training_history, *new]}).model_dump(mode="json")
        row.updated_at, row.updated_by = datetime.now(UTC), user_id


async def approve(db: AsyncSession, principal: Principal, plan_id: str) -> WorkoutPlan:
    """Draft -> active. The member's active plan is archived; sets logged against it that
    were not yet applied adapt the new block before it starts; the member is told."""
    access.ensure_staff(principal, "approve plans")
    row = await access.plan_for(db, principal, plan_id)
    if row.status != "draft":
        raise PlanStateError(f"only a draft can be approved; this plan is {row.status}")
    profile = parse_profile(row.profile, "plan's profile")
    library = await current_library(db)
    plan = Plan.model_validate(row.plan)
    previous = await active_plan(db, row.member_id)
    now = datetime.now(UTC)
    if previous is not None:
        logs = await _unapplied(db, previous.id)
        grouped = session_logs(logs)
        if grouped:
            try:
                plan, updated, adjustments = await run_in_threadpool(
                    carry_over, Plan.model_validate(previous.plan), grouped, plan,
                    profile=profile, library=library, config=default_config())
            except PlanRejected as exc:
                raise PlanRefused("the logged sets could not be carried into this plan",
                                  exc.violations) from exc
            row.profile = updated.model_dump(mode="json")
            row.adaptations = [*(row.adaptations or []),
                               _record("carried over at approval", adjustments, len(logs))]
            await _keep_history(db, row.member_id, updated, principal.user_id)
            for log in logs:
                log.applied_at = now
        previous.status, previous.updated_at = "archived", now
    row.plan = plan.to_json_dict()
    row.status, row.approved_at, row.approved_by, row.updated_at = (
        "active", now, principal.user_id, now)
    await notify_member(db, "plan.approved", row.member_id, {
        "plan_id": row.id, "url": "/member", "title": "Your new training plan is ready"})
    await db.commit()
    return row


async def adapt(db: AsyncSession, principal: Principal, plan_id: str) -> AdaptOut:
    """Apply the plan's logged, not yet applied sessions in order (``planner.adapt``)."""
    row = await access.plan_for(db, principal, plan_id)
    if row.status != "active":
        raise PlanStateError("only the active plan adapts to logged sets")
    logs = await _unapplied(db, row.id)
    grouped = session_logs(logs)
    library = await current_library(db)
    plan, profile = Plan.model_validate(row.plan), parse_profile(row.profile, "plan's profile")
    adjustments: list[Adjustment] = []
    warnings: list[str] = []
    for week, day, when, session in grouped:
        try:
            plan, profile, made = await run_in_threadpool(
                adapt_plan, plan, session, week=week, day=day, profile=profile,
                library=library, config=default_config(), logged_on=when)
        except PlanRejected as exc:
            raise PlanRefused("the adapted plan breaks the guidance; nothing was saved",
                              exc.violations) from exc
        except PlannerError as exc:
            warnings.append(str(exc))
            continue
        adjustments += made
    # Then what the member's last weeks show (load vs recovery, form faults) adapts the
    # weeks after the current one; its record names the numbers.
    plan, record = await performance.adjust(
        db, row.member_id, plan, profile, library, adaptations=row.adaptations,
        from_week=display.current_week(row.approved_at, len(plan.weeks)) + 1,
        report_unapplied=False)
    changed = [a["reason"] for a in (record or {}).get("adjustments", [])]
    now = datetime.now(UTC)
    if grouped:
        row.profile = profile.model_dump(mode="json")
        row.adaptations = [*(row.adaptations or []),
                           _record("on request", adjustments, len(logs))]
        await _keep_history(db, row.member_id, profile, principal.user_id)
        for log in logs:
            log.applied_at = now
    else:
        warnings.append("no new logged sets since the last adaptation")
    if record is not None:
        row.adaptations = [*(row.adaptations or []), record]
    if grouped or record is not None:
        row.plan, row.updated_at = plan.to_json_dict(), now
    await db.commit()
    return AdaptOut(plan_id=row.id, applied_logs=len(logs) if grouped else 0,
                    adjustments=adjustments, warnings=warnings, performance=changed)


async def todays_status(db: AsyncSession, member_id: str, check_in: ReadinessCheckIn | None
                        ) -> MemberStatus:
    """From the given check-in, else the member's latest of today; else stated as assumed."""
    if check_in is None:
        row = await db.scalar(select(ReadinessCheckin).where(
            ReadinessCheckin.member_id == member_id,
            ReadinessCheckin.checked_on == datetime.now(UTC).date())
            .order_by(ReadinessCheckin.created_at.desc()).limit(1))
        if row is not None:
            check_in = ReadinessCheckIn(sleep=row.sleep, energy=row.energy, stress=row.stress,
                                        soreness=row.soreness, pain=row.pain,
                                        pain_areas=row.pain_areas or [])  # type: ignore[arg-type]
    if check_in is not None:
        return member_status(check_in, default_config())
    return MemberStatus(readiness=default_config().readiness.train_at, fatigue="low",
                        status="train", notes=["no readiness check-in today: treated as "
                                               "ready to train"])


async def session_modifications(db: AsyncSession, principal: Principal, plan_id: str,
                                week: int, day: int, body: SessionModsIn) -> SessionModsOut:
    """Suggested changes to one planned session from readiness and live feedback."""
    row = await access.plan_for(db, principal, plan_id)
    plan = Plan.model_validate(row.plan)
    session = next((s for w in plan.weeks if w.week == week for s in w.sessions
                    if s.day == day), None)
    if session is None:
        raise PlanRefused("no such session", [f"the plan has no session on day {day} of "
                                              f"week {week}"])
    status = await todays_status(db, row.member_id, body.check_in)
    profile = await stored_profile(db, row.member_id) or parse_profile(row.profile, "profile")
    library = await current_library(db)
    try:
        mods = suggest_session_modifications(status, session, body.live_feedback,
                                             profile=profile, library=library,
                                             config=default_config())
    except PlannerError as exc:
        raise PlanRefused("cannot suggest changes", [str(exc)]) from exc
    changed = apply_modifications(session, mods, library, default_config())
    return SessionModsOut(plan_id=row.id, week=week, day=day, member_status=status,
                          modifications=mods, session=changed.model_dump(mode="json"))
