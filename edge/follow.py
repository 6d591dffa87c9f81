"""The edge box follows its class (and, with ``--room``, its room) from the API.

The tablet starts and ends classes through the API. A box given ``--room`` asks the API
which class is live in its room and runs that one, switching to the next without a
restart; the disk buffer is the same file for every class, so nothing buffered is lost.
While a class runs, the box notices when the API ended it (it then sends its own end
after its last sample, which tells the worker that nothing more will come from this box)
and when an admin switched its cameras off.
"""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import structlog

from configs.settings import Settings
from edge.class_watch import follow_class, room_now
from edge.config import EdgeSettings
from edge.runner import SourceSpec, run_edge

log = structlog.get_logger(__name__)


async def run_room(settings: Settings, room_id: str, api_url: str, spec: SourceSpec,
                   edge_settings: EdgeSettings | None = None) -> None:
    """Forever: wait for a class to be live in the room, run it until it ends, repeat."""
    es = edge_settings or EdgeSettings()
    token, done = settings.edge_token, set()
    while True:
        try:
            now = await room_now(api_url, room_id, token)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (401, 403, 404):
                raise RuntimeError(f"the API refused to show room {room_id!r} "
                                   f"({exc.response.status_code}): SPOTTER_EDGE_TOKEN must "
                                   "be this room's device token") from exc
            now = {}
        except httpx.HTTPError as exc:
            log.warning("API unreachable; waiting", api=api_url, error=str(exc)[:200])
            now = {}
        live = now.get("live")
        if not live or live["id"] in done:
            await asyncio.sleep(es.follow_interval_s)
            continue
        class_id = live["id"]
        class_spec = spec if now.get("vision", True) else dataclasses.replace(
            spec, camera=None, stations=(), cameras=None)
        log.info("following the room's live class", room_id=room_id,
                 class_session_id=class_id, cameras=class_spec.has_cameras)
        await run_edge(settings, class_id, api_url, spec=class_spec, edge_settings=es,
                       announce_start=False,
                       follow=follow_class(api_url, class_id, token, es.follow_interval_s,
                                           room_id))
        done.add(class_id)
        log.info("class over; waiting for the room's next class", class_session_id=class_id)
