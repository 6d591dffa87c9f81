"""Live board reads and the event streams built on them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.exceptions import ServiceUnavailableError
from api.live.hub import LiveHub
from streams.sink import snapshot


def display_order(tiles: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Tiles in a stable order (by name) so they don't jump around on the tablet."""
    return sorted(tiles.values(), key=lambda t: (str(t.get("name", "")), t["member_id"]))


async def board(redis: Redis, class_session_id: str) -> dict[str, dict[str, Any]]:
    try:
        return await snapshot(redis, class_session_id)
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(
            "live data paused: Redis is unreachable; it resumes by itself when Redis is back"
        ) from exc


async def tile_stream(hub: LiveHub, redis: Redis, class_session_id: str
                      ) -> AsyncIterator[tuple[str, Any]]:
    """("snapshot", tiles) once, then ("tile", tile) for every change, forever.

    Subscribes before reading the snapshot so nothing published in between is missed.
    """
    async with hub.subscribe(class_session_id) as queue:
        yield "snapshot", display_order(await board(redis, class_session_id))
        while True:
            for message in await queue.drain():
                yield "tile", message["tile"]
