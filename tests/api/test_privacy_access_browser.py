"""The access log in a real browser (issue 20, item 5): a trainer looks at a member's
data; the admin finds the entry on /admin/access-log and filters it; the member sees
who looked at their data on their own page, loaded by htmx."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from api.plans.demo import seed_planner_demo
from tests.api.test_security_browser import (  # noqa: F401  (served is a fixture)
    CHROMIUM_ARGS,
    WATCH,
    logged_in,
    served,
    violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
AVA = "demo-member-01"


async def test_admin_and_member_see_who_looked(served, chromium_path: str,  # noqa: F811
                                              tmp_path) -> None:
    base, demo = served
    seed_planner_demo(f"sqlite:///{tmp_path / 'api.db'}")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            trainer = await browser.new_context()
            page = await logged_in(trainer, base, *demo.accounts["trainer"])
            shown = await page.goto(f"{base}/trainer/plans?member={AVA}")
            assert shown is not None and shown.status == 200
            await trainer.close()

            admin = await browser.new_context()
            await admin.add_init_script(WATCH)
            page = await logged_in(admin, base, *demo.accounts["admin"])
            await page.goto(f"{base}/admin")
            await page.get_by_role("link", name="Access log").click()
            await page.wait_for_url(f"{base}/admin/access-log")
            table = page.get_by_test_id("access-log")
            row = table.locator("tbody tr").filter(has_text="profile")
            await row.first.wait_for()
            assert "trainer" in await row.first.inner_text()
            await page.select_option("select[name=action]", "change")
            await page.get_by_role("button", name="Filter").click()
            await page.wait_for_url("**action=change**")
            assert "No entries." in await table.inner_text()
            await page.select_option("select[name=action]", "")
            await page.fill("input[name=member_id]", AVA)
            await page.get_by_role("button", name="Filter").click()
            await page.wait_for_url(f"**member_id={AVA}**")
            assert await table.locator("tbody tr").filter(has_text="profile").count() >= 1
            assert await violations(page) == []
            await admin.close()

            member = await browser.new_context()
            await member.add_init_script(WATCH)
            page = await logged_in(member, base, *demo.accounts["member"])
            await page.goto(f"{base}/member")
            mine = page.get_by_test_id("my-access-log")
            await mine.wait_for(timeout=10_000)
            text = await mine.inner_text()
            assert "viewed your profile" in text and "(coach)" in text
            assert await page.get_by_role("heading", name="Who looked at my data").count() == 1
            assert await violations(page) == []
            await member.close()
        finally:
            await browser.close()
