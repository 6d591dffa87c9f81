"""The trainer tablet's first-run flaws stay fixed (issue 17): the class clock shows the
elapsed time as soon as the page is there (it read '--:--' for seconds), a filter that
matches nobody says so with a way back (it left a blank area), the notifications panel
never covers 'End class', and the site icon is served."""

from __future__ import annotations

import asyncio
import contextlib
import re

import httpx
import pytest
from playwright.async_api import async_playwright

from edge.runner import run_edge

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CLOCK = re.compile(r"^(\d+:)?\d\d:\d\d$")


async def test_clock_filter_and_notifications_on_the_tablet(live_stack, chromium_path: str
                                                            ) -> None:
    demo = live_stack.demo(members=3)
    base = live_stack.api_url
    edge = asyncio.create_task(run_edge(live_stack.edge_settings(demo), demo.class_session_id,
                                        base, simulate=3, speed=2.0))
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{base}/login")
            await page.fill("input[name=email]", demo.accounts["trainer"][0])
            await page.fill("input[name=password]", demo.accounts["trainer"][1])
            await page.click("form.login button[type=submit]")
            await page.wait_for_url(f"{base}/trainer")  # today's classes
            board = f"{base}/trainer/classes/{demo.class_session_id}"
            await page.click(f"a.today-open[href='/trainer/classes/{demo.class_session_id}']")
            await page.wait_for_url(board)
            await page.locator("article.tile").nth(2).wait_for(timeout=40_000)
            clock = page.locator("#class-clock")
            for _ in range(40):  # the worker has seen the class start
                if CLOCK.match(await clock.inner_text()):
                    break
                await page.wait_for_timeout(500)

            # the server renders the elapsed time: right at load, before any script runs
            await page.goto(board, wait_until="commit")
            await page.wait_for_selector("#class-clock", state="attached")
            assert CLOCK.match(await clock.inner_text()), await clock.inner_text()

            # a zone nobody is in: the page says so, and 'Show everyone' brings them back
            await page.locator("article.tile").nth(2).wait_for(timeout=20_000)
            zones = set(await page.locator("article.tile").evaluate_all(
                "ts => ts.map(t => t.dataset.zone)"))
            empty = next(z for z in "54321" if z not in zones)
            await page.click(f".tile-controls button[data-filter='{empty}']")
            consistent = ("() => { const shown = [...document.querySelectorAll('#tiles .tile')]"
                          ".filter(t => t.offsetParent !== null).length; "
                          "return [shown, document.getElementById('filter-empty').hidden]; }")
            shown, hidden = await page.evaluate(consistent)
            assert hidden == (shown > 0)  # the note shows exactly when nobody is shown
            if not shown:
                assert "Nobody matches" in await page.locator("#filter-empty").inner_text()
                await page.click("#filter-empty button")  # 'Show everyone'
            else:  # someone moved into that zone meanwhile
                await page.click(".tile-controls button[data-filter=all]")
            shown, hidden = await page.evaluate(consistent)
            assert shown == 3 and hidden

            # the notifications open in the page flow: 'End class' stays where a finger is
            await page.locator("[data-testid=bell]").click()
            await page.locator("[data-testid=notifications]").wait_for()
            end = page.locator("#class-status button.end")
            box = await end.bounding_box()
            assert box is not None
            hit = await page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y).closest('button')?.className",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
            assert hit == "end"
            await page.keyboard.press("Escape")
            await page.locator("[data-testid=notifications]").wait_for(state="detached")
            await browser.close()
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await edge
    icon = httpx.get(f"{base}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
