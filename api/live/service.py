"""Live class reads (Redis) and the change streams built on them.

A :class:`LiveView` is one tablet's picture of a class: tiles, open and acknowledged
alerts, resting members, class status and whether the summary is ready. It is loaded
once from Redis and then kept current by applying pub/sub messages, so a stream never
re-reads the whole board per change.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.accounts.principal import Principal
from api.exceptions import Forbidden, ServiceUnavailableError
from api.live.hub import LiveHub
from api.rooms.box import load_layout, load_status
from db.models import ClassSession
from streams.class_stats import ClassLiveStats, class_stats
from streams.sink import (
    acks_key,
    alerts_key,
    board_key,
    class_key,
    live_channel,
    resting_key,
    snapshot,
    summary_key,
)

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
REDIS_DOWN = "live data paused: Redis is unreachable; it resumes by itself when Redis is back"


def ensure_trainer_access(principal: Principal, session: ClassSession) -> None:
    """Acting on a live class: its own trainer or an admin (devices only stream data)."""
    if principal.role == "admin" or (principal.role == "trainer"
                                     and session.trainer_id == principal.trainer_id):
        return
    raise Forbidden("only this class's trainer or an admin may do this")


def display_order(tiles: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Tiles in a stable order (by name) so they don't jump around on the tablet."""
    return sorted(tiles.values(), key=lambda t: (str(t.get("name", "")), t["member_id"]))


async def board(redis: Redis, class_session_id: str) -> dict[str, dict[str, Any]]:
    try:
        return await snapshot(redis, class_session_id)
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass
class LiveView:
    class_session_id: str
    tiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    resting: set[str] = field(default_factory=set)
    status: dict[str, Any] = field(default_factory=dict)
    summary_ready: bool = False
    box: dict[str, Any] | None = None  # the room's edge box: cameras (api.rooms.box)
    stations: dict[str, dict[str, Any]] = field(default_factory=dict)  # camera -> layout

    @property
    def ended(self) -> bool:
        return self.status.get("status") == "ended"

    def ordered_tiles(self) -> list[dict[str, Any]]:
        return display_order(self.tiles)

    def open_alerts(self) -> list[dict[str, Any]]:
        """Unacknowledged alerts, most severe and newest first."""
        items = [a for i, a in self.alerts.items() if i not in self.acks]
        return sorted(items, key=lambda a: (SEVERITY_ORDER.get(a.get("severity", ""), 3),
                                            -float(a.get("event_time", 0))))

    def alert(self, alert_id: str) -> dict[str, Any] | None:
        found = self.alerts.get(alert_id)
        if found is None:
            return None
        ack = self.acks.get(alert_id)
        return {**found, "acknowledged": ack is not None, "ack": ack}

    def stats(self, now: float | None = None) -> ClassLiveStats:
        return class_stats(self.tiles.values(), now if now is not None else time.time())

    def apply(self, message: dict[str, Any]) -> str | None:
        """Fold one hub message in; returns what changed: tile|alerts|resting|class|summary."""
        kind = message.get("type")
        if kind in ("tile", "tiles") and self.ended:
            return None  # the class ended: its board stays as it was at the end
        if kind == "tile":
            tile = message["tile"]
            self.tiles[tile["member_id"]] = tile
            return "tile"
        if kind == "alert":
            alert = message["alert"]
            self.alerts[alert["alert_id"]] = alert
            return "alerts"
        if kind == "ack":
            self.acks[message["alert_id"]] = {"by": message.get("by"), "at": message.get("at")}
            return "alerts"
        if kind == "resting":
            (self.resting.add if message.get("resting") else self.resting.discard)(
                message["member_id"])
            return "resting"
        if kind == "class":
            was_ended = self.ended
            self.status.update({k: v for k, v in message.items() if k != "type"})
            return "ended" if self.ended and not was_ended else "class"
        if kind == "summary":
            self.summary_ready = True
            return "summary"
        if kind == "box":
            self.box = message["box"]
            return "box"
        if kind == "stations":
            self.stations = message["stations"]
            return "box"
        return None


async def load_view(redis: Redis, class_session_id: str, room_id: str | None = None
                    ) -> LiveView:
    """The class's picture; with ``room_id``, its room's edge box status and layout too."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(board_key(class_session_id))
            pipe.hgetall(alerts_key(class_session_id))
            pipe.hgetall(acks_key(class_session_id))
            pipe.smembers(resting_key(class_session_id))
            pipe.hgetall(class_key(class_session_id))
            pipe.exists(summary_key(class_session_id))
            tiles, alerts, acks, resting, status, ready = await pipe.execute()
        box = await load_status(redis, room_id) if room_id else None
        stations = await load_layout(redis, room_id) if room_id else {}
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc
    return LiveView(
        class_session_id,
        tiles={_text(k): json.loads(v) for k, v in tiles.items()},
        alerts={_text(k): json.loads(v) for k, v in alerts.items()},
        acks={_text(k): json.loads(v) for k, v in acks.items()},
        resting={_text(m) for m in resting},
        status={_text(k): _coerce(_text(v)) for k, v in status.items()},
        summary_ready=bool(ready), box=box, stations=stations)


def _coerce(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


async def view_stream(hub: LiveHub, redis: Redis, class_session_id: str,
                      room_id: str | None = None
                      ) -> AsyncIterator[tuple[LiveView, list[tuple[str, dict[str, Any]]]]]:
    """The view once with an empty change list, then (view, changes) after each batch.

    Subscribes before reading the snapshot so nothing published in between is missed;
    after a queue overflow the view is reloaded and yielded again with no changes.
    """
    async with hub.subscribe(class_session_id) as queue:
        view = await load_view(redis, class_session_id, room_id)
        yield view, []
        while True:
            batch = await queue.drain()
            if queue.resync or any(m.get("type") == "reset" for m in batch):
                queue.resync = False
                view = await load_view(redis, class_session_id, room_id)
                yield view, []
                continue
            changes = []
            for message in batch:
                what = view.apply(message)
                if what:
                    changes.append((what, message))
            if changes:
                yield view, changes


async def tile_stream(hub: LiveHub, redis: Redis, class_session_id: str
                      ) -> AsyncIterator[tuple[str, Any]]:
    """JSON events: ("snapshot", tiles) first, then tile/alert/ack/resting/class/summary;
    ``ended`` once when the class ends, and no tile after it."""
    async for view, changes in view_stream(hub, redis, class_session_id):
        if not changes:
            yield "snapshot", view.ordered_tiles()
            continue
        for what, message in changes:
            if what == "tile":
                yield "tile", message["tile"]
            elif what == "alerts":
                alert_id = message.get("alert_id") or message["alert"]["alert_id"]
                yield "alert", view.alert(alert_id) or message
            else:
                yield what, {k: v for k, v in message.items() if k != "type"}


async def set_resting(redis: Redis, class_session_id: str, member_id: str,
                      resting: bool) -> None:
    """Mark a member as resting (or not); the worker skips under-working alerts for them."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            key = resting_key(class_session_id)
            (pipe.sadd if resting else pipe.srem)(key, member_id)
            pipe.publish(live_channel(class_session_id), json.dumps(
                {"type": "resting", "member_id": member_id, "resting": resting}))
            await pipe.execute()
    except (RedisError, OSError) as exc:
        raise ServiceUnavailableError(REDIS_DOWN) from exc
