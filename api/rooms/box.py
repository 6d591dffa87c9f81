"""A room's edge box status and station layout, kept in Redis and pushed to the board.

The status is short-lived: kept for three of the box's reporting intervals, so a box
that went quiet (unplugged, crashed) drops off the tablet instead of showing a
streaming camera forever. The layout is the room's until the box sends another, so it
has no expiry. Both are published on the class's live channel, where the trainer's
board (``api.live.service.LiveView``) picks them up like a tile.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exceptions import Forbidden, InvalidInput, NotFoundError, ServiceUnavailableError
from api.rooms.box_schemas import BoxStatusIn, StationLayoutIn
from db.models import ClassSession, Room
from streams.sink import PREFIX, live_channel

REDIS_DOWN = "box status not kept: Redis is unreachable"
KEEP_INTERVALS = 3  # a status lives this many of the box's reporting intervals


def box_key(room_id: str) -> str:
    return f"{PREFIX}:box:{room_id}"


def stations_key(room_id: str) -> str:
    return f"{PREFIX}:stations:{room_id}"


def ensure_room_device(principal: Principal, room_id: str) -> None:
    """Only the room's own edge device writes its box status (admins may too)."""
    if not (principal.is_admin or (principal.role == "device"
                                   and principal.room_id == room_id)):
        raise Forbidden("only this room's edge device may report its box")


async def class_of_room(db: AsyncSession, room_id: str, class_session_id: str) -> None:
    if await db.get(Room, room_id) is None:
        raise NotFoundError(f"no room {room_id!r}")
    session = await db.get(ClassSession, class_session_id)
    if session is None or session.room_id != room_id:
        raise InvalidInput(f"class {class_session_id!r} is not held in room {room_id!r}")


async def put_status(redis: Redis, room_id: str, status: BoxStatusIn) -> dict[str, Any]:
    data = {**status.model_dump(mode="json"), "room_id": room_id, "at": time.time()}
    ttl = max(5, round(KEEP_INTERVALS * status.every_s))
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.set(box_key(room_id), json.dumps(data), ex=ttl)
            pipe.publish(live_channel(status.class_session_id),
                         json.dumps({"type": "box", "box": data}))
            await pipe.execute()
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc
    return data


async def put_layout(redis: Redis, room_id: str, layout: StationLayoutIn) -> dict[str, Any]:
    """Keep one camera's stations; the board gets the room's whole layout (one message,
    so coalescing on a slow tablet can never drop a camera)."""
    data = {**layout.model_dump(mode="json", exclude={"class_session_id"}),
            "room_id": room_id, "at": time.time()}
    try:
        await redis.hset(stations_key(room_id), layout.camera_id, json.dumps(data))
        stations = await load_layout(redis, room_id)
        if layout.class_session_id:
            await redis.publish(live_channel(layout.class_session_id), json.dumps(
                {"type": "stations", "stations": stations}))
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc
    return data


async def load_status(redis: Redis, room_id: str) -> dict[str, Any] | None:
    raw = await redis.get(box_key(room_id))
    return None if raw is None else dict(json.loads(raw))


async def load_layout(redis: Redis, room_id: str) -> dict[str, dict[str, Any]]:
    raw = await redis.hgetall(stations_key(room_id))
    return {(k.decode() if isinstance(k, bytes) else k): json.loads(v)
            for k, v in sorted(raw.items())}


async def load_box(redis: Redis, room_id: str
                   ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The last status (None once the box went quiet) and the room's layout."""
    try:
        return await load_status(redis, room_id), await load_layout(redis, room_id)
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc
