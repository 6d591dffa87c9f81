"""Workout plans: generate (draft), review, edit, approve (active), archive, adapt.

Refusals of the planner answer 422 with ``reasons``: each says what to change."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from api.accounts.dependencies import StaffPrincipal, UserPrincipal
from api.deps import SessionDep
from api.plans import access, lifecycle, service
from api.plans.exceptions import PlanRefused
from api.plans.schemas import (
    AdaptOut,
    PlanCreate,
    PlanEdit,
    PlanOut,
    PlanStatus,
    PlanSummary,
    SessionModsIn,
    SessionModsOut,
)
from db.access_log import logged

router = APIRouter(prefix="/api/plans", tags=["plans"])
REFUSED: dict[int | str, dict[str, Any]] = {422: {
    "description": "The planner refused; `reasons` list why and what to change",
    "content": {"application/json": {"example": {"detail": "no plan: ...",
                                                 "reasons": ["..."]}}}}}
T = TypeVar("T")


async def _or_refused(work: Awaitable[T]) -> T | JSONResponse:
    try:
        return await work
    except PlanRefused as exc:
        return JSONResponse({"detail": exc.message, "reasons": exc.reasons}, status_code=422)


@router.post("", status_code=201, response_model=PlanOut, responses=REFUSED)
async def generate_plan(body: PlanCreate, db: SessionDep, principal: StaffPrincipal
                        ) -> PlanOut | JSONResponse:
    """Generate a draft plan from the member's stored profile (or ``profile``). Trainers may
    plan for members booked into their classes; the assigned trainer is notified."""
    async def work() -> PlanOut:
        out = await service.plan_out(db, await service.generate(db, principal, body))
        return await logged(db, principal, out.member_id, "plan", out, action="change",
                            detail=f"plan {out.id} generated")
    return await _or_refused(work())


@router.get("")
async def list_plans(db: SessionDep, principal: UserPrincipal,
                     member_id: str | None = Query(default=None, max_length=64),
                     status: PlanStatus | None = None) -> list[PlanSummary]:
    """Plans the caller may see, newest first (members: their own, drafts excepted)."""
    return await logged(db, principal, member_id, "plan", await service.list_plans(
        db, principal, member_id=member_id, status=status), detail="plan list")


@router.get("/{plan_id}")
async def get_plan(plan_id: str, db: SessionDep, principal: UserPrincipal) -> PlanOut:
    """The whole plan with every item's reason, the profile it was made for and what
    adaptation changed."""
    out = await service.plan_out(db, await access.plan_for(db, principal, plan_id))
    return await logged(db, principal, out.member_id, "plan", out, detail=f"plan {plan_id}")


@router.patch("/{plan_id}", response_model=PlanOut, responses=REFUSED)
async def edit_plan(plan_id: str, body: PlanEdit, db: SessionDep, principal: StaffPrincipal
                    ) -> PlanOut | JSONResponse:
    """Change items (dose, exercise, removal). Saved only when the plan still passes the
    rule check; otherwise 422 with the violations (``repair=true`` lets safe fixes apply)."""
    async def work() -> PlanOut:
        out = await service.plan_out(db, await service.edit(db, principal, plan_id, body))
        return await logged(db, principal, out.member_id, "plan", out, action="change",
                            detail=f"plan {plan_id} edited")
    return await _or_refused(work())


@router.post("/{plan_id}/approve", response_model=PlanOut, responses=REFUSED)
async def approve_plan(plan_id: str, db: SessionDep, principal: StaffPrincipal
                       ) -> PlanOut | JSONResponse:
    """Draft -> active; the previous active plan is archived and its unapplied logged sets
    adapt this block; the member is notified."""
    async def work() -> PlanOut:
        out = await service.plan_out(db, await lifecycle.approve(db, principal, plan_id))
        return await logged(db, principal, out.member_id, "plan", out, action="change",
                            detail=f"plan {plan_id} approved")
    return await _or_refused(work())


@router.post("/{plan_id}/archive")
async def archive_plan(plan_id: str, db: SessionDep, principal: StaffPrincipal) -> PlanOut:
    out = await service.plan_out(db, await service.archive(db, principal, plan_id))
    return await logged(db, principal, out.member_id, "plan", out, action="change",
                        detail=f"plan {plan_id} archived")


@router.post("/{plan_id}/adapt", response_model=AdaptOut, responses=REFUSED)
async def adapt_plan(plan_id: str, db: SessionDep, principal: UserPrincipal
                     ) -> AdaptOut | JSONResponse:
    """Apply logged sets not yet applied: progress, hold, reduce or regress each exercise
    in the later sessions (the member of the plan, their trainer or an admin)."""
    return await _or_refused(lifecycle.adapt(db, principal, plan_id))


@router.post("/{plan_id}/sessions/{week}/{day}/modifications", response_model=SessionModsOut,
             responses=REFUSED)
async def session_modifications(plan_id: str, body: SessionModsIn, db: SessionDep,
                                principal: UserPrincipal, week: int = Path(ge=1, le=52),
                                day: int = Path(ge=1, le=7)) -> SessionModsOut | JSONResponse:
    """Suggested changes to today's session from readiness and live feedback (HR alerts,
    form faults, pain, easy sets, missing kit), with the session as changed. Not stored."""
    return await _or_refused(lifecycle.session_modifications(db, principal, plan_id, week,
                                                             day, body))
