"""Live class data: snapshot, a Server-Sent Events stream, start/end and 'resting'."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

from api.accounts.dependencies import CurrentPrincipal
from api.classes.service import ensure_staff_access, get_session, roster, roster_record
from api.deps import RedisDep, SessionDep, SettingsDep
from api.exceptions import NotFoundError
from api.live import control, service
from api.live.hub import HubDep
from contract.records import ClassEvent, Record
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_ROSTER

router = APIRouter(prefix="/api/classes", tags=["live"])


class ClassEventOut(BaseModel):
    class_session_id: str
    event: Literal["start", "end"]
    event_time: float
    status: str


class RestingOut(BaseModel):
    member_id: str
    resting: bool


@router.get("/{class_session_id}/board")
async def get_board(class_session_id: str, redis: RedisDep, db: SessionDep,
                    principal: CurrentPrincipal) -> dict[str, dict[str, Any]]:
    """The current tile of every member in the class (503 while Redis is down)."""
    ensure_staff_access(principal, await get_session(db, class_session_id, principal))
    return await service.board(redis, class_session_id)


async def streamable_class(class_session_id: str, redis: RedisDep, db: SessionDep,
                           principal: CurrentPrincipal) -> str:
    """Everything that can refuse a live stream, checked before its 200 headers go out:
    the class exists and is the caller's (404/403), and Redis answers (503)."""
    ensure_staff_access(principal, await get_session(db, class_session_id, principal))
    await service.board(redis, class_session_id)
    return class_session_id


StreamableClass = Annotated[str, Depends(streamable_class)]


@router.get("/{class_session_id}/live", response_class=EventSourceResponse)
async def live(class_session_id: StreamableClass, hub: HubDep, redis: RedisDep
               ) -> AsyncIterator[ServerSentEvent]:
    """Event ``snapshot`` (all tiles) first, then ``tile``, ``alert``, ``resting``,
    ``class`` and ``summary`` events as things change."""
    async for event, data in service.tile_stream(hub, redis, class_session_id):
        yield ServerSentEvent(event=event, data=data)


async def _class_event(class_session_id: str, event: Literal["start", "end"],
                       db: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
                       ) -> ClassEventOut:
    session = await get_session(db, class_session_id, principal)
    service.ensure_trainer_access(principal, session)
    records: list[tuple[str, str, Record]] = []
    if event == "start":  # the roster first, as the edge box does: profiles before samples
        for row in await roster(db, class_session_id, principal):
            entry = roster_record(class_session_id, row)
            records.append((TOPIC_ROSTER, entry.member_id, entry))
    now = time.time()
    records.append((TOPIC_CLASS_EVENTS, class_session_id,
                    ClassEvent(class_session_id=class_session_id, event=event, event_time=now)))
    await control.publish(settings, records)
    session.status = "live" if event == "start" else "ended"
    await db.commit()
    return ClassEventOut(class_session_id=class_session_id, event=event, event_time=now,
                         status=session.status)


@router.post("/{class_session_id}/start")
async def start_class(class_session_id: str, db: SessionDep, settings: SettingsDep,
                      principal: CurrentPrincipal) -> ClassEventOut:
    """Start the class: publishes the roster and a class start (503 without a broker)."""
    return await _class_event(class_session_id, "start", db, settings, principal)


@router.post("/{class_session_id}/end")
async def end_class(class_session_id: str, db: SessionDep, settings: SettingsDep,
                    principal: CurrentPrincipal) -> ClassEventOut:
    """End the class: the worker finalizes every member and stores the summary."""
    return await _class_event(class_session_id, "end", db, settings, principal)


@router.post("/{class_session_id}/members/{member_id}/resting")
async def mark_resting(class_session_id: str, member_id: str, redis: RedisDep,
                       db: SessionDep, principal: CurrentPrincipal,
                       resting: bool = True) -> RestingOut:
    """Mark a member as resting (``?resting=false`` to undo): dimmed on the tablet and
    left out of under-working alerts until undone."""
    session = await get_session(db, class_session_id, principal)
    service.ensure_trainer_access(principal, session)
    if member_id not in {b.member_id for b in session.bookings}:
        raise NotFoundError(f"member {member_id!r} is not booked into this class")
    await service.set_resting(redis, class_session_id, member_id, resting)
    return RestingOut(member_id=member_id, resting=resting)
