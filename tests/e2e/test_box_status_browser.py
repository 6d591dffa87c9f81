"""The trainer's tablet shows the room's edge box (issue 19), in real Chromium against the
real stack: a box runs two cameras, a recorded clip standing in for one and a camera
address where nothing answers for the other. The board shows the first streaming, with
its stations' members and frame rates, the second reconnecting with its attempt count,
and a schematic of the stations drawn from coordinates. When an admin confirms new
stations on the box's own page, the schematic follows; no image reaches the API."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import cv2
import httpx
import pytest
from playwright.async_api import Page, async_playwright

from edge.camera_config import CameraConfig, CamerasFile, StationConfig
from edge.config import EdgeSettings
from edge.runner import SourceSpec, agent_file, run_edge
from edge.stations_app import COOKIE

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def recording(shared_data: Path, out: Path, seconds: float = 90.0) -> Path:
    """A member lunging (a shared clip, looped and made smaller) for ``seconds``: a
    camera that streams for the whole test."""
    capture = cv2.VideoCapture(str(shared_data / "exercise-clips"
                                   / "s03_split_squat_side_dumbbells.mp4"))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(cv2.resize(image, (480, 270)))
    capture.release()
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (480, 270))
    for i in range(int(seconds * fps)):
        writer.write(frames[i % len(frames)])
    writer.release()
    return out


def cameras(video: Path) -> CamerasFile:
    return CamerasFile(camera=[
        CameraConfig(id="row", source=str(video), exercise="lunge", station=[
            StationConfig(id="row-1", region=(0, 0, 0.5, 1)),
            StationConfig(id="row-2", region=(0.5, 0, 0.5, 1))]),
        CameraConfig(id="door", source="rtsp://studio:secret@127.0.0.1:9/stream",
                     exercise="squat", station=[StationConfig(id="door-1",
                                                              region=(0, 0, 1, 1))]),
    ], reconnect={"initial_s": 0.5, "max_s": 2.0}, pool={"workers": 1})


async def text_of(page: Page, selector: str, timeout_s: float = 90.0) -> str:
    locator = page.locator(selector)
    await locator.wait_for(timeout=timeout_s * 1000)
    return await locator.inner_text()


async def wait_for(page: Page, selector: str, attribute: str, want: str,
                   timeout_s: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    got: Any = None
    while loop.time() < deadline:
        locator = page.locator(selector)
        if await locator.count():
            got = await locator.get_attribute(attribute)
            if got == want:
                return
        await page.wait_for_timeout(500)
    raise AssertionError(f"{selector} {attribute}={got!r}, wanted {want!r}")


async def test_the_board_shows_cameras_stations_and_their_layout(
        live_stack: Any, chromium_path: str, shared_data: Path, tmp_path: Path) -> None:
    demo = live_stack.demo(members=3)
    class_id = demo.class_session_id
    roster = httpx.get(f"{live_stack.api_url}/api/classes/{class_id}/roster", headers={
        "Authorization": f"Bearer {demo.device_token}"}).json()
    names = {r["member_id"]: r["display_name"] for r in roster}
    first, third = roster[0]["member_id"], roster[2]["member_id"]
    video = await asyncio.to_thread(recording, shared_data, tmp_path / "row.mp4")
    settings = live_stack.edge_settings(demo).model_copy(update={"data_dir": tmp_path / "box"})
    edge = asyncio.create_task(run_edge(
        settings, class_id, live_stack.api_url,
        spec=SourceSpec(simulate=3, cameras=cameras(video)),
        edge_settings=EdgeSettings(health_port=0, box_report_s=1.0)))
    email, password = demo.accounts["trainer"]
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path,
                                               args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1024, "height": 1200})
            await page.goto(f"{live_stack.api_url}/trainer/classes/{class_id}")
            await page.fill("input[name=email]", email)
            await page.fill("input[name=password]", password)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"**/trainer/classes/{class_id}")

            row = "[data-testid=camera-row]"
            await wait_for(page, row, "data-state", "streaming", timeout_s=120)
            door = await text_of(page, "[data-testid=camera-door] [data-testid=camera-state]")
            assert door.startswith("reconnecting (attempt "), door
            # members come to stations in roster order; each shows its pose rate
            station = await text_of(page, "[data-testid=station-row-1]")
            assert names[first] in station and " fps" in station, station
            fps = page.locator("[data-testid=station-row-1] .station-fps")
            for _ in range(60):  # pose gets its frames: the rate the box measured
                if float((await fps.inner_text()).split()[0]) > 0:
                    break
                await page.wait_for_timeout(500)
            assert float((await fps.inner_text()).split()[0]) > 0
            # the schematic: the camera file's regions, sent as coordinates
            await wait_for(page, "[data-testid=region-row-2]", "data-region",
                           "0.5,0.0,0.5,1.0")

            # an admin confirms new stations on the box's page (local network)
            status_url = json.loads(agent_file(settings).read_text())["status_url"]
            layout = {"stations": [
                {"id": "row-1", "region": [0.1, 0.05, 0.35, 0.9], "member": third},
                {"id": "row-2", "region": [0.55, 0.05, 0.4, 0.9]}]}
            async with httpx.AsyncClient(cookies={COOKIE: demo.device_token}) as box:
                response = await box.post(f"{status_url}/stations/row/layout", json=layout,
                                          timeout=30)
            assert response.status_code == 200, response.text
            await wait_for(page, "[data-testid=region-row-1]", "data-region",
                           "0.1,0.05,0.35,0.9")
            # the admin's member is now at station row-1 (the name, from the tiles)
            label = page.locator("[data-testid=region-row-1] text")
            for _ in range(60):
                if (await label.text_content() or "").strip() == names[third]:
                    break
                await page.wait_for_timeout(500)
            assert (await label.text_content() or "").strip() == names[third]
            # ... and only there: the door camera's station, where roster order had put
            # that member, now has someone else
            door_station = page.locator("[data-testid=station-door-1] .station-member")
            for _ in range(60):
                if (await door_station.text_content() or "").strip() != names[third]:
                    break
                await page.wait_for_timeout(500)
            stations = await page.locator(".box-status .station-member").all_text_contents()
            assert stations.count(names[third]) == 1, stations

            section = page.locator("[data-testid=box-status]")
            assert await section.locator("img").count() == 0
            html = await section.inner_html()
            assert "rtsp" not in html and "secret" not in html
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "trainer-box-status.png"),
                                  full_page=True)
            stale = page.locator("[data-testid=box-stale]")
            assert not await stale.is_visible()  # the box reports every second
            # the box goes quiet (powered off, say): after three missed reports the board
            # says its camera states are old, instead of showing them as current
            edge.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await edge
            for _ in range(40):
                if await stale.is_visible():
                    break
                await page.wait_for_timeout(500)
            assert await stale.is_visible(), "an old box status is not marked"
            await browser.close()

        stored = httpx.get(f"{live_stack.api_url}/api/rooms/demo-room/box",
                           headers=live_stack.headers()).json()
        assert stored["stations"]["row"]["confirmed_at"] is not None
        text = json.dumps(stored)
        assert "jpeg" not in text.lower() and "base64" not in text and "secret" not in text
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await edge
