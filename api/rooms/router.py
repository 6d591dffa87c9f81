"""``/api/rooms``: what runs in a room now (for its edge box), and the box's cameras."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.deps import RedisDep, SessionDep
from api.exceptions import Forbidden, NotFoundError
from api.rooms import box, service
from api.rooms.box_schemas import BoxOut, BoxStatusIn, StationLayoutIn
from api.rooms.schemas import RoomNowOut
from db.models import Room

router = APIRouter(prefix="/api/rooms", tags=["rooms"])


@router.get("/{room_id}/now")
async def get_room_now(room_id: str, db: SessionDep, principal: CurrentPrincipal
                       ) -> RoomNowOut:
    """The class live in the room, today's classes there, and the camera and alert
    toggles; the room's edge box asks every few seconds and switches classes by it."""
    return await service.room_now(db, room_id, principal)


@router.put("/{room_id}/box")
async def put_box_status(room_id: str, body: BoxStatusIn, db: SessionDep, redis: RedisDep,
                         principal: CurrentPrincipal) -> dict[str, Any]:
    """The room's edge box reports its cameras (state, reconnect attempts, stations'
    members and frame rates; no image): kept briefly, shown on the class's board."""
    box.ensure_room_device(principal, room_id)
    await box.class_of_room(db, room_id, body.class_session_id)
    return await box.put_status(redis, room_id, body)


@router.put("/{room_id}/stations")
async def put_stations(room_id: str, body: StationLayoutIn, db: SessionDep, redis: RedisDep,
                       principal: CurrentPrincipal) -> dict[str, Any]:
    """One camera's station regions (fractions of its image) and members, as the box
    runs them: the room's layout for the tablet's schematic. Coordinates only."""
    box.ensure_room_device(principal, room_id)
    if body.class_session_id:
        await box.class_of_room(db, room_id, body.class_session_id)
    elif await db.get(Room, room_id) is None:
        raise NotFoundError(f"no room {room_id!r}")
    return await box.put_layout(redis, room_id, body)


@router.get("/{room_id}/box")
async def get_box(room_id: str, db: SessionDep, redis: RedisDep,
                  principal: CurrentPrincipal) -> BoxOut:
    """The box's last status (null once it went quiet) and the room's station layout:
    for staff and the room's own device."""
    if principal.role not in ("admin", "trainer") and not (
            principal.role == "device" and principal.room_id == room_id):
        raise Forbidden("only staff or this room's edge device may see the room's box")
    if await db.get(Room, room_id) is None:
        raise NotFoundError(f"no room {room_id!r}")
    status, stations = await box.load_box(redis, room_id)
    return BoxOut(room_id=room_id, status=status, stations=stations)
