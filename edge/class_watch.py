"""Watching one running class from the API (``edge.follow`` and ``edge.runner``).

When the tablet ends a class through the API, the box notices within a few seconds and
sends its own end after its last sample: that tells the worker nothing more will come
from this box, so the class closes at once instead of after the grace period. An admin
switching the room's cameras off stops its camera stations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx
import structlog

if TYPE_CHECKING:
    from edge.agent import EdgeAgent

log = structlog.get_logger(__name__)


async def _get(url: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=5, headers=headers) as client:
        response = await client.get(url)
    response.raise_for_status()
    return dict(response.json())


async def room_now(api_url: str, room_id: str, token: str | None) -> dict[str, Any]:
    return await _get(f"{api_url.rstrip('/')}/api/rooms/{room_id}/now", token)


def follow_class(api_url: str, class_session_id: str, token: str | None, interval_s: float,
                 room_id: str | None = None
                 ) -> Callable[[EdgeAgent, Callable[[], Awaitable[None]]], Awaitable[None]]:
    """A watcher for :func:`edge.runner.run_edge`: ends the agent once the API says the
    class ended, and stops the cameras when vision is switched off for the room. An API
    that does not answer changes nothing: the class goes on."""
    async def watch(agent: EdgeAgent, stop_cameras: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                klass = await _get(f"{api_url.rstrip('/')}/api/classes/{class_session_id}",
                                   token)
                vision = (await room_now(api_url, room_id, token))["vision"] \
                    if room_id else None
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                log.info("class status unknown; carrying on", error=str(exc)[:200])
                continue
            if vision is False:
                await stop_cameras()
            if klass.get("status") == "ended":
                log.info("class ended from the tablet; sending this box's end",
                         class_session_id=class_session_id)
                await agent.end_class()
                return
    return watch
