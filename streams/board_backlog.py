"""The live board through a Redis outage: writes wait in order, nothing is lost.

Redis is the tablet's view, not the worker's state (that is in the changelogged tables),
so a Redis outage must cost the board some seconds, never the worker's life or the
board's numbers. Every write goes through :class:`BufferedBoard`: when Redis does not
answer, the write joins a backlog (tiles coalesced to the newest per member, everything
else kept in order) and the worker carries on; a retry loop drains the backlog once
Redis answers again. Reads fall back to the last answer. The board's own health (ok /
degraded since when, and why) feeds the worker's health and readiness.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from redis.exceptions import RedisError

from streams.health import ComponentHealth
from streams.sink import LiveBoard, snapshot

log = structlog.get_logger(__name__)
# Writes kept through an outage; beyond this the oldest non-tile writes are dropped
# (logged). A 60-member class makes ~30 writes a minute besides tiles, so this holds
# hours of outage.
MAX_BACKLOG = 50_000
RETRY_MIN_S, RETRY_MAX_S = 0.5, 5.0
REDIS_ERRORS = (RedisError, OSError, TimeoutError, asyncio.TimeoutError)


@dataclass
class BufferedBoard:
    """Everything the worker writes to or reads from Redis, outage-proof."""

    board: LiveBoard
    health: ComponentHealth = field(default_factory=ComponentHealth)
    _tiles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _ops: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    _info: dict[str, dict[str, Any]] = field(default_factory=dict)
    _draining: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- writes ----------------------------------------------------------------------

    async def put_tiles(self, tiles: dict[str, list[dict[str, Any]]]) -> None:
        for cid, items in tiles.items():
            for tile in items:
                self._tiles[(cid, tile["member_id"])] = tile
        await self.drain()

    async def write(self, method: str, *args: Any) -> None:
        """Any other board write (alerts, buckets, class status, reset, counts)."""
        self._ops.append((method, args))
        if len(self._ops) > MAX_BACKLOG:
            dropped = self._ops.pop(0)
            self.health.dropped += 1
            log.error("live board backlog full; oldest write dropped", write=dropped[0])
        await self.drain()

    @property
    def pending(self) -> int:
        return len(self._ops) + len(self._tiles)

    async def drain(self) -> bool:
        """Send what waits, in order; True when nothing waits any more."""
        if not self.pending:
            return True
        if self._draining.locked():
            return False  # another drain is sending; it will take ours too
        async with self._draining:
            try:
                while self._ops:
                    method, args = self._ops[0]
                    await getattr(self.board, method)(*args)
                    self._ops.pop(0)
                if self._tiles:
                    tiles, self._tiles = self._tiles, {}
                    grouped: dict[str, list[dict[str, Any]]] = {}
                    for (cid, _), tile in tiles.items():
                        grouped.setdefault(cid, []).append(tile)
                    try:
                        await self.board.put_tiles(grouped)
                    except BaseException:
                        tiles.update(self._tiles)  # newer tiles win over the old ones
                        self._tiles = tiles
                        raise
            except REDIS_ERRORS as exc:
                self._degraded(exc)
                return False
        self._recovered()
        return True

    async def keep_draining(self) -> None:
        """The retry loop (a worker task): drain with backoff while Redis is away."""
        wait = RETRY_MIN_S
        while True:
            await asyncio.sleep(wait)
            if self.pending and not await self.drain():
                wait = min(wait * 2, RETRY_MAX_S)
            else:
                wait = RETRY_MIN_S
                if not self.health.ok:
                    await self.probe()

    async def probe(self) -> None:
        """Nothing to write, but marked degraded: ask Redis whether it is back."""
        try:
            await self.board.redis.ping()
        except REDIS_ERRORS as exc:
            self._degraded(exc)
        else:
            self._recovered()

    # -- reads -----------------------------------------------------------------------

    async def class_info(self, class_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Live classes' status; during an outage the last answer (alerts keep firing)."""
        ids = list(class_ids)
        try:
            info = await self.board.class_info(ids)
        except REDIS_ERRORS as exc:
            self._degraded(exc)
            return {cid: self._info[cid] for cid in ids if cid in self._info}
        self._info.update(info)
        return info

    async def tiles(self, class_session_id: str) -> list[dict[str, Any]]:
        """The class's tiles now; none while Redis is away (nothing to judge by)."""
        try:
            return list((await snapshot(self.board.redis, class_session_id)).values())
        except REDIS_ERRORS as exc:
            self._degraded(exc)
            return []

    async def series(self, class_session_id: str) -> dict[str, dict[float, tuple[float, int]]]:
        """The class chart, once every chart write has reached Redis (raises until then:
        a summary built now would miss the outage's buckets)."""
        if not await self.drain():
            raise ConnectionError("the live board is unreachable; chart not readable yet")
        return await self.board.series(class_session_id)

    # -- health ----------------------------------------------------------------------

    def _degraded(self, exc: BaseException) -> None:
        if self.health.degrade(exc):
            log.warning("live board unreachable; writes wait for Redis",
                        error=self.health.last_error)
        self.health.backlog = self.pending

    def _recovered(self) -> None:
        outage = self.health.recover()
        if outage is not None:
            log.info("live board reachable again; backlog sent", outage_s=round(outage, 1))
        self.health.backlog = self.pending
