"""Members' own training data: planner profile, logged sets, check-ins, feedback.

``{member_id}`` may be ``me`` for the calling member. Members reach only their own;
trainers the members booked into their classes (or on their plans); admins everyone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from api.accounts.dependencies import UserPrincipal
from api.deps import SessionDep
from api.members import changes, service
from api.members.schemas import (
    CheckInIn,
    CheckInOut,
    FeedbackIn,
    FeedbackOut,
    LoggedSetOut,
    LogIn,
    ProfileOut,
)
from api.plans import performance
from api.plans.access import ensure_member_access, resolve_member_id
from db.access_log import logged
from planner.models import MemberProfile
from planner.performance import PerformanceSummary

router = APIRouter(prefix="/api/members", tags=["members"])


@router.get("/{member_id}/profile")
async def get_profile(member_id: str, db: SessionDep, principal: UserPrincipal) -> ProfileOut:
    """The planner profile (``spotter plan example-profile`` shows one); null when none."""
    mid = resolve_member_id(principal, member_id)
    result = await service.get_profile(db, principal, mid)
    return await logged(db, principal, mid, "profile", result)


@router.put("/{member_id}/profile")
async def put_profile(member_id: str, body: MemberProfile, db: SessionDep,
                      principal: UserPrincipal) -> ProfileOut:
    """Store the planner profile (its ``member_id`` must be this member's)."""
    mid = resolve_member_id(principal, member_id)
    result = await service.put_profile(db, principal, mid, body)
    return await logged(db, principal, mid, "profile", result, action="change")


@router.post("/{member_id}/logs", status_code=201)
async def log_sets(member_id: str, body: LogIn, db: SessionDep, principal: UserPrincipal
                   ) -> list[LoggedSetOut]:
    """Log sets (load, reps, RPE) of one exercise of a session of the active plan."""
    mid = resolve_member_id(principal, member_id)
    result = await service.log_sets(db, principal, mid, body)
    return await logged(db, principal, mid, "logged_sets", result, action="change")


@router.get("/{member_id}/logs")
async def list_logs(member_id: str, db: SessionDep, principal: UserPrincipal,
                    plan_id: str | None = Query(default=None, max_length=64),
                    limit: int = Query(default=200, ge=1, le=1000)) -> list[LoggedSetOut]:
    mid = resolve_member_id(principal, member_id)
    result = await service.list_logs(db, principal, mid, plan_id, limit)
    return await logged(db, principal, mid, "logged_sets", result)


@router.post("/{member_id}/checkins", status_code=201)
async def check_in(member_id: str, body: CheckInIn, db: SessionDep, principal: UserPrincipal
                   ) -> CheckInOut:
    """A pre-session readiness check-in (five 1-5 answers) and the status it gives."""
    mid = resolve_member_id(principal, member_id)
    result = await service.check_in(db, principal, mid, body)
    return await logged(db, principal, mid, "checkin", result, action="change")


@router.get("/{member_id}/checkins")
async def list_checkins(member_id: str, db: SessionDep, principal: UserPrincipal,
                        limit: int = Query(default=60, ge=1, le=500)) -> list[CheckInOut]:
    mid = resolve_member_id(principal, member_id)
    result = await service.list_checkins(db, principal, mid, limit)
    return await logged(db, principal, mid, "checkin", result)


@router.post("/{member_id}/feedback", status_code=201)
async def give_feedback(member_id: str, body: FeedbackIn, db: SessionDep,
                        principal: UserPrincipal) -> FeedbackOut:
    """Feedback on one workout of a plan (rating 1-5, optional comment)."""
    mid = resolve_member_id(principal, member_id)
    result = await service.give_feedback(db, principal, mid, body)
    return await logged(db, principal, mid, "feedback", result, action="change")


@router.get("/{member_id}/feedback")
async def list_feedback(member_id: str, db: SessionDep, principal: UserPrincipal,
                        limit: int = Query(default=100, ge=1, le=500)) -> list[FeedbackOut]:
    mid = resolve_member_id(principal, member_id)
    result = await service.list_feedback(db, principal, mid, limit)
    return await logged(db, principal, mid, "feedback", result)


@router.get("/{member_id}/performance")
async def member_performance(member_id: str, db: SessionDep, principal: UserPrincipal,
                             weeks: int = Query(default=performance.DEFAULT_WEEKS, ge=1,
                                                le=52)) -> PerformanceSummary:
    """The last ``weeks`` weeks in numbers: training load trend (effort points, TRIMP),
    heart-rate recovery trend, reps and fault rate per exercise, adherence to the plan,
    readiness and workout feedback, and what planning does about them (``signals``)."""
    member = await ensure_member_access(db, principal, resolve_member_id(principal, member_id))
    return await logged(db, principal, member.id, "performance",
                        await performance.gather(db, member.id, weeks))


@router.get("/{member_id}/session-changes")
async def session_changes(member_id: str, db: SessionDep, principal: UserPrincipal,
                          plan_id: str | None = Query(default=None, max_length=64)
                          ) -> list[dict[str, Any]]:
    """Changes to the member's planned sessions suggested in live classes, each with its
    evidence; members see the ones their trainer accepted, staff every status."""
    mid = resolve_member_id(principal, member_id)
    return await logged(db, principal, mid, "session_changes", await changes.session_changes(
        db, principal, mid, plan_id=plan_id))
