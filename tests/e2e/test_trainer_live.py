"""The trainer tablet in a real browser: live tiles with form, an alert acknowledged,
a member marked resting, the class ended from the tablet and its summary page."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import async_playwright
from redis.asyncio import Redis
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from configs.settings import Settings
from contract.kafka import client_options
from contract.records import FormEvent, HeartRateSample
from contract.signing import API, sign_as
from contract.topics import TOPIC_FORM_EVENTS, TOPIC_HR_SAMPLES
from db.models import Booking, ClassSession
from edge.runner import run_edge
from streams.sink import snapshot
from tests.e2e.wire import as_box_sends, wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(240)]

R = TypeVar("R")


def signed(record: R) -> R:
    """Records are signed by their writer (contract.signing); these tests write as the API."""
    return sign_as(Settings().secret_key, API, record)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MEMBERS = ["demo-member-01", "demo-member-02", "demo-member-03", "demo-member-04"]


def own_class(database_url: str) -> str:
    """A class of the demo trainer that this test may end (the demo class is shared)."""
    class_id = f"ui-{uuid.uuid4().hex[:8]}"
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


async def inject(live_stack, class_id: str) -> None:
    """A heart-rate spike for member 01 and three faulty squats for member 02."""
    redis = Redis.from_url(live_stack.settings.redis_url)
    try:
        async with asyncio.timeout(30):
            while not (await snapshot(redis, class_id)).get(MEMBERS[0]):
                await asyncio.sleep(0.2)
        seen = (await snapshot(redis, class_id))[MEMBERS[0]]["last_seen"]
    finally:
        await redis.aclose()
    wires = wire_ids(live_stack.settings.resolved_database_url(), class_id)
    producer = AIOKafkaProducer(**client_options(live_stack.settings))
    await producer.start()
    try:
        key, spike = as_box_sends(HeartRateSample(class_session_id=class_id, member_id=MEMBERS[0],
                                strap_id="test-spike", seq=0, event_time=seen + 0.3,
                                hr_bpm=235, sensor_contact=True, source="chest"), wires)
        await producer.send_and_wait(TOPIC_HR_SAMPLES, key=key,
                                     value=signed(spike).to_bytes())
        now = time.time()
        for rep in range(1, 4):
            key, form = as_box_sends(FormEvent(
                class_session_id=class_id, member_id=MEMBERS[1], station_id="station-1",
                exercise="squat", event_time=now + rep, rep_index=rep, rom_deg=95.0,
                tempo_s=2.1, faults=["knees_caving"]), wires)
            await producer.send_and_wait(TOPIC_FORM_EVENTS, key=key,
                                         value=signed(form).to_bytes())
    finally:
        await producer.stop()


async def test_trainer_acknowledges_an_alert_and_ends_the_class(live_stack,
                                                               chromium_path: str) -> None:
    demo = live_stack.demo(members=4)
    class_id = own_class(live_stack.settings.resolved_database_url())
    edge = asyncio.create_task(run_edge(live_stack.edge_settings(demo), class_id,
                                        live_stack.api_url, simulate=4, speed=2.0))
    email, password = demo.accounts["trainer"]
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await page.goto(f"{live_stack.api_url}/trainer?class_session={class_id}")
            await page.fill("input[name=email]", email)
            await page.fill("input[name=password]", password)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"**/trainer?class_session={class_id}")
            await page.locator("article.tile").nth(3).wait_for(timeout=40_000)
            await page.locator("[data-testid=class-state]", has_text="live").wait_for(
                timeout=20_000)

            await inject(live_stack, class_id)
            fault = page.locator(f"#tile-{MEMBERS[1]} [data-testid=fault]")
            await fault.wait_for(timeout=20_000)
            assert "knees caving" in await fault.inner_text()
            assert "3 reps" in await page.locator(
                f"#tile-{MEMBERS[1]} [data-testid=reps]").inner_text()
            alerts = page.locator("#alert-banner [data-testid=alert]")
            await alerts.nth(1).wait_for(timeout=30_000)  # the form fault and the spike
            rules = {await a.get_attribute("data-rule") for a in await alerts.all()}
            assert {"spike", "repeated_form_fault"} <= rules, rules
            await page.screenshot(path=str(ARTIFACTS / "trainer-alerts.png"))

            first = alerts.first
            alert_id = (await first.get_attribute("id")).removeprefix("alert-")
            await first.locator("[data-testid=ack]").click()
            await page.locator(f"#alert-{alert_id}").wait_for(state="detached", timeout=15_000)
            async with httpx.AsyncClient(headers=live_stack.headers(), timeout=10) as client:
                stored = (await client.get(
                    f"{live_stack.api_url}/api/classes/{class_id}/alerts")).json()
            acked = [a for a in stored if a["id"] == alert_id]
            assert acked and acked[0]["acknowledged_at"], stored

            await page.locator(f"#tile-{MEMBERS[2]} [data-testid=rest]").click()
            await page.locator(f"#tile-{MEMBERS[2]}.resting").wait_for(timeout=15_000)
            await page.click(".tile-controls button[data-sort=zone]")
            await page.screenshot(path=str(ARTIFACTS / "trainer-landscape.png"))
            await page.set_viewport_size({"width": 800, "height": 1280})
            await page.screenshot(path=str(ARTIFACTS / "trainer-portrait.png"))

            await page.click("#class-status button.end")
            link = page.locator("[data-testid=summary-link]")
            await link.wait_for(timeout=60_000)
            await link.click()
            await page.wait_for_url(f"**/trainer/classes/{class_id}/summary")
            await page.locator("#class-chart canvas").wait_for(timeout=15_000)
            rows = page.locator("[data-testid=member-table] tbody tr")
            assert await rows.count() == 4
            await page.screenshot(path=str(ARTIFACTS / "trainer-summary.png"), full_page=True)
            await browser.close()
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await edge
    async with httpx.AsyncClient(headers=live_stack.headers(), timeout=10) as client:
        summary = (await client.get(f"{live_stack.api_url}/api/classes/{class_id}/summary"))
    assert summary.status_code == 200
    document = summary.json()["summary"]
    assert document["form"][MEMBERS[1]]["most_common_fault"] == "knees_caving"
    assert json.dumps(document)  # stored as plain JSON
