"""The trainer page in a real browser: one tile per member, and the numbers move."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from edge.runner import run_edge

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(180)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


async def test_tiles_appear_and_update_in_chromium(live_stack, chromium_path: str) -> None:
    demo = live_stack.demo(members=4)
    class_id = demo.class_session_id
    edge = asyncio.create_task(run_edge(live_stack.edge_settings(demo), class_id,
                                        live_stack.api_url, simulate=4, speed=2.0))
    email, password = demo.accounts["trainer"]
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1024, "height": 768})
            await page.goto(f"{live_stack.api_url}/trainer?class_session={class_id}")
            assert "/login" in page.url  # anonymous visitors are sent to log in
            await page.fill("input[name=email]", email)
            await page.fill("input[name=password]", password)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"**/trainer?class_session={class_id}")
            tiles = page.locator("article.tile")
            await tiles.nth(3).wait_for(timeout=30_000)
            assert await tiles.count() == 4
            first = page.locator("#tile-demo-member-01 [data-testid=hr]")
            readings = {await first.inner_text()}
            for _ in range(40):  # up to ~20 s for the value to change
                await page.wait_for_timeout(500)
                readings.add(await first.inner_text())
                if len(readings) > 1:
                    break
            assert len(readings) > 1, f"heart rate never changed: {readings}"
            assert all(r.isdigit() for r in readings)
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "trainer-live.png"))
            await browser.close()
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await edge
