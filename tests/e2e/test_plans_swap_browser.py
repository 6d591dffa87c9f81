"""The plan editor's swap in Chromium against the real stack (issue 17, item 1).

A member without logged history gets a plan; the trainer swaps an exercise for an option
from the page's own list and it saves. Ava has logged the barbell bench press but never
the dumbbell one: swapping to "Dumbbell Bench Press (easier)" saves too, with the load
turned into an RPE target and the reason saying so. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from api.plans.demo import seed_planner_demo
from tests.e2e.test_plans_browser import CHROMIUM_ARGS, logged_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AVA, NO_HISTORY = "demo-member-01", "demo-member-02"
BENCH = "Barbell_Bench_Press_-_Medium_Grip"


async def draft_for(page: Page, base: str, member: str) -> None:
    await page.goto(f"{base}/trainer/plans?member={member}")
    await page.fill("form#generate input[name=weeks]", "4")
    await page.click("form#generate button[type=submit]")
    await page.wait_for_url(f"{base}/trainer/plans/*", timeout=60_000)
    assert (await page.locator("#plan-status").inner_text()).lower() == "draft"


async def swap(page: Page, current: str, label_part: str) -> str:
    """Open the first item showing ``current`` and pick the option whose label contains
    ``label_part``; returns the label chosen."""
    item = page.locator("#week .item").filter(
        has=page.locator(f"input[name=current_exercise_id][value='{current}']")).first
    await item.locator("details.edit summary").click()
    options = item.locator("select[name=exercise_id] option")
    labels = await options.all_inner_texts()
    assert len(labels) == len(set(labels)), labels          # each option once
    label = next(text for text in labels if label_part in text)
    await item.locator("select[name=exercise_id]").select_option(label=label)
    async with page.expect_response(lambda r: r.url.endswith("/items")) as answer:
        await item.locator("button[type=submit]").click()
    assert (await answer.value).status == 200
    return label


async def test_a_swap_from_the_offered_list_saves_for_a_member_without_history(
        live_stack, chromium_path: str) -> None:
    demo = live_stack.demo(members=3)
    seed_planner_demo(live_stack.settings.resolved_database_url())
    base = live_stack.api_url
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            trainer = await logged_in(browser, base, *demo.accounts["trainer"],
                                      {"width": 1280, "height": 800})
            # a member with no logged sets at all: the first item's easier variant
            await draft_for(trainer, base, NO_HISTORY)
            first = await trainer.locator(
                "#week .item input[name=current_exercise_id]").first.get_attribute("value")
            assert first
            label = await swap(trainer, first, "(easier)")
            name = label.rsplit(" (", 1)[0]
            await trainer.locator("#week .item strong", has_text=name).first.wait_for()
            assert await trainer.locator("#week .error").count() == 0
            assert "chosen by the coach" in await trainer.locator("#week").inner_text()
            await trainer.screenshot(path=str(ARTIFACTS / "plans-swap-no-history.png"),
                                     full_page=True)

            # Ava: the barbell lift is logged, the dumbbell one never was (the case)
            await draft_for(trainer, base, AVA)
            await swap(trainer, BENCH, "Dumbbell Bench Press (easier)")
            swapped = trainer.locator("#week .item").filter(
                has=trainer.locator("input[name=current_exercise_id]"
                                    "[value='Dumbbell_Bench_Press']")).first
            await swapped.wait_for()
            assert await trainer.locator("#week .error").count() == 0
            text = await swapped.inner_text()
            assert "no logged sets of Dumbbell Bench Press" in text and "RPE" in text
            await trainer.screenshot(path=str(ARTIFACTS / "plans-swap-rpe.png"), full_page=True)
        finally:
            await browser.close()
