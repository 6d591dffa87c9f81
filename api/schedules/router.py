"""``/api/schedules``: weekly timetable drafts, scenarios, publishing, repair, suggestions.

Trainers propose: they generate drafts (admins are notified), compare them and discard
their own. Admins publish, repair, pin and discard any draft. Members (and everyone logged
in) see only the published timetable.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from api.accounts.dependencies import AdminPrincipal, StaffPrincipal, UserPrincipal
from api.deps import SessionDep
from api.schedules import service
from api.schedules.schemas import (
    AdjustmentsOut,
    CompareOut,
    GenerateIn,
    PinIn,
    PublishOut,
    RepairIn,
    RepairOut,
    ScheduleOut,
    ScheduleSummary,
    TimetableOut,
)

router = APIRouter(prefix="/api/schedules", tags=["schedules"])


@router.get("")
async def list_schedules(db: SessionDep, principal: StaffPrincipal,
                         status: Literal["draft", "published", "archived"] | None = None
                         ) -> list[ScheduleSummary]:
    """Timetables, newest first, with solver status, objective and gap."""
    return await service.list_schedules(db, status)


@router.post("/generate", status_code=201)
async def generate(body: GenerateIn, db: SessionDep, principal: StaffPrincipal) -> ScheduleOut:
    """Plan a draft (trainers propose, admins too): a typical week from the studio in the
    database (or a given instance JSON), with the admin's objective weights and the
    request's scenario overrides, to run from ``week_start`` to ``end_date`` (or for
    ``weeks``). The solve runs in a worker thread for at most ``time_limit_s``. No
    timetable possible: 422 naming the conflicting rules in plain words."""
    return await service.generate(db, principal, body)


@router.get("/published")
async def published(db: SessionDep, principal: UserPrincipal) -> TimetableOut:
    """The published week, as every logged-in person (members included) may see it."""
    return await service.timetable(db)


@router.get("/compare")
async def compare(db: SessionDep, principal: StaffPrincipal,
                  a: str = Query(min_length=1, description="schedule id"),
                  b: str = Query(min_length=1, description="schedule id")) -> CompareOut:
    """Two scenarios side by side: both objective breakdowns and how b differs from a."""
    return await service.compare(db, a, b)


@router.get("/{schedule_id}")
async def get_schedule(schedule_id: str, db: SessionDep, principal: StaffPrincipal
                       ) -> ScheduleOut:
    """One timetable with its objective breakdown, bound and gap, and both baselines."""
    return await service.get_schedule(db, schedule_id)


@router.post("/{schedule_id}/publish")
async def publish(schedule_id: str, db: SessionDep, principal: AdminPrincipal) -> PublishOut:
    """Approve a draft (admins): it becomes the published timetable (the previous one is
    archived) and one class is created per dated occurrence in its range, none on a
    closure date, so trainers and members see them."""
    return await service.publish(db, schedule_id)


@router.post("/{schedule_id}/repair", status_code=201)
async def repair(schedule_id: str, body: RepairIn, db: SessionDep, principal: AdminPrincipal
                 ) -> RepairOut:
    """A trainer is unavailable or a room is closed: a new draft that changes the published
    week as little as possible, with the change list and substitutes."""
    return await service.repair(db, principal, schedule_id, body)


@router.get("/{schedule_id}/adjustments")
async def adjustments(schedule_id: str, db: SessionDep, principal: StaffPrincipal
                      ) -> AdjustmentsOut:
    """Under-used classes to move or reduce, sold-out ones to add to, each with evidence
    from the recent weeks' bookings."""
    return await service.adjustments(db, schedule_id)


@router.put("/{schedule_id}/pins")
async def pin(schedule_id: str, body: PinIn, db: SessionDep, principal: AdminPrincipal
              ) -> ScheduleOut:
    """Pin (or unpin) a class: once published, new drafts keep it exactly as it is."""
    return await service.pin(db, schedule_id, body)


@router.delete("/{schedule_id}", status_code=204)
async def discard(schedule_id: str, db: SessionDep, principal: StaffPrincipal) -> Response:
    """Throw a draft away: admins any, trainers their own (published and archived
    timetables are kept)."""
    await service.discard(db, schedule_id, principal)
    return Response(status_code=204)
