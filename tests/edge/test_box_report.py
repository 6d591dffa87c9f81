"""The box's camera status and station layouts, as sent to the API (issue 19): only
states, frame rates, members and region coordinates leave the box; a confirmed layout
goes at once; an API that does not answer costs nothing but a count."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import numpy as np

from edge.box_report import BoxReporter, camera_report, layout_report
from edge.camera_config import CameraConfig, CamerasFile, StationConfig
from edge.cameras import CameraSet
from edge.stations_layout import parse_layout

STATUS_KEYS = {"class_session_id", "sent_at", "every_s", "cameras"}
CAMERA_KEYS = {"camera_id", "state", "reconnects", "stations"}
LAYOUT_KEYS = {"class_session_id", "camera_id", "confirmed_at", "stations"}
STATION_KEYS = {"station_id", "region", "member_id"}


def cameras() -> CameraSet:
    file = CamerasFile(camera=[
        CameraConfig(id="row", source="rtsp://studio:secret@10.0.0.5/row", exercise="squat",
                     station=[StationConfig(id="row-1", region=(0, 0, 0.5, 1)),
                              StationConfig(id="row-2", region=(0.5, 0, 0.5, 1))]),
        CameraConfig(id="door", source="/dev/video7", exercise="squat")])
    return CameraSet(file, "class-1", ["ann", "bo"])


class Api:
    """A mock API that keeps every request's path and JSON body."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.fail = fail

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            raise httpx.ConnectError("the API is away", request=request)
        self.calls.append((request.url.path, json.loads(request.content),
                           request.headers["authorization"]))
        return httpx.Response(200, json={})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def reporter(camera_set: CameraSet, api: Api) -> BoxReporter:
    return BoxReporter("http://api", "room-1", "device-token", "class-1", camera_set,
                       interval_s=0.05, transport=api.transport())


def test_the_status_names_states_members_and_rates_only() -> None:
    report = camera_report(cameras(), "class-1")
    assert set(report) == STATUS_KEYS
    assert [c["camera_id"] for c in report["cameras"]] == ["row", "door"]
    for camera in report["cameras"]:
        assert set(camera) == CAMERA_KEYS
    text = json.dumps(report)
    assert "secret" not in text and "10.0.0.5" not in text and "video7" not in text


def test_a_layout_is_coordinates_and_members() -> None:
    camera_set = cameras()
    report = layout_report(camera_set.camera("row"), {"row-1": "ann"}, "class-1")
    assert set(report) == LAYOUT_KEYS
    assert report["stations"] == [
        {"station_id": "row-1", "region": [0.0, 0.0, 0.5, 1.0], "member_id": "ann"},
        {"station_id": "row-2", "region": [0.5, 0.0, 0.5, 1.0], "member_id": None}]


async def test_the_box_sends_its_layouts_then_its_status_every_interval() -> None:
    api = Api()
    box = reporter(cameras(), api)
    box.start()
    await asyncio.sleep(0.2)
    await box.stop()
    paths = [path for path, _, _ in api.calls]
    assert paths[:2] == ["/api/rooms/room-1/stations"] * 2
    assert paths.count("/api/rooms/room-1/box") >= 3
    assert {auth for _, _, auth in api.calls} == {"Bearer device-token"}
    members = {s["station_id"]: s["member_id"] for _, body, _ in api.calls[:1]
               for s in body["stations"]}
    assert members == {"row-1": "ann", "row-2": "bo"}  # roster order onto stations


async def test_a_confirmed_layout_goes_at_once_as_coordinates_only() -> None:
    camera_set = cameras()
    # the box holds the camera's latest image (the station page's snapshot) ...
    camera_set._latest["row"] = np.full((540, 960, 3), 200, dtype=np.uint8)
    api = Api()
    box = reporter(camera_set, api)
    box.interval_s = 60.0  # only the start's reports and the confirmation's
    box.start()
    await asyncio.sleep(0.1)
    before = len(api.calls)
    layout = parse_layout("row", {"stations": [
        {"id": "row-1", "region": [0.05, 0.1, 0.4, 0.85], "member": "bo"},
        {"id": "row-3", "region": [0.55, 0.1, 0.4, 0.85]}]})
    await camera_set.confirm(layout)
    await asyncio.sleep(0.1)
    await box.stop()
    sent = api.calls[before:]
    layouts = {body["camera_id"]: body for path, body, _ in sent
               if path.endswith("/stations")}
    assert set(layouts) == {"row", "door"}, "every camera: members may have moved"
    body = layouts["row"]
    # ... and what goes to the API is the coordinates, the station ids and the members
    assert set(body) == LAYOUT_KEYS and body["camera_id"] == "row"
    assert body["confirmed_at"] == layout.confirmed_at
    assert [set(s) for s in body["stations"]] == [STATION_KEYS, STATION_KEYS]
    assert [(s["station_id"], s["region"], s["member_id"]) for s in body["stations"]] == [
        ("row-1", [0.05, 0.1, 0.4, 0.85], "bo"), ("row-3", [0.55, 0.1, 0.4, 0.85], "ann")]
    for _, body, _ in api.calls:
        assert len(json.dumps(body)) < 2_000, "no image fits in here"
    statuses = [b for p, b, _ in sent if p.endswith("/box")]
    assert statuses and [s["station_id"] for s in statuses[0]["cameras"][0]["stations"]] \
        in ([], ["row-1", "row-3"])


async def test_an_api_that_does_not_answer_costs_a_count_not_the_class() -> None:
    api = Api(fail=True)
    box = reporter(cameras(), api)
    box.start()
    await asyncio.sleep(0.2)
    assert box.failed >= 3 and box.sent == 0
    api.fail = False  # back: the layouts the start could not send go first
    await asyncio.sleep(0.2)
    await box.stop()
    paths = [path for path, _, _ in api.calls]
    assert paths[:2] == ["/api/rooms/room-1/stations"] * 2 and paths.count(
        "/api/rooms/room-1/stations") == 2
