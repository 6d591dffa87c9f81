"""Plans: generate, review, edit, approve and archive; the planner library does the work.

Every plan that is stored has passed the planner's rule check against the profile it was
made for; an edit that breaks the guidance is refused with the checker's reasons.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from api.accounts.principal import Principal
from api.admin.service import ai_features
from api.exceptions import Forbidden, InvalidInput
from api.exercises.service import current_library
from api.plans import access, performance
from api.plans.exceptions import PlannerDisabled, PlanRefused, PlanStateError
from api.plans.schemas import PlanCreate, PlanEdit, PlanOut, PlanSummary
from db.models import Booking, ClassSession, Member, Trainer
from db.notify import notify_trainer
from db.training import MemberProfileRow, WorkoutPlan
from planner.config import default_config
from planner.editing import edit_plan
from planner.errors import PlanInfeasible, PlannerError, PlanRejected
from planner.generator import generate_plan
from planner.models import MemberProfile, Plan
from planner.validation import check_plan, validate_and_repair


def summary(row: WorkoutPlan, member_name: str | None = None) -> PlanSummary:
    body = row.plan or {}
    return PlanSummary(id=row.id, member_id=row.member_id, member_name=member_name,
                       trainer_id=row.trainer_id, status=row.status,  # type: ignore[arg-type]
                       split=body.get("split"), progression_model=body.get("progression_model"),
                       weeks=len(body.get("weeks", [])), warnings=len(body.get("warnings", [])),
                       created_at=row.created_at, approved_at=row.approved_at)


async def plan_out(db: AsyncSession, row: WorkoutPlan) -> PlanOut:
    member = await db.get(Member, row.member_id)
    base = summary(row, member.display_name if member else None)
    return PlanOut(**base.model_dump(), plan=row.plan, profile=row.profile,
                   adaptations=row.adaptations or [])


def parse_profile(data: dict[str, Any], where: str) -> MemberProfile:
    try:
        return MemberProfile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise InvalidInput(f"the {where} is not a valid member profile ({problems}); fix it "
                           "with PUT /api/members/{id}/profile") from exc


def with_heart_rates(profile: MemberProfile, member: Member) -> MemberProfile:
    """The profile with the member's measured HRmax and resting HR where it has none: the
    numbers the live board uses, so a planned zone is the zone on the studio screen."""
    update = {k: getattr(member, k) for k in ("hr_max", "hr_rest")
              if getattr(profile, k) is None and getattr(member, k)}
    if not update:
        return profile
    try:
        return MemberProfile.model_validate({**profile.model_dump(mode="json"), **update})
    except ValidationError:   # an implausible value on the member record: plan without it
        return profile


async def stored_profile(db: AsyncSession, member_id: str) -> MemberProfile | None:
    row = await db.get(MemberProfileRow, member_id)
    return parse_profile(row.profile, "stored profile") if row else None


async def save_profile(db: AsyncSession, member_id: str, profile: MemberProfile,
                       user_id: str | None) -> MemberProfileRow:
    """Store (without committing) the member's profile; its member_id must be theirs."""
    if profile.member_id != member_id:
        raise InvalidInput(f"profile.member_id is {profile.member_id!r}, not {member_id!r}")
    row = await db.get(MemberProfileRow, member_id)
    if row is None:
        row = MemberProfileRow(member_id=member_id)
        db.add(row)
    row.profile = profile.model_dump(mode="json")
    row.updated_at, row.updated_by = datetime.now(UTC), user_id
    return row


async def _assigned_trainer(db: AsyncSession, principal: Principal, member_id: str,
                            asked: str | None) -> str | None:
    if principal.role == "trainer":
        if asked not in (None, principal.trainer_id):
            raise Forbidden("trainers assign plans to themselves; ask an admin to assign "
                            "another trainer")
        return principal.trainer_id
    if asked is not None:
        if await db.get(Trainer, asked) is None:
            raise InvalidInput(f"trainer {asked!r} does not exist")
        return asked
    return await db.scalar(  # the trainer of the member's latest booked class
        select(ClassSession.trainer_id).join(Booking, Booking.class_session_id == ClassSession.id)
        .where(Booking.member_id == member_id).order_by(ClassSession.starts_at.desc()).limit(1))


async def generate(db: AsyncSession, principal: Principal, body: PlanCreate) -> WorkoutPlan:
    """A new draft plan; the assigned trainer is told it is ready for review."""
    access.ensure_staff(principal, "generate plans")
    if not (await ai_features(db)).planner:
        raise PlannerDisabled("the planner is switched off in the studio settings; an admin "
                              "can switch it on at /admin/settings")
    member = await access.ensure_member_access(db, principal, body.member_id)
    profile = body.profile
    if profile is not None:
        if profile.member_id != member.id:
            raise InvalidInput(f"profile.member_id is {profile.member_id!r}, but the plan is "
                               f"for {member.id!r}")
        if body.save_profile:
            await save_profile(db, member.id, profile, principal.user_id)
    else:
        profile = await stored_profile(db, member.id)
        if profile is None:
            raise InvalidInput(f"member {member.id!r} has no stored profile; send one in "
                               "'profile' or store it with PUT /api/members/{id}/profile")
    profile = with_heart_rates(profile, member)
    library = await current_library(db)
    try:
        plan = await run_in_threadpool(generate_plan, profile, body.weeks, library=library,
                                       config=default_config())
    except PlanInfeasible as exc:
        raise PlanRefused("no plan: this profile cannot be served within the guidance",
                          exc.reasons) from exc
    except PlannerError as exc:
        raise PlanRefused("no plan", [str(exc)]) from exc
    # The member's last weeks (load, recovery, faults) shape the new block; its reasons say so.
    plan, record = await performance.adjust(db, member.id, plan, profile, library, from_week=1)
    trainer_id = await _assigned_trainer(db, principal, member.id, body.trainer_id)
    row = WorkoutPlan(member_id=member.id, trainer_id=trainer_id, status="draft",
                      profile=profile.model_dump(mode="json"), plan=plan.to_json_dict(),
                      adaptations=[record] if record else [])
    db.add(row)
    await db.flush()
    if trainer_id and trainer_id != principal.trainer_id:
        await notify_trainer(db, "plan.ready_for_review", trainer_id, {
            "plan_id": row.id, "member_id": member.id, "url": f"/trainer/plans/{row.id}",
            "title": f"A new plan for {member.display_name} is ready for your review"})
    await db.commit()
    return row


async def list_plans(db: AsyncSession, principal: Principal, *, member_id: str | None = None,
                     status: str | None = None, limit: int = 100) -> list[PlanSummary]:
    query = select(WorkoutPlan, Member.display_name).join(
        Member, Member.id == WorkoutPlan.member_id)
    if principal.role == "member":
        query = query.where(WorkoutPlan.member_id == principal.member_id,
                            WorkoutPlan.status != "draft")
    elif principal.role == "trainer":
        query = query.where(access.trainer_plans(principal.trainer_id))
    elif principal.role != "admin":
        return []
    if member_id:
        query = query.where(WorkoutPlan.member_id == member_id)
    if status:
        query = query.where(WorkoutPlan.status == status)
    rows = await db.execute(query.order_by(WorkoutPlan.created_at.desc()).limit(limit))
    return [summary(plan, name) for plan, name in rows.all()]


async def active_plan(db: AsyncSession, member_id: str) -> WorkoutPlan | None:
    return await db.scalar(select(WorkoutPlan).where(
        WorkoutPlan.member_id == member_id, WorkoutPlan.status == "active")
        .order_by(WorkoutPlan.approved_at.desc()).limit(1))


def _checked(plan: Plan, profile: MemberProfile, repair: bool, library: Any) -> Plan:
    config = default_config()
    if repair:
        try:
            return validate_and_repair(plan, profile, library, config)
        except PlanRejected as exc:
            raise PlanRefused("the edited plan breaks the guidance and cannot be repaired",
                              exc.violations) from exc
    found = check_plan(plan, profile, library, config)
    if found:
        raise PlanRefused("the edited plan breaks the guidance; nothing was saved",
                          [str(v) for v in found])
    return plan


async def edit(db: AsyncSession, principal: Principal, plan_id: str, body: PlanEdit
               ) -> WorkoutPlan:
    """Apply a coach's changes; saved only when the result passes the rule check."""
    access.ensure_staff(principal, "edit plans")
    row = await access.plan_for(db, principal, plan_id)
    if row.status == "archived":
        raise PlanStateError("an archived plan cannot be edited; generate a new one")
    profile = parse_profile(row.profile, "plan's profile")
    library = await current_library(db)
    try:
        edited = edit_plan(Plan.model_validate(row.plan), body.changes, library,
                           default_config(), profile)
    except PlannerError as exc:
        raise PlanRefused("the change points at nothing", [str(exc)]) from exc
    checked = await run_in_threadpool(_checked, edited, profile, body.repair, library)
    row.plan, row.updated_at = checked.to_json_dict(), datetime.now(UTC)
    await db.commit()
    return row


async def archive(db: AsyncSession, principal: Principal, plan_id: str) -> WorkoutPlan:
    access.ensure_staff(principal, "archive plans")
    row = await access.plan_for(db, principal, plan_id)
    if row.status == "archived":
        raise PlanStateError("the plan is already archived")
    row.status, row.updated_at = "archived", datetime.now(UTC)
    await db.commit()
    return row
