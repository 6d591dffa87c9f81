"""The planner in Chromium against the real stack: the demo trainer generates a plan for
Ava and approves it; Ava logs a set on her portal. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from api.plans.demo import seed_planner_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AVA = "demo-member-01"


async def logged_in(browser: Browser, base: str, email: str, password: str,
                    viewport: dict[str, int]) -> Page:
    page = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("form.login button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def test_trainer_approves_a_plan_and_the_member_logs_a_set(live_stack,
                                                                  chromium_path: str) -> None:
    demo = live_stack.demo(members=3)
    seed_planner_demo(live_stack.settings.resolved_database_url())
    base = live_stack.api_url
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            # the trainer, on a tablet held in landscape
            trainer = await logged_in(browser, base, *demo.accounts["trainer"],
                                      {"width": 1280, "height": 800})
            await trainer.click(".topbar nav >> text=Plans")
            await trainer.wait_for_url(f"{base}/trainer/plans")
            await trainer.click(f"a[data-member={AVA}]")
            await trainer.locator("form#generate").wait_for()
            await trainer.screenshot(path=str(ARTIFACTS / "plans-member.png"), full_page=True)
            await trainer.fill("form#generate input[name=weeks]", "8")
            await trainer.click("form#generate button[type=submit]")
            await trainer.wait_for_url(f"{base}/trainer/plans/*", timeout=60_000)
            assert (await trainer.locator("#plan-status").inner_text()).lower() == "draft"
            reasons = trainer.locator("#week .reason")
            assert await reasons.count() >= 4 and await reasons.first.inner_text()
            await trainer.screenshot(path=str(ARTIFACTS / "plans-review.png"), full_page=True)
            # a coach edit that breaks the guidance is refused, with the reason, in place
            await trainer.locator("#week details.edit summary").first.click()
            form = trainer.locator("#week form.item-form").first
            await form.locator("input[name=sets]").fill("12")
            await form.locator("button[type=submit]").click()
            await trainer.locator("#week .error").first.wait_for()
            assert "breaks the guidance" in await trainer.locator("#week").inner_text()
            await trainer.click("#approve")
            await trainer.wait_for_url("**saved=approved")
            assert (await trainer.locator("#plan-status").inner_text()).lower() == "active"
            await trainer.screenshot(path=str(ARTIFACTS / "plans-approved.png"))

            # Ava, on a tablet held in portrait
            member = await logged_in(browser, base, *demo.accounts["member"],
                                     {"width": 800, "height": 1280})
            await member.wait_for_url(f"{base}/member")
            await member.locator("article.session").first.wait_for()
            first = member.locator("article.session .item").first
            log = first.locator("form.log-form")
            await log.locator("input[name=load_kg]").fill("42.5")
            await log.locator("input[name=reps]").fill("8")
            await log.locator("input[name=rpe]").fill("8")
            await log.locator("button[type=submit]").click()
            await member.locator("article.session .item .logged").first.wait_for()
            assert "8 × 42.5 kg @ RPE 8" in await member.locator(
                "article.session .item .logged").first.inner_text()
            await member.screenshot(path=str(ARTIFACTS / "member-portal.png"), full_page=True)
            told = await (await member.request.get(f"{base}/api/notifications")).json()
            assert "plan.approved" in {n["event"] for n in told}
        finally:
            await browser.close()
