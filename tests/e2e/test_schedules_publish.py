"""An admin plans next week in Chromium and publishes it; the trainer then finds the week's
classes among their own. Screenshots of the draft grid and the published week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


async def log_in(page: Page, base: str, email: str, password: str, then: str) -> None:
    await page.goto(f"{base}{then}")
    assert "/login" in page.url
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("form.login button[type=submit]")
    await page.wait_for_url(f"{base}{then}")


async def test_admin_generates_and_publishes_a_week(live_stack, chromium_path: str) -> None:
    demo = live_stack.demo(members=2)
    base = live_stack.api_url
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            # landscape tablet
            admin = await browser.new_page(viewport={"width": 1280, "height": 800})
            await log_in(admin, base, *demo.accounts["admin"], then="/trainer/schedules")
            form = admin.locator("form#generate")
            await form.locator("input[name=time_limit_s]").fill("5")
            week = date.fromisoformat(await form.locator("input[name=week_start]")
                                      .input_value())
            await form.locator("button[type=submit]").click()
            await admin.wait_for_url(f"{base}/trainer/schedules/*", timeout=60_000)
            blocks = admin.locator("[data-testid=class-block]")
            await blocks.first.wait_for()
            shown = await blocks.count()
            assert shown >= 1
            badge = admin.locator("[data-testid=schedule-status]")
            assert (await badge.inner_text()).strip().lower() == "draft"
            await admin.locator("#adjustments .empty").first.wait_for()
            await admin.screenshot(path=str(ARTIFACTS / "schedules-draft.png"), full_page=True)

            admin.once("dialog", lambda dialog: dialog.accept())
            await admin.locator("[data-testid=publish]").click()
            await admin.wait_for_url("**?published=1")
            status = await admin.locator("[data-testid=schedule-status]").inner_text()
            assert status.strip().lower() == "published"
            await admin.screenshot(path=str(ARTIFACTS / "schedules-published.png"),
                                   full_page=True)
            published_url = admin.url.split("?")[0]

            # a second scenario, compared side by side with the published week
            await admin.goto(f"{base}/trainer/schedules")
            await form.locator("select[name=scenario]").select_option("comfort")
            await form.locator("input[name=time_limit_s]").fill("5")
            await form.locator("button[type=submit]").click()
            await admin.wait_for_url(lambda url: url.split("?")[0] not in (
                published_url, f"{base}/trainer/schedules"), timeout=60_000)
            await admin.click("text=Compare with the published week")
            await admin.wait_for_url("**/trainer/schedules/compare?*")
            await admin.locator("[data-testid=scenario-B]").wait_for()
            assert "idle minute 0.2" in await admin.locator(
                "[data-testid=scenario-B]").inner_text()
            await admin.screenshot(path=str(ARTIFACTS / "schedules-compare.png"),
                                   full_page=True)

            # portrait tablet: the trainer reads the published week, without admin controls;
            # they may propose a draft, not publish one
            trainer = await browser.new_page(viewport={"width": 800, "height": 1280})
            await log_in(trainer, base, *demo.accounts["trainer"], then="/trainer/schedules")
            assert "Propose draft" in await trainer.locator("form#generate").inner_text()
            await trainer.click("text=Published timetable")
            await trainer.locator("[data-testid=class-block]").first.wait_for()
            assert await trainer.locator("[data-testid=publish]").count() == 0
            await trainer.screenshot(path=str(ARTIFACTS / "schedules-trainer.png"),
                                     full_page=True)
            mine = (await (await trainer.request.get(f"{base}/api/classes")).json())
        finally:
            await browser.close()
    in_week = [c for c in mine if week <= datetime.fromisoformat(c["starts_at"])
               .astimezone(UTC).date() < week + timedelta(days=7)]
    assert len(in_week) == shown  # publishing created the week's classes for the trainer
    timetable = httpx.get(f"{base}/api/schedules/published", headers=live_stack.headers())
    assert timetable.status_code == 200 and len(timetable.json()["classes"]) == shown
