"""The box tells the API how its cameras are doing, and where its stations are.

The trainer's tablet shows, for the room's box, each camera's state (streaming,
reconnecting with its attempt count, failed) and the stations with their member and the
pose frame rate they get. The box knows this (:meth:`edge.cameras.CameraSet.status`);
every few seconds it sends a small summary of it to the API
(``PUT /api/rooms/{room}/box`` with its device token), which keeps it in Redis for a
short while and pushes it to the class's live board. Station layouts go to
``PUT /api/rooms/{room}/stations``: at the class start, and at once when an admin
confirms stations on the box's page.

Both payloads are built here from an explicit list of fields, so what leaves the box is
exactly this: camera ids and states, station ids, members, frame rates and region
coordinates. Never an image, a snapshot, a camera's address or its error text (which
may hold the address).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from edge.camera_config import CameraConfig
from edge.cameras import CameraSet

log = structlog.get_logger(__name__)
TIMEOUT_S = 5.0


def camera_report(cameras: CameraSet, class_session_id: str, every_s: float = 5.0
                  ) -> dict[str, Any]:
    """The cameras' status as the API takes it (``api.rooms.box_schemas.BoxStatusIn``)."""
    out = []
    for camera in cameras.status():
        out.append({
            "camera_id": camera["camera_id"], "state": camera["state"],
            "reconnects": int(camera.get("reconnects") or 0),
            "stations": [{"station_id": s["station_id"], "member_id": s.get("member_id"),
                          "fps": float(s.get("fps") or 0.0), "mode": s.get("mode")}
                         for s in camera.get("stations", [])]})
    return {"class_session_id": class_session_id, "sent_at": time.time(), "every_s": every_s,
            "cameras": out}


def layout_report(camera: CameraConfig, members: dict[str, str | None],
                  class_session_id: str, confirmed_at: float | None = None
                  ) -> dict[str, Any]:
    """One camera's stations as coordinates only (fractions of the image) and members
    (``api.rooms.box_schemas.StationLayoutIn``)."""
    return {"class_session_id": class_session_id, "camera_id": camera.id,
            "confirmed_at": confirmed_at,
            "stations": [{"station_id": s.id, "region": [float(v) for v in s.region],
                          "member_id": members.get(s.id)} for s in camera.station]}


@dataclass
class BoxReporter:
    """Sends the camera status every ``interval_s`` and layouts when asked; an API that
    does not answer costs a log line, never the class."""

    api_url: str
    room_id: str
    token: str
    class_session_id: str
    cameras: CameraSet
    interval_s: float = 5.0
    transport: httpx.AsyncBaseTransport | None = None  # tests: a mock API
    sent: int = 0
    failed: int = 0
    _client: httpx.AsyncClient | None = None
    _task: asyncio.Task[None] | None = None
    _layouts: set[asyncio.Task[None]] = field(default_factory=set)

    def _url(self, what: str) -> str:
        return f"{self.api_url.rstrip('/')}/api/rooms/{self.room_id}/{what}"

    def start(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=TIMEOUT_S, headers={"Authorization": f"Bearer {self.token}"},
            transport=self.transport)
        self.cameras.on_confirmed.append(self.layout_confirmed)
        self._task = asyncio.create_task(self._run(), name="box-report")

    async def stop(self) -> None:
        """Stop reporting after one last status (the cameras' final states)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._layouts):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, TIMEOUT_S)
        if self._client is not None:
            await self.send_status()
        with contextlib.suppress(ValueError):
            self.cameras.on_confirmed.remove(self.layout_confirmed)
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        layouts_sent = False  # an API away at the start gets them when it is back
        while True:
            layouts_sent = layouts_sent or await self.send_layouts()
            await self.send_status()
            await asyncio.sleep(self.interval_s)

    async def send_status(self) -> bool:
        return await self._put("box", camera_report(self.cameras, self.class_session_id,
                                                     self.interval_s))

    async def send_layouts(self) -> bool:
        """Every camera's stations (the camera file's, or those confirmed on the page);
        True when the API took them all."""
        members, ok = self._members(), True
        for camera in self.cameras.cameras.camera:
            layout = self.cameras.layouts.get(camera.id)
            ok = await self._put("stations", layout_report(
                camera, members, self.class_session_id,
                layout.confirmed_at if layout is not None else None)) and ok
        return ok

    def layout_confirmed(self, camera_id: str) -> None:
        """From :meth:`CameraSet.confirm`: send the stations now (every camera's: members
        may have moved from one camera to another), then the status."""
        log.info("box_report_layout", camera=camera_id)

        async def send() -> None:
            await self.send_layouts()
            await self.send_status()

        task = asyncio.create_task(send(), name="box-layout")
        self._layouts.add(task)
        task.add_done_callback(self._layouts.discard)

    def _members(self) -> dict[str, str | None]:
        assignment = self.cameras.assignment
        return dict(assignment.station_to_member) if assignment else {}

    async def _put(self, what: str, body: dict[str, Any]) -> bool:
        assert self._client is not None
        try:
            response = await self._client.put(self._url(what), json=body)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            self.failed += 1
            if self.failed & (self.failed - 1) == 0:  # 1, 2, 4, 8 ...: an outage, not a flood
                log.warning("box_report_not_sent", what=what, failures=self.failed,
                            error=str(exc)[:200])
            return False
        self.sent += 1
        return True
