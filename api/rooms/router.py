"""``/api/rooms``: what runs in a room now (for its edge box)."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.deps import SessionDep
from api.rooms import service
from api.rooms.schemas import RoomNowOut

router = APIRouter(prefix="/api/rooms", tags=["rooms"])


@router.get("/{room_id}/now")
async def get_room_now(room_id: str, db: SessionDep, principal: CurrentPrincipal
                       ) -> RoomNowOut:
    """The class live in the room, today's classes there, and the camera and alert
    toggles; the room's edge box asks every few seconds and switches classes by it."""
    return await service.room_now(db, room_id, principal)
