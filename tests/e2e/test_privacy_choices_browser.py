"""The member's data choices on /member in Chromium against the real stack (issue 20):
the "Your data" card loads into the page, shows what is off (cameras, until the member
agrees), saves a change in place, keeps it across a reload, and the wall-name page shows
the same wall choice. Screenshots go to test-artifacts/."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_user
from db.models import Member
from tests.e2e.test_plans_browser import CHROMIUM_ARGS, logged_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def new_member(database_url: str) -> tuple[str, str, str]:
    """A member of this test's own: the demo members are shared by every e2e test."""
    member_id = f"choices-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(Member(id=member_id, display_name="Cleo Choices", birth_year=1988))
    engine.dispose()
    email, password = f"{member_id}@test.spotter", "choices-member-pass"
    create_user(database_url, email, password, "member", display_name="Cleo",
                member_id=member_id)
    return member_id, email, password


async def test_a_member_changes_their_choices_on_the_member_page(live_stack,
                                                                 chromium_path: str) -> None:
    base = live_stack.api_url
    member_id, email, password = new_member(live_stack.settings.resolved_database_url())
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = await logged_in(browser, base, email, password,
                                   {"width": 390, "height": 844})
            await page.goto(f"{base}/member")
            card = page.locator("#privacy-choices")
            await card.locator("h2").wait_for()
            off = card.get_by_test_id("choices-off")
            assert "Camera form analysis" in await off.inner_text()  # never asked: off
            await card.locator("input[name=hr_tracking][value=off]").check()
            await card.locator("input[name=camera_form][value=on]").check()
            await card.locator("input[name=wall_screen][value=anonymous]").check()
            async with page.expect_response(lambda r: r.url.endswith("/member/data/choices")
                                            and r.request.method == "POST") as answer:
                await card.get_by_role("button", name="Save my choices").click()
            assert (await answer.value).status == 200
            await page.locator("#privacy-choices [role=status]").wait_for()
            text = await page.locator("#privacy-choices").get_by_test_id(
                "choices-off").inner_text()
            assert "Heart rate in class" in text and "Named on the wall screen" in text
            assert "Camera form analysis" not in text
            await page.screenshot(path=str(ARTIFACTS / "member-privacy-choices.png"),
                                  full_page=True)

            await page.reload()
            card = page.locator("#privacy-choices")
            await card.locator("h2").wait_for()
            assert await card.locator("input[name=hr_tracking][value=off]").is_checked()
            assert await card.locator("input[name=camera_form][value=on]").is_checked()
            await card.get_by_test_id("choices-history").locator("summary").click()
            assert "wording version" in await card.get_by_test_id(
                "choices-history").inner_text()

            await page.goto(f"{base}/member/wall-name")  # the same wall choice
            assert await page.locator("input[name=show][value=off]").is_checked()
        finally:
            await browser.close()
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        staff = await client.get(f"/api/members/{member_id}/consents",
                                 headers=live_stack.headers())
    assert staff.status_code == 200, staff.text
    got = staff.json()
    assert (got["hr_tracking"], got["camera_form"], got["wall_screen"]) == (
        False, True, "anonymous")
