"""Who may see and change which member's training data (checked per object, here).

Members: only their own profile, logs, check-ins, feedback and plans (drafts excepted:
a draft is the coach's until it is approved). Trainers: members booked into their classes
and members whose plans they are assigned to. Admins: everyone. Devices: nobody's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exceptions import Forbidden, InvalidInput, NotFoundError
from db.models import Booking, ClassSession, Member
from db.training import WorkoutPlan

STAFF = ("admin", "trainer")


def resolve_member_id(principal: Principal, member_id: str) -> str:
    """``me`` means the calling member."""
    if member_id != "me":
        return member_id
    if principal.role != "member" or not principal.member_id:
        raise InvalidInput("'me' is only for member accounts; pass the member's id")
    return principal.member_id


def booked_with(trainer_id: str | None) -> Select[Any]:
    """Ids of members booked into the trainer's classes."""
    return (select(Booking.member_id).join(ClassSession,
                                           ClassSession.id == Booking.class_session_id)
            .where(ClassSession.trainer_id == trainer_id))


def trainer_plans(trainer_id: str | None) -> ColumnElement[bool]:
    """WHERE clause on WorkoutPlan: assigned to the trainer, or of a member they train."""
    return or_(WorkoutPlan.trainer_id == trainer_id,
               WorkoutPlan.member_id.in_(booked_with(trainer_id)))


def trainer_members(trainer_id: str | None) -> ColumnElement[bool]:
    """WHERE clause on Member.id: booked into the trainer's classes or on their plans."""
    assigned = select(WorkoutPlan.member_id).where(WorkoutPlan.trainer_id == trainer_id)
    return or_(Member.id.in_(booked_with(trainer_id)), Member.id.in_(assigned))


async def visible_members(db: AsyncSession, principal: Principal) -> list[Member]:
    query = select(Member).order_by(Member.display_name)
    if principal.role == "trainer":
        query = query.where(trainer_members(principal.trainer_id))
    elif principal.role == "member":
        query = query.where(Member.id == principal.member_id)
    elif principal.role != "admin":
        return []
    return list(await db.scalars(query))


async def ensure_member_access(db: AsyncSession, principal: Principal, member_id: str
                               ) -> Member:
    """The member, if the caller may see (and log for) them; 403/404 otherwise."""
    if principal.role == "member":
        if member_id != principal.member_id:
            raise Forbidden("members see and change only their own training data")
    elif principal.role == "trainer":
        allowed = await db.scalar(select(Member.id).where(
            Member.id == member_id, trainer_members(principal.trainer_id)))
        if allowed is None:
            if await db.get(Member, member_id) is None:
                raise NotFoundError(f"member {member_id!r} does not exist")
            raise Forbidden("trainers see members booked into their classes or on plans "
                            "assigned to them")
    elif principal.role != "admin":
        raise Forbidden("devices have no access to members' training data")
    member = await db.get(Member, member_id)
    if member is None:
        raise NotFoundError(f"member {member_id!r} does not exist")
    return member


async def plan_for(db: AsyncSession, principal: Principal, plan_id: str) -> WorkoutPlan:
    """The plan, if the caller may see it; 404 for anything else (ids are not revealed)."""
    plan = await db.get(WorkoutPlan, plan_id)
    missing = NotFoundError(f"plan {plan_id!r} does not exist or is not yours")
    if plan is None:
        raise missing
    if principal.role == "admin":
        return plan
    if principal.role == "member":
        if plan.member_id != principal.member_id or plan.status == "draft":
            raise missing
        return plan
    if principal.role == "trainer":
        if plan.trainer_id == principal.trainer_id:
            return plan
        booked = await db.scalar(select(Booking.id).join(
            ClassSession, ClassSession.id == Booking.class_session_id).where(
            Booking.member_id == plan.member_id,
            ClassSession.trainer_id == principal.trainer_id).limit(1))
        if booked is not None:
            return plan
    raise missing


def ensure_staff(principal: Principal, what: str) -> None:
    if principal.role not in STAFF:
        raise Forbidden(f"only a trainer or an admin may {what}")
