"""Fan-out of live board changes from Redis pub/sub to each connected tablet.

One pattern subscription per API process feeds a small queue per client. The queue is
bounded by coalescing: it keeps only the newest message per thing (a member's tile, an
alert, the class status), so a slow tablet on bad Wi-Fi skips stale frames instead of
growing memory or delaying everyone else. If a client still falls too far behind (more
distinct things pending than ``MAX_PENDING``), its queue is emptied and flagged for a
resync: the stream then re-reads the snapshot instead of replaying every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from streams.sink import PREFIX

log = structlog.get_logger(__name__)
CHANNEL_PATTERN = f"{PREFIX}:live:*"
# Seconds to wait before resubscribing after Redis went away.
PUBSUB_CLOSE_S = 2.0
RESUBSCRIBE_DELAY_S = 1.0
# Distinct pending things per client before it is resynced instead (a class has a few
# dozen tiles and a handful of alerts, so this only trips for a stalled client).
MAX_PENDING = 1000


def split(message: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(coalescing key, message) pairs: a batch of tiles becomes one entry per member."""
    kind = message.get("type")
    if kind == "tiles":
        for tile in message.get("tiles") or []:
            yield f"tile:{tile.get('member_id')}", {"type": "tile", "tile": tile}
    elif kind == "tile":  # single-tile form of older workers
        yield f"tile:{message['tile'].get('member_id')}", message
    elif kind in ("alert", "ack"):
        alert_id = (message.get("alert") or {}).get("alert_id") or message.get("alert_id")
        yield f"{kind}:{alert_id}", message
    elif kind == "resting":
        yield f"resting:{message.get('member_id')}", message
    elif kind:
        yield str(kind), message


class ClientQueue:
    """Newest pending message per thing plus a wake-up event."""

    def __init__(self) -> None:
        self._pending: dict[str, dict[str, Any]] = {}
        self._wake = asyncio.Event()
        self.resync = False

    def offer(self, message: dict[str, Any]) -> None:
        for key, item in split(message):
            self._pending.pop(key, None)  # re-insert: the newest goes last
            self._pending[key] = item
        if len(self._pending) > MAX_PENDING:
            self._pending.clear()
            self.resync = True
        self._wake.set()

    async def drain(self) -> list[dict[str, Any]]:
        await self._wake.wait()
        self._wake.clear()
        batch, self._pending = list(self._pending.values()), {}
        return batch


class LiveHub:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._clients: dict[str, set[ClientQueue]] = {}
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="live-hub")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.asynccontextmanager
    async def subscribe(self, class_session_id: str) -> AsyncIterator[ClientQueue]:
        queue = ClientQueue()
        self._clients.setdefault(class_session_id, set()).add(queue)
        try:
            yield queue
        finally:
            self._clients.get(class_session_id, set()).discard(queue)

    def client_count(self) -> int:
        """Open live streams (the API's /metrics)."""
        return sum(len(queues) for queues in self._clients.values())

    def dispatch(self, channel: str, data: bytes | str) -> None:
        class_session_id = channel.rsplit(":", 1)[-1]
        targets = self._clients.get(class_session_id)
        if not targets:
            return
        message = json.loads(data)
        for queue in targets:
            queue.offer(message)

    async def _run(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PATTERN)
                self.connected.set()
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    self.dispatch(channel, message["data"])
            except (RedisError, OSError) as exc:
                self.connected.clear()
                log.warning("live hub lost Redis; resubscribing", error=str(exc))
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)
            finally:
                # Closing waits on a connection that may be the one Redis just dropped;
                # a bounded wait keeps the resubscribe loop (and shutdown) moving.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(pubsub.aclose(), PUBSUB_CLOSE_S)


def get_hub(request: Request) -> LiveHub:
    hub: LiveHub = request.app.state.hub
    return hub


HubDep = Annotated[LiveHub, Depends(get_hub)]
