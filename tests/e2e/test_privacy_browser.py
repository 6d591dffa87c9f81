"""Export and erasure in Chromium against the real stack: Ava downloads her data from the
member page's "Your data" panel; an admin erases a member from the Members' data tab
(typed confirmation, receipt shown). Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.api.privacy_data import add_member, new_person, scan_tables

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


async def logged_in(browser: Browser, base: str, email: str, password: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900},
                                        accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("form.login button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def test_member_downloads_their_data_and_admin_erases_a_member(
        live_stack, chromium_path: str, tmp_path: Path) -> None:
    demo = live_stack.demo(members=2)
    base, database_url = live_stack.api_url, live_stack.settings.resolved_database_url()
    who = new_person("browser-")
    add_member(database_url, who)
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            member = await logged_in(browser, base, *demo.accounts["member"])
            await member.goto(f"{base}/member")
            panel = member.locator("[data-testid=privacy-export]")
            await panel.wait_for()
            await panel.scroll_into_view_if_needed()
            await member.screenshot(path=str(ARTIFACTS / "privacy-member-export.png"))
            async with member.expect_download() as fetched:
                await panel.locator("[data-testid=export-download]").click()
            saved = tmp_path / "mine.zip"
            await (await fetched.value).save_as(saved)
            with zipfile.ZipFile(saved) as archive:
                names = {n.split("/", 1)[1] for n in archive.namelist()}
                document = json.loads(next(archive.read(n) for n in archive.namelist()
                                           if n.endswith("/export.json")))
            assert {"README.txt", "schema.json", "logged_sets.csv"} <= names
            assert document["member_id"] == "demo-member-01"

            admin = await logged_in(browser, base, *demo.accounts["admin"])
            await admin.goto(f"{base}/admin/members")
            row = admin.locator(f"tr[data-member-id='{who.member_id}']")
            await row.wait_for()
            async with admin.expect_download() as fetched:
                await row.locator("[data-testid=export]").click()
            body = await (await fetched.value).path()
            with zipfile.ZipFile(io.BytesIO(Path(str(body)).read_bytes())) as archive:
                assert any(n.endswith("/profile.json") for n in archive.namelist())
            # a wrong confirmation is refused and erases nothing
            await row.locator("input[name=confirm]").fill("not the id")
            await row.locator("button[type=submit]").click()
            await admin.locator("p.error").wait_for()
            assert scan_tables(database_url, [who.member_id])
            row = admin.locator(f"tr[data-member-id='{who.member_id}']")
            await row.locator("input[name=confirm]").fill(who.member_id)
            await row.locator("button[type=submit]").click()
            receipt = admin.locator("[data-testid=erasure-receipt]")
            await receipt.wait_for(timeout=60_000)
            await admin.screenshot(path=str(ARTIFACTS / "privacy-admin-erased.png"),
                                   full_page=True)
            assert "erased-" in await receipt.inner_text()
            assert await admin.locator(f"tr[data-member-id='{who.member_id}']").count() == 0
        finally:
            await browser.close()
    assert scan_tables(database_url, who.needles()) == []
