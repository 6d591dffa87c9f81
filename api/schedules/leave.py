"""Trainers' time off as date ranges. Recording leave runs the lookahead at once, so the
admins see what it hits within the next days without anyone running a repair by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.dates import StudioDate
from api.exceptions import Forbidden, InvalidInput, NotFoundError
from api.schedules import lookahead
from db.models import Trainer
from db.timetable import ScheduleProposal, TrainerLeave

MAX_DAYS = 366  # a longer absence is a contract change, not leave


class LeaveIn(BaseModel):
    trainer_id: str | None = Field(None, description="default: the calling trainer")
    starts_on: StudioDate
    ends_on: StudioDate = Field(description="last day away (inclusive)")
    reason: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> LeaveIn:
        if self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        if (self.ends_on - self.starts_on).days >= MAX_DAYS:
            raise ValueError(f"leave longer than {MAX_DAYS} days: record it in parts")
        return self


class LeaveOut(BaseModel):
    id: str
    trainer_id: str
    trainer: str
    starts_on: date
    ends_on: date
    reason: str | None
    proposals: int = Field(0, description="lookahead proposals this leave opened just now")


def _out(row: TrainerLeave, name: str, proposals: int = 0) -> LeaveOut:
    return LeaveOut(id=row.id, trainer_id=row.trainer_id, trainer=name,
                    starts_on=row.starts_on, ends_on=row.ends_on, reason=row.reason,
                    proposals=proposals)


def _whose(principal: Principal, asked: str | None) -> str:
    if principal.is_admin:
        if not asked:
            raise InvalidInput("give trainer_id: whose leave is it?")
        return asked
    if principal.trainer_id is None:
        raise Forbidden("only trainers and admins record leave")
    if asked and asked != principal.trainer_id:
        raise Forbidden("trainers record their own leave; ask an admin for someone else's")
    return principal.trainer_id


async def add(db: AsyncSession, principal: Principal, body: LeaveIn) -> LeaveOut:
    trainer_id = _whose(principal, body.trainer_id)
    trainer = await db.get(Trainer, trainer_id)
    if trainer is None:
        raise InvalidInput(f"trainer {trainer_id!r} does not exist")
    row = TrainerLeave(trainer_id=trainer_id, starts_on=body.starts_on, ends_on=body.ends_on,
                       reason=body.reason, created_by=principal.user_id)
    db.add(row)
    await db.commit()
    made = await lookahead.scan(db)
    return _out(row, trainer.display_name, len(made))


async def upcoming(db: AsyncSession, today: date | None = None) -> list[LeaveOut]:
    """Leave that has not ended yet, soonest first."""
    today = today or datetime.now(UTC).date()
    rows = list(await db.scalars(select(TrainerLeave).where(
        TrainerLeave.ends_on >= today - timedelta(days=0)).order_by(TrainerLeave.starts_on)))
    names = {t.id: t.display_name for t in await db.scalars(select(Trainer))}
    return [_out(r, names.get(r.trainer_id, r.trainer_id)) for r in rows]


async def remove(db: AsyncSession, principal: Principal, leave_id: str) -> None:
    """Delete a leave (own, or any for admins); its open proposals are withdrawn."""
    row = await db.get(TrainerLeave, leave_id)
    if row is None:
        raise NotFoundError(f"leave {leave_id!r} does not exist")
    if not principal.is_admin and row.trainer_id != principal.trainer_id:
        raise Forbidden("trainers may remove only their own leave")
    for p in await db.scalars(select(ScheduleProposal).where(
            ScheduleProposal.leave_id == leave_id, ScheduleProposal.status == "open")):
        p.status = "withdrawn"
    await db.delete(row)
    await db.commit()
