"""Each role logs in through the real /login form in Chromium and lands on its own page;
anonymous visitors are sent to log in; a member is refused the admin pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOME = {"admin": "/admin", "trainer": "/trainer", "member": "/member"}


async def log_in(page: Page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("form.login button[type=submit]")


async def test_each_role_lands_on_its_page(live_stack, chromium_path: str) -> None:
    demo = live_stack.demo(members=2)
    base = live_stack.api_url
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            anonymous = await browser.new_page(viewport={"width": 800, "height": 1280})
            await anonymous.goto(f"{base}/admin/settings")
            assert anonymous.url == f"{base}/login?next=/admin/settings"
            await anonymous.screenshot(path=str(ARTIFACTS / "login.png"))
            await anonymous.context.close()

            for role in ("admin", "trainer", "member"):
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await context.new_page()
                email, password = demo.accounts[role]
                await log_in(page, base, email, password)
                await page.wait_for_url(f"{base}{HOME[role]}")
                me = await (await page.request.get(f"{base}/api/me")).json()
                assert me["role"] == role  # the session cookie is this role's
                who = page.locator(".topbar .who")
                assert f"({role})" in await who.inner_text()
                await page.locator("[data-testid=bell]").wait_for(timeout=10_000)
                await page.screenshot(path=str(ARTIFACTS / f"home-{role}.png"))
                if role == "admin":
                    assert await page.locator("h1").first.inner_text() == "Admin"
                    await page.click("nav.admin-nav >> text=Settings")
                    await page.wait_for_url(f"{base}/admin/settings")
                    await page.locator("form#ai-features").wait_for()
                    await page.screenshot(path=str(ARTIFACTS / "admin-settings.png"),
                                          full_page=True)
                    await page.goto(f"{base}/admin/users")
                    await page.screenshot(path=str(ARTIFACTS / "admin-users.png"),
                                          full_page=True)
                    await page.click(".topbar button:has-text('Log out')")
                    await page.wait_for_url(f"{base}/login")
                if role == "member":
                    assert await page.locator("h1").first.inner_text() == "My training"
                    await page.goto(f"{base}/admin")
                    assert await page.locator("h1").inner_text() == "Not for this account"
                    await page.screenshot(path=str(ARTIFACTS / "member-forbidden.png"))
                await context.close()
        finally:
            await browser.close()
