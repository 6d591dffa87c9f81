"""Live class data: a JSON snapshot and a Server-Sent Events stream of tile changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.accounts.dependencies import CurrentPrincipal
from api.classes.service import ensure_staff_access, get_session
from api.deps import HubDep, RedisDep, SessionDep
from api.live import service

router = APIRouter(prefix="/api/classes", tags=["live"])


@router.get("/{class_session_id}/board")
async def get_board(class_session_id: str, redis: RedisDep, db: SessionDep,
                    principal: CurrentPrincipal) -> dict[str, dict[str, Any]]:
    """The current tile of every member in the class (503 while Redis is down)."""
    ensure_staff_access(principal, await get_session(db, class_session_id, principal))
    return await service.board(redis, class_session_id)


@router.get("/{class_session_id}/live", response_class=EventSourceResponse)
async def live(class_session_id: str, hub: HubDep, redis: RedisDep, db: SessionDep,
               principal: CurrentPrincipal) -> AsyncIterator[ServerSentEvent]:
    """Event ``snapshot`` (all tiles) first, then one ``tile`` event per change."""
    ensure_staff_access(principal, await get_session(db, class_session_id, principal))
    await service.board(redis, class_session_id)  # fail fast with 503 before streaming
    async for event, data in service.tile_stream(hub, redis, class_session_id):
        yield ServerSentEvent(event=event, data=data)
