"""Every page, for every role, at tablet (1280x800) and phone (390x844) size, in Chromium
against the real stack: axe-core (pinned, vendored in api/static/vendor) finds no serious
or critical violation (contrast, labels, names, structure), and no page is wider than its
screen. A full-page screenshot of each is saved for review, with an index.html beside
them, under $SPOTTER_SCREENSHOTS_DIR or this run's pytest temporary folder (the path is
printed with -s and written to the log as 'screenshots in ...').

The studio is first given something to show: a class that ran with simulated straps and
ended (its summary, and Ava's class history), an approved plan for Ava, and two draft
timetables to compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, async_playwright
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.demo import DemoStudio
from api.display.tokens import issue as issue_display_token
from db.models import Booking, ClassSession
from edge.follow import follow_class
from edge.runner import run_edge

# One event loop for the module: the browser and the logged-in sessions are shared by the
# cases, which each open one page in a fresh context.
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(900),
              pytest.mark.asyncio(loop_scope="module")]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SIZES = {"tablet": (1280, 800), "phone": (390, 844), "tv": (1920, 1080)}
# The wall screen is a TV; every other page is for tablets and phones.
ROLE_SIZES = {"display": ("tv",)}
AVA = "demo-member-01"
MEMBERS = ["demo-member-01", "demo-member-02", "demo-member-03"]
BLOCKING = ("serious", "critical")
# Pages owned by other parts of the project that fail today, one xfail each (strict: the
# mark must come off when they are fixed). Key: (role, size, page key). The timetable
# pages' entries (definition-list, phone width, scroll region) were fixed and removed.
KNOWN: dict[tuple[str, str, str], str] = {}


@dataclass
class Studio:
    base: str
    demo: DemoStudio
    class_id: str  # ended, with a summary
    plan_id: str
    schedules: tuple[str, str]
    exercise_id: str
    shots: Path
    display_token: str
    taken: list[tuple[str, str, str, str]] = field(default_factory=list)


STAFF = [
    ("today", "/trainer"), ("live", "/trainer/classes/demo-class"),
    ("live-ended", "/trainer?class_session={class_id}"),
    ("summary", "/trainer/classes/{class_id}/summary"),
    ("plans", "/trainer/plans"), ("plans-member", f"/trainer/plans?member={AVA}"),
    ("plan-review", "/trainer/plans/{plan_id}"),
    ("schedules", "/trainer/schedules"), ("schedule", "/trainer/schedules/{a}"),
    ("schedules-compare", "/trainer/schedules/compare?a={a}&b={b}"),
    ("class-feedback", "/trainer/class-feedback"),
]
REFUSED = [("refused-admin", "/admin"), ("refused-db", "/admin/db/")]
# Every page each role opens, including the ones refused to it; {names} filled per run.
PAGES: dict[str, list[tuple[str, str]]] = {
    "anonymous": [("login", "/login"), ("not-found", "/no-such-page")],
    "member": [("member", "/member"), ("member-week-2", "/member?week=2"), *REFUSED,
               ("refused-trainer", "/trainer"), ("wall-name", "/member/wall-name"),
               ("summary-own", "/trainer/classes/{class_id}/summary")],
    "display": [("wall", "/display/demo-room")],
    "trainer": [*STAFF, *REFUSED],
    "admin": [*STAFF, ("admin", "/admin"), ("admin-settings", "/admin/settings"),
              ("admin-users", "/admin/users"), ("admin-devices", "/admin/devices"),
              ("exercises", "/admin/exercises"), ("exercise", "/admin/exercises/{exercise_id}"),
              ("db", "/admin/db/"), ("db-rooms", "/admin/db/room/list"),
              ("db-class-types", "/admin/db/class-type/list"),
              ("db-trainers", "/admin/db/trainer/list"), ("db-members", "/admin/db/member/list"),
              ("db-classes", "/admin/db/class-session/list"),
              ("db-room-new", "/admin/db/room/create"),
              ("db-room", "/admin/db/room/details/demo-room"),
              ("db-room-edit", "/admin/db/room/edit/demo-room")],
}


def cases() -> Iterator[object]:
    for role, pages in PAGES.items():
        for size in ROLE_SIZES.get(role, ("tablet", "phone")):
            for key, _ in pages:
                why = KNOWN.get((role, size, key))
                marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
                yield pytest.param(role, size, key, id=f"{role}-{size}-{key}", marks=marks)


# ---- the studio's data --------------------------------------------------------------

def own_class(database_url: str) -> str:
    class_id = f"a11y-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        db.add(ClassSession(id=class_id, class_type_id="demo-hiit", room_id="demo-room",
                            trainer_id="demo-trainer", starts_at=now,
                            ends_at=now + timedelta(minutes=45), status="scheduled"))
        for i, member in enumerate(MEMBERS):
            db.add(Booking(class_session_id=class_id, member_id=member,
                           strap_id=f"sim-{i + 1:02d}"))
    engine.dispose()
    return class_id


async def run_and_end_class(live_stack, demo: DemoStudio, class_id: str) -> None:
    """Simulated straps until every member has a tile, then end it and wait for the
    summary the worker writes."""
    # the box follows the class from the API, as a studio's does: ending it on the tablet
    # (the API) makes the box send its own end, and the worker then builds the summary
    follow = follow_class(live_stack.api_url, class_id, demo.device_token, interval_s=1.0)
    edge = asyncio.create_task(run_edge(live_stack.edge_settings(demo), class_id,
                                        live_stack.api_url, simulate=len(MEMBERS), speed=2.0,
                                        follow=follow))
    url = f"{live_stack.api_url}/api/classes/{class_id}"
    try:
        async with httpx.AsyncClient(headers=live_stack.headers(), timeout=10) as client:
            async with asyncio.timeout(60):
                while len((await client.get(f"{url}/board")).json()) < len(MEMBERS):
                    await asyncio.sleep(0.5)
            await asyncio.sleep(8)  # some class time (at 2x) for the summary to show
            assert (await client.post(f"{url}/end")).status_code == 200
            async with asyncio.timeout(30):
                await asyncio.shield(edge)
            async with asyncio.timeout(60):
                while (await client.get(f"{url}/summary")).status_code != 200:
                    await asyncio.sleep(0.5)
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await edge


def token(base: str, email: str, password: str) -> dict[str, str]:
    got = httpx.post(f"{base}/api/auth/token", json={"email": email, "password": password})
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['access_token']}"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def studio(live_stack, tmp_path_factory: pytest.TempPathFactory) -> Studio:
    demo = live_stack.demo(members=len(MEMBERS))
    base = live_stack.api_url
    class_id = own_class(live_stack.settings.resolved_database_url())
    await run_and_end_class(live_stack, demo, class_id)
    trainer = token(base, *demo.accounts["trainer"])
    admin = live_stack.headers()
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        made = await client.post("/api/plans", json={"member_id": AVA, "weeks": 4},
                                 headers=trainer)
        assert made.status_code == 201, made.text
        plan_id = made.json()["id"]
        approved = await client.post(f"/api/plans/{plan_id}/approve", headers=trainer)
        assert approved.status_code == 200, approved.text
        drafts = []
        for weights in (None, {"idle_minute": 0.2}):
            body = {"time_limit_s": 3, **({"weights": weights} if weights else {})}
            got = await client.post("/api/schedules/generate", json=body, headers=admin)
            assert got.status_code == 201, got.text
            drafts.append(got.json()["id"])
        exercise = await client.get("/api/exercises", params={"limit": 1}, headers=admin)
    named = os.environ.get("SPOTTER_SCREENSHOTS_DIR")
    shots = Path(named) if named else tmp_path_factory.mktemp("page-screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    return Studio(base, demo, class_id, plan_id, (drafts[0], drafts[1]),
                  exercise.json()["items"][0]["exercise"]["id"], shots,
                  issue_display_token(live_stack.settings.resolved_database_url(),
                                      "demo-room", "a11y wall")[1])


# ---- the browser ----------------------------------------------------------------------

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sessions(browser: Browser, studio: Studio) -> AsyncIterator[dict[str, dict]]:
    """One logged-in cookie jar per role, through the real /login form post (logging in
    once per role keeps under the login rate limit)."""
    states: dict[str, dict] = {"anonymous": {"cookies": [], "origins": []}}
    for role in ("member", "trainer", "admin"):
        context = await browser.new_context()
        email, password = studio.demo.accounts[role]
        for _ in range(3):
            answer = await context.request.post(f"{studio.base}/login",
                                                form={"email": email, "password": password})
            if answer.status != 429:
                break
            await asyncio.sleep(30)  # other browser tests logged in from here just now
        assert answer.ok, f"{role} login: {answer.status}"
        states[role] = await context.storage_state()
        await context.close()
    context = await browser.new_context()  # the wall screen: its link sets its cookie
    answer = await context.request.get(f"{studio.base}/display/demo-room?token="
                                       f"{studio.display_token}")
    assert answer.ok, f"display link: {answer.status}"
    states["display"] = await context.storage_state()
    await context.close()
    yield states
    if studio.taken:
        write_index(studio)


def write_index(studio: Studio) -> None:
    """index.html: every screenshot by role and page, tablet beside phone."""
    rows = []
    for role, size, key, name in sorted(studio.taken):
        rows.append(f"<figure><img src='{html.escape(name)}' loading='lazy' alt=''>"
                    f"<figcaption>{html.escape(role)} · {html.escape(key)} · {size}"
                    "</figcaption></figure>")
    (studio.shots / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Spotter pages</title><style>"
        "body{font-family:system-ui;background:#eee}figure{display:inline-block;"
        "vertical-align:top;margin:.5rem}img{max-width:420px;border:1px solid #999}</style>"
        + "".join(rows), encoding="utf-8")
    print(f"screenshots in {studio.shots}")  # noqa: T201 - where a reviewer looks


async def open_page(browser: Browser, state: dict, size: str) -> BrowserContext:
    width, height = SIZES[size]
    return await browser.new_context(viewport={"width": width, "height": height},
                                     storage_state=state)  # type: ignore[arg-type]


@pytest.mark.parametrize(("role", "size", "key"), list(cases()))
async def test_page_is_accessible_and_fits_the_screen(browser: Browser, sessions,
                                                      studio: Studio, role: str, size: str,
                                                      key: str) -> None:
    path = dict(PAGES[role])[key].format(
        class_id=studio.class_id, plan_id=studio.plan_id, a=studio.schedules[0],
        b=studio.schedules[1], exercise_id=studio.exercise_id)
    context = await open_page(browser, sessions[role], size)
    try:
        page = await context.new_page()
        answer = await page.goto(f"{studio.base}{path}", wait_until="load")
        assert answer is not None
        expected = 404 if key == "not-found" else 403 if key.startswith("refused") else 200
        assert answer.status == expected, f"{path}: {answer.status}"
        await page.wait_for_timeout(600)  # htmx loads (bell, live status), charts drawn
        name = f"{role}-{key}-{size}.png"
        await page.screenshot(path=str(studio.shots / name), full_page=True)
        studio.taken.append((role, size, key, name))
        problems = []
        width = await page.evaluate("document.documentElement.scrollWidth")
        if width > SIZES[size][0]:
            problems.append(f"  {width} px wide on a {SIZES[size][0]} px screen")
        # from the site itself: the pages' Content-Security-Policy allows no injected inline
        # script, and that policy is part of what is tested here
        await page.add_script_tag(url=f"{studio.base}/static/vendor/axe.min.js")
        found = await page.evaluate("async () => (await axe.run(document, "
                                    "{resultTypes: ['violations']})).violations")
        problems += [f"  {v['id']} ({v['impact']}): {v['help']} -> "
                     + json.dumps([n["target"] for n in v["nodes"][:4]])
                     for v in found if v["impact"] in BLOCKING]
        assert not problems, f"{path} ({size}):\n" + "\n".join(problems)
    finally:
        await context.close()


# Planner and timetable shorthand that must not reach a reader unexplained (issue 17):
# progression model and source keys, estimated one-rep max, raw field names, solver terms.
SHORTHAND = re.compile(r"\b(dup|e1RM|acsm2009\w*|nsca|rhea2002|issurin2010|helms2016|"
                       r"load_kg|percent_1rm|duration_seconds|Best bound|vs greedy)\b")
# Pages of other parts of the project that still show shorthand, one strict xfail each
# (key: role, page key); the plan pages' entries were fixed and removed.
PLAIN_KNOWN: dict[tuple[str, str], str] = {}


def plain_cases() -> Iterator[object]:
    for role, pages in PAGES.items():
        for key, _ in pages:
            why = PLAIN_KNOWN.get((role, key))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            yield pytest.param(role, key, id=f"{role}-{key}", marks=marks)


@pytest.mark.parametrize(("role", "key"), list(plain_cases()))
async def test_page_speaks_plainly(browser: Browser, sessions, studio: Studio, role: str,
                                   key: str) -> None:
    """What a reader sees (explanations folded away) holds no planner or solver shorthand."""
    path = dict(PAGES[role])[key].format(
        class_id=studio.class_id, plan_id=studio.plan_id, a=studio.schedules[0],
        b=studio.schedules[1], exercise_id=studio.exercise_id)
    context = await open_page(browser, sessions[role], "tablet")
    try:
        page = await context.new_page()
        await page.goto(f"{studio.base}{path}", wait_until="load")
        await page.wait_for_timeout(600)
        text = await page.evaluate("() => { const c = document.body.cloneNode(true); "
                                   "c.querySelectorAll('.tip, script, style, option')"
                                   ".forEach(e => e.remove()); return c.textContent; }")
        found = sorted({m.group(0) for m in SHORTHAND.finditer(text)})
        assert not found, f"{path} shows {found}"
    finally:
        await context.close()
