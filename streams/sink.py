"""The live board in Redis: one hash per class (snapshot) plus a pub/sub channel (changes).

The API subscribes before it reads the snapshot, so a change published in between is
never lost; a tile is idempotent (the latest one wins), so seeing it twice is harmless.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

PREFIX = "spotter"


def board_key(class_session_id: str) -> str:
    return f"{PREFIX}:board:{class_session_id}"


def live_channel(class_session_id: str) -> str:
    return f"{PREFIX}:live:{class_session_id}"


def worker_ready_key(worker_id: str) -> str:
    return f"{PREFIX}:worker:{worker_id}:ready"


STATS_KEY = f"{PREFIX}:stats"
# How long a worker's readiness mark lives without a refresh; the worker refreshes it
# every few seconds, so a dead worker disappears from /readyz within this time.
READY_TTL_S = 15


class LiveBoard:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def put_tile(self, class_session_id: str, tile: dict[str, Any]) -> None:
        payload = json.dumps(tile, separators=(",", ":"))
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(board_key(class_session_id), tile["member_id"], payload)
            pipe.publish(live_channel(class_session_id),
                         json.dumps({"type": "tile", "tile": tile}, separators=(",", ":")))
            await pipe.execute()

    async def count(self, stat: str, amount: int = 1) -> None:
        await self.redis.hincrby(STATS_KEY, stat, amount)

    async def mark_ready(self, worker_id: str) -> None:
        await self.redis.set(worker_ready_key(worker_id), str(time.time()), ex=READY_TTL_S)


async def snapshot(redis: Redis, class_session_id: str) -> dict[str, dict[str, Any]]:
    raw = await redis.hgetall(board_key(class_session_id))
    return {_text(k): json.loads(v) for k, v in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
