"""The station page an admin uses on the box's local network, in real Chromium: sign in
with the device token, take a snapshot, get a station around each person, drag one,
give it a member, confirm. The snapshot never leaves the box: what is saved and shown
elsewhere is coordinates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from playwright.async_api import async_playwright
from starlette.applications import Starlette

from edge.camera_config import CameraConfig, CamerasFile, StationConfig
from edge.cameras import CameraSet
from edge.health import StatusServer, serve_status
from edge.stations_app import station_routes
from edge.stations_layout import layout_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "box-device-token"
ROSTER = {"ann": "Ann A.", "bo": "Bo B.", "cy": "Cy C.", "di": "Di D."}


def row_of_members(shared_data: Path, out: Path, frames: int = 50) -> Path:
    """A recorded calibration moment: four members (real clips) side by side, holding
    still at their stations for five seconds at 10 fps."""
    clips = shared_data / "exercise-clips"
    panels = []
    for name, at in (("s02_pushup_side_outdoor.mp4", 100),
                     ("s03_split_squat_side_dumbbells.mp4", 60),
                     ("s05_jumping_jacks_front.mp4", 60), ("s01_squat_front_band.mp4", 10)):
        capture = cv2.VideoCapture(str(clips / name))
        capture.set(cv2.CAP_PROP_POS_FRAMES, at)
        ok, image = capture.read()
        capture.release()
        assert ok, name
        height, width = image.shape[:2]
        if width > height:
            keep = int(height * 0.6)
            image = image[:, (width - keep) // 2:(width + keep) // 2]
        panels.append(cv2.resize(image, (324, 540)))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 10, (1296, 540))
    for _ in range(frames):
        writer.write(np.hstack(panels))
    writer.release()
    return out


@dataclass
class Box:
    cameras: CameraSet
    server: StatusServer
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@pytest.fixture
async def box(shared_data: Path, tmp_path: Path) -> AsyncIterator[Box]:
    video = row_of_members(shared_data, tmp_path / "row.mp4")
    cameras = CamerasFile(camera=[
        CameraConfig(id="row", source=str(video), exercise="squat", station=[
            StationConfig(id="row-1", region=(0, 0, 0.5, 1)),
            StationConfig(id="row-2", region=(0.5, 0, 0.5, 1))]),
        CameraConfig(id="door", source="rtsp://127.0.0.1:9/none", exercise="squat"),
    ], reconnect={"initial_s": 0.2, "max_s": 1.0}, pool={"workers": 1})
    store = layout_store(tmp_path)
    camera_set = CameraSet(cameras, "class-1", list(ROSTER), store=store)
    task = camera_set.start(lambda *_a: None, None)

    app = Starlette(routes=station_routes(camera_set, TOKEN, ROSTER))
    server = await serve_status(app, "127.0.0.1", 0)
    assert server is not None
    for _ in range(300):  # the pose workers load their model, then frames flow
        if camera_set.snapshot("row") is not None:
            break
        await asyncio.sleep(0.1)
    try:
        yield Box(camera_set, server, tmp_path)
    finally:
        await server.stop()
        await camera_set.finish(task)


async def test_an_admin_lays_out_stations_from_a_snapshot(box: Box, chromium_path: str) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            await page.goto(f"{box.url}/stations")
            await page.get_by_label("Device token").fill("wrong")
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("alert").filter(has_text="not this box's").wait_for()
            await page.get_by_label("Device token").fill(TOKEN)
            await page.get_by_role("button", name="Sign in").click()

            row = page.locator("section[data-camera=row]")
            door = page.locator("section[data-camera=door]")
            await row.get_by_role("heading", name="Camera row").wait_for()
            assert await row.locator(".station-box").count() == 2  # the camera file's
            await door.locator(".state").filter(has_text="reconnecting").or_(
                door.locator(".state").filter(has_text="starting")).wait_for()

            await row.get_by_role("button", name="Take snapshot and propose stations").click()
            message = row.get_by_role("status")
            await message.filter(has_text="Found").or_(message.filter(
                has_text="Could not")).wait_for(timeout=60_000)
            assert "Found 4 people" in await message.inner_text()
            boxes = row.locator(".station-box")
            assert await boxes.count() == 4
            snapshot = row.locator("img")
            await snapshot.wait_for()
            assert await snapshot.evaluate("img => img.complete && img.naturalWidth") == 1296

            first = boxes.nth(0)
            before = json.loads(await first.get_attribute("data-region") or "[]")
            frame = await row.locator(".frame").bounding_box()
            where = await first.bounding_box()
            assert frame and where
            await page.mouse.move(where["x"] + where["width"] / 2, where["y"] + 40)
            await page.mouse.down()
            await page.mouse.move(where["x"] + where["width"] / 2 + 0.05 * frame["width"],
                                  where["y"] + 40 + 0.02 * frame["height"], steps=5)
            await page.mouse.up()
            after = json.loads(await first.get_attribute("data-region") or "[]")
            assert after[0] == pytest.approx(before[0] + 0.05, abs=0.01)
            assert after[2:] == before[2:], "moving keeps the size"

            await row.get_by_label("member at station row-1").select_option(label="Di D.")
            await row.get_by_role("button", name="Confirm layout").click()
            await row.get_by_role("status").filter(has_text="Saved 4 stations").wait_for()
        finally:
            await browser.close()

    saved = json.loads((box.data_dir / "edge" / "stations.json").read_text())
    stations = saved["row"]["stations"]
    assert [s["id"] for s in stations] == ["row-1", "row-2", "row-3", "row-4"]
    assert stations[0]["member"] == "di"
    assert stations[0]["region"][0] == pytest.approx(after[0], abs=1e-3)
    assert box.cameras.assignment is not None
    members = box.cameras.assignment.station_to_member
    assert members["row-1"] == "di" and set(members.values()) >= {"ann", "bo", "cy", "di"}
    text = (box.data_dir / "edge" / "stations.json").read_text()
    assert len(text) < 4000 and "jpeg" not in text.lower(), "coordinates only"


async def test_the_snapshot_and_layouts_need_the_device_token(box: Box) -> None:
    async with httpx.AsyncClient(base_url=box.url) as client:
        assert (await client.get("/stations/state")).status_code == 401
        assert (await client.get("/stations/row/snapshot.jpg")).status_code == 401
        assert (await client.post("/stations/row/propose")).status_code == 401
        page = await client.get("/stations")
        assert page.status_code == 401 and "Device token" in page.text


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"stations": [{"id": "a", "region": [0.9, 0, 0.5, 1]}]}, 422, "inside the image"),
    ({"stations": [{"id": "a", "region": [0, 0, 1]}]}, 422, "region"),
    ({"stations": [{"id": "a", "region": [0, 0, 0.5, 1], "member": "zed"}]}, 422,
     "not in this class: zed"),
    ({"stations": [{"id": "a", "region": [0, 0, 0.5, 1], "member": "ann"},
                   {"id": "b", "region": [0.5, 0, 0.5, 1], "member": "ann"}]}, 422,
     "one station only"),
])
async def test_a_bad_layout_is_refused_with_the_reason(box: Box, body: dict, status: int,
                                                       message: str) -> None:
    async with httpx.AsyncClient(base_url=box.url, cookies={
            "spotter_edge_stations": TOKEN}) as client:
        response = await client.post("/stations/row/layout", json=body)
        assert response.status_code == status
        assert message in response.json()["detail"]
        missing = await client.post("/stations/nope/layout", json=body)
        assert missing.status_code == 404
