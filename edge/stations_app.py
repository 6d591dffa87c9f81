"""The station page the edge box serves on its local network (``/stations`` on the status
port): a calibration snapshot per camera with proposed station regions, which an admin
drags into place, gives members, and confirms.

The snapshot is taken from the camera's latest frame, kept in this process's memory only,
and served to the page with ``Cache-Control: no-store``; it is never written to disk or
sent anywhere. What is confirmed is region coordinates and member ids
(:mod:`edge.stations_layout`). When the box has a device token, the page asks for it once
and keeps it in a same-site, HTTP-only cookie.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from edge.camera_config import CameraConfigError
from edge.cameras import CameraSet
from edge.stations_layout import LayoutError, parse_layout

log = structlog.get_logger(__name__)
HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
COOKIE = "spotter_edge_stations"
JPEG_QUALITY = 80


def _propose(image: Any) -> dict[str, Any]:
    from vision.config import load_config
    from vision.layout import propose_stations
    from vision.pose import MediaPipePose
    from vision.pose_models import usable

    model = usable(load_config().pose.model)
    proposal = propose_stations(image, lambda: MediaPipePose(static_image_mode=True,
                                                             model=model))
    return {"regions": [list(r) for r in proposal.regions],
            "people": len(proposal.people), "tiles_searched": proposal.tiles_searched}


@dataclass
class StationPage:
    """Handlers of the station page around one :class:`CameraSet`."""

    cameras: CameraSet
    token: str | None
    names: dict[str, str] = field(default_factory=dict)  # member id -> display name
    _snapshots: dict[str, bytes] = field(default_factory=dict)  # camera id -> JPEG
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    def routes(self) -> list[BaseRoute]:
        return [Route("/stations", self.page), Route("/stations/login", self.login,
                                                     methods=["POST"]),
                Route("/stations/state", self.state),
                Route("/stations/stations.js", self.script),
                Route("/stations/{camera_id}/snapshot.jpg", self.snapshot),
                Route("/stations/{camera_id}/propose", self.propose, methods=["POST"]),
                Route("/stations/{camera_id}/layout", self.confirm, methods=["POST"])]

    def _allowed(self, request: Request) -> bool:
        if not self.token:
            return True
        given = request.cookies.get(COOKIE, "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _refuse(self) -> JSONResponse:
        return JSONResponse({"detail": "sign in on /stations with the box's device token"},
                            status_code=401)

    async def page(self, request: Request) -> Response:
        if not self._allowed(request):
            return TEMPLATES.TemplateResponse(request, "stations_login.html",
                                              {"error": None}, status_code=401)
        return TEMPLATES.TemplateResponse(request, "stations.html", {})

    async def login(self, request: Request) -> Response:
        form = await request.form()
        given = str(form.get("token", ""))
        if not self.token or hmac.compare_digest(given.encode(), self.token.encode()):
            response = RedirectResponse("/stations", status_code=303)
            response.set_cookie(COOKIE, given, httponly=True, samesite="strict")
            return response
        return TEMPLATES.TemplateResponse(request, "stations_login.html",
                                          {"error": "That is not this box's device token."},
                                          status_code=401)

    async def script(self, _request: Request) -> Response:
        return FileResponse(HERE / "templates" / "stations.js",
                            media_type="text/javascript")

    async def state(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._refuse()
        assignment = self.cameras.assignment
        members = assignment.station_to_member if assignment else {}
        cameras = []
        for camera, status in zip(self.cameras.cameras.camera, self.cameras.status(),
                                  strict=True):
            cameras.append({
                "camera_id": camera.id, "state": status["state"],
                "last_error": status.get("last_error"),
                "resolution": status.get("resolution"),
                "has_snapshot": camera.id in self._snapshots,
                "stations": [{"id": s.id, "region": list(s.region),
                              "exercise": camera.exercise_of(s),
                              "member": members.get(s.id)} for s in camera.station]})
        roster = [{"member_id": m, "name": self.names.get(m, m)} for m in self.cameras.roster]
        return JSONResponse({"cameras": cameras, "roster": roster})

    async def snapshot(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._refuse()
        jpeg = self._snapshots.get(request.path_params["camera_id"])
        if jpeg is None:
            return JSONResponse({"detail": "no snapshot yet: take one"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg",
                        headers={"Cache-Control": "no-store, private"})

    async def propose(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._refuse()
        camera_id = request.path_params["camera_id"]
        try:
            self.cameras.camera(camera_id)
        except CameraConfigError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        image = self.cameras.snapshot(camera_id)
        if image is None:
            state = next((c["state"] for c in self.cameras.status()
                          if c["camera_id"] == camera_id), "unknown")
            return JSONResponse({"detail": f"camera {camera_id} has not delivered a frame "
                                           f"yet (state: {state}); check it and try again"},
                                status_code=409)
        async with self._busy:  # one search at a time: it takes the box's CPU for seconds
            result = await asyncio.to_thread(_propose, image)
        import cv2

        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if ok:
            self._snapshots[camera_id] = jpeg.tobytes()
        height, width = image.shape[:2]
        log.info("stations_proposed", camera=camera_id, people=result["people"])
        return JSONResponse({**result, "camera_id": camera_id, "width": width,
                             "height": height})

    async def confirm(self, request: Request) -> Response:
        if not self._allowed(request):
            return self._refuse()
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return JSONResponse({"detail": "send the layout as application/json"},
                                status_code=415)
        camera_id = request.path_params["camera_id"]
        try:
            self.cameras.camera(camera_id)
            layout = parse_layout(camera_id, await request.json())
        except CameraConfigError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        except (LayoutError, ValueError) as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        unknown = [s.member for s in layout.stations
                   if s.member and s.member not in self.cameras.roster]
        if unknown:
            return JSONResponse({"detail": f"not in this class: {', '.join(unknown)}"},
                                status_code=422)
        await self.cameras.confirm(layout)
        return JSONResponse(layout.coordinates())


def station_routes(cameras: CameraSet | None, token: str | None,
                   names: dict[str, str]) -> list[BaseRoute]:
    """The station page's routes for the status server (none on a box without cameras)."""
    return [] if cameras is None else StationPage(cameras, token, names).routes()
