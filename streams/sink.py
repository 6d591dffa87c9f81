"""The live board in Redis: snapshots per class (hashes) plus one pub/sub channel (changes).

Layout, all under ``spotter:``:

* ``board:{class}``   member -> tile JSON (latest wins)
* ``alerts:{class}``  alert id -> alert JSON (upsert by id: the same episode keeps its id)
* ``acks:{class}``    alert id -> {"by", "at"} (written by the API; kept apart so a worker's
  re-upsert of a growing episode never erases an acknowledgement)
* ``class:{class}``   status, start_time, end_time
* ``resting:{class}`` set of members the trainer marked as resting
* ``series:{class}``  "member|bucket start" -> "fraction,seconds" (chart, idempotent)
* ``summary:{class}`` "ready" once the post-class summary is stored
* ``live:{class}``    pub/sub channel; messages are JSON with a ``type``

The API subscribes before it reads a snapshot, so a change published in between is never
lost; every message is idempotent (latest wins), so seeing one twice is harmless.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

PREFIX = "spotter"
STATS_KEY = f"{PREFIX}:stats"
# How long a worker's readiness mark lives without a refresh; the worker refreshes it
# every few seconds, so a dead worker disappears from /readyz within this time.
READY_TTL_S = 15


def board_key(class_session_id: str) -> str:
    return f"{PREFIX}:board:{class_session_id}"


def alerts_key(class_session_id: str) -> str:
    return f"{PREFIX}:alerts:{class_session_id}"


def acks_key(class_session_id: str) -> str:
    return f"{PREFIX}:acks:{class_session_id}"


def class_key(class_session_id: str) -> str:
    return f"{PREFIX}:class:{class_session_id}"


def resting_key(class_session_id: str) -> str:
    return f"{PREFIX}:resting:{class_session_id}"


def series_key(class_session_id: str) -> str:
    return f"{PREFIX}:series:{class_session_id}"


def summary_key(class_session_id: str) -> str:
    return f"{PREFIX}:summary:{class_session_id}"


def live_channel(class_session_id: str) -> str:
    return f"{PREFIX}:live:{class_session_id}"


def worker_ready_key(worker_id: str) -> str:
    return f"{PREFIX}:worker:{worker_id}:ready"


def worker_partitions_key(worker_id: str) -> str:
    return f"{PREFIX}:worker:{worker_id}:partitions"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class LiveBoard:
    """What the worker writes to Redis; every call is one pipelined round trip."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def put_tile(self, class_session_id: str, tile: dict[str, Any]) -> None:
        await self.put_tiles({class_session_id: [tile]})

    async def put_tiles(self, tiles: dict[str, list[dict[str, Any]]]) -> None:
        """Store and announce tiles, one pub/sub message per class."""
        if not tiles:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for class_session_id, items in tiles.items():
                pipe.hset(board_key(class_session_id),
                          mapping={t["member_id"]: _dumps(t) for t in items})
                pipe.publish(live_channel(class_session_id),
                             _dumps({"type": "tiles", "tiles": items}))
            await pipe.execute()

    async def put_alerts(self, alerts: Iterable[dict[str, Any]]) -> None:
        """Upsert alerts by id and announce each."""
        items = list(alerts)
        if not items:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for alert in items:
                cid = alert["class_session_id"]
                pipe.hset(alerts_key(cid), alert["alert_id"], _dumps(alert))
                pipe.publish(live_channel(cid), _dumps({"type": "alert", "alert": alert}))
            await pipe.execute()

    async def set_class(self, class_session_id: str, status: str, event_time: float,
                        event: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(class_key(class_session_id),
                      mapping={"status": status, f"{event}_time": event_time})
            pipe.publish(live_channel(class_session_id),
                         _dumps({"type": "class", "status": status, event: event_time}))
            await pipe.execute()

    async def class_info(self, class_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Status, start time and resting members of each class (for the 1 s timer)."""
        ids = list(class_ids)
        if not ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hgetall(class_key(cid))
                pipe.smembers(resting_key(cid))
            raw = await pipe.execute()
        info = {}
        for i, cid in enumerate(ids):
            fields = {_text(k): _text(v) for k, v in raw[2 * i].items()}
            start = fields.get("start_time")
            info[cid] = {"live": fields.get("status") == "live",
                         "status": fields.get("status"),
                         "started_at": float(start) if start else None,
                         "resting": {_text(m) for m in raw[2 * i + 1]}}
        return info

    async def put_buckets(self, class_session_id: str,
                          buckets: Iterable[tuple[str, float, float, int]]) -> None:
        """Chart buckets (member, start, fraction, seconds); rewriting one is harmless."""
        mapping = {f"{member}|{start:.0f}": f"{fraction},{seconds}"
                   for member, start, fraction, seconds in buckets}
        if mapping:
            await self.redis.hset(series_key(class_session_id), mapping=mapping)

    async def series(self, class_session_id: str) -> dict[str, dict[float, tuple[float, int]]]:
        raw = await self.redis.hgetall(series_key(class_session_id))
        out: dict[str, dict[float, tuple[float, int]]] = {}
        for field, value in raw.items():
            member, _, start = _text(field).rpartition("|")
            fraction, _, seconds = _text(value).partition(",")
            out.setdefault(member, {})[float(start)] = (float(fraction), int(seconds))
        return out

    async def reset_class(self, class_session_id: str) -> None:
        """A class started again after its end: forget its live board."""
        cid = class_session_id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(board_key(cid), alerts_key(cid), acks_key(cid), series_key(cid),
                        summary_key(cid), resting_key(cid), class_key(cid))
            pipe.publish(live_channel(cid), _dumps({"type": "reset"}))
            await pipe.execute()

    async def summary_ready(self, class_session_id: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(summary_key(class_session_id), "ready")
            pipe.publish(live_channel(class_session_id), _dumps({"type": "summary"}))
            await pipe.execute()

    async def count(self, stat: str, amount: int = 1) -> None:
        await self.redis.hincrby(STATS_KEY, stat, amount)

    async def mark_ready(self, worker_id: str, partitions: Iterable[int] | None = None,
                         health: dict[str, Any] | None = None) -> None:
        """The worker is alive (TTL), which partitions it holds and its health summary
        (the API's /readyz shows a degraded worker as such)."""
        value = _dumps({"at": time.time(), **(health or {})})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(worker_ready_key(worker_id), value, ex=READY_TTL_S)
            if partitions is not None:
                pipe.set(worker_partitions_key(worker_id), _dumps(sorted(partitions)),
                         ex=READY_TTL_S)
            await pipe.execute()


async def snapshot(redis: Redis, class_session_id: str) -> dict[str, dict[str, Any]]:
    raw = await redis.hgetall(board_key(class_session_id))
    return {_text(k): json.loads(v) for k, v in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
