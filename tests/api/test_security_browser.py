"""The Content-Security-Policy in a real browser: every role's pages load with no
violation, htmx still swaps fragments in, and the one inline handler the templates carry
(the notifications panel's close button) still runs, while an injected inline script does
not."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import BrowserContext, Page, async_playwright

from api.main import create_app
from configs.settings import Settings
from tests.conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {
    "admin": ["/admin", "/admin/settings", "/admin/users", "/admin/devices", "/admin/exercises",
              "/admin/db/", "/admin/db/room/list"],
    "trainer": ["/trainer", "/trainer/plans", "/trainer/schedules", "/trainer/class-feedback"],
    "member": ["/member", "/member/class-ratings"],
}
# Collected in the page itself: Playwright's init scripts are not subject to the policy.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def served(tmp_path: Path, redis_server_url: str, seeded_database) -> Iterator[tuple[str, object]]:
    """The app under uvicorn on a free port, on a copy of the seeded demo database."""
    template, demo = seeded_database
    shutil.copyfile(template, tmp_path / "api.db")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}",
                              redis_url=redis_server_url, data_dir=tmp_path))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", demo
    server.should_exit = True
    thread.join(timeout=20)


async def logged_in(context: BrowserContext, base: str, email: str, password: str) -> Page:
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("form.login button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def violations(page: Page) -> list[str]:
    return list(await page.evaluate("window.__csp || []"))


async def test_every_roles_pages_run_under_the_policy(served, chromium_path: str) -> None:
    base, demo = served
    found: dict[str, list[str]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            anonymous = await browser.new_context()
            await anonymous.add_init_script(WATCH)
            login = await anonymous.new_page()
            await login.goto(f"{base}/login")
            found["/login"] = await violations(login)
            await anonymous.close()
            for role, paths in PAGES.items():
                context = await browser.new_context()
                await context.add_init_script(WATCH)
                page = await logged_in(context, base, *demo.accounts[role])
                for path in paths:
                    response = await page.goto(f"{base}{path}")
                    assert response is not None and response.status == 200, (role, path)
                    await page.wait_for_load_state("networkidle")
                    found[f"{role} {path}"] = await violations(page)
                # htmx loaded the bell (a fragment swap); the panel's inline close handler runs
                await page.goto(f"{base}{paths[0]}")
                await page.locator("[data-testid=bell]").click()
                close = page.locator("#notifications-panel button[aria-label=Close]")
                await close.wait_for(timeout=10_000)
                await close.click()
                await page.locator("#notifications-panel").filter(has_text="Notifications") \
                    .wait_for(state="detached", timeout=5_000)
                found[f"{role} bell"] = await violations(page)
                await context.close()
        finally:
            await browser.close()
    assert len(found) == 1 + sum(len(p) + 1 for p in PAGES.values())
    assert {page: v for page, v in found.items() if v} == {}


async def test_an_injected_inline_script_does_not_run(served, chromium_path: str) -> None:
    base, demo = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context()
            await context.add_init_script(WATCH)
            page = await logged_in(context, base, *demo.accounts["trainer"])
            # What stored XSS would do if escaping ever failed: markup with inline script.
            await page.evaluate("""() => {
                const s = document.createElement('script');
                s.textContent = 'window.__owned = true';
                document.body.appendChild(s);
                document.body.insertAdjacentHTML('beforeend',
                    '<img src="x" onerror="window.__owned2 = true">');
            }""")
            await page.wait_for_timeout(300)
            assert await page.evaluate("window.__owned === undefined && "
                                       "window.__owned2 === undefined")
            assert any("script-src" in v for v in await violations(page))
        finally:
            await browser.close()
