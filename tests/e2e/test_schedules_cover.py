"""The timetable after publishing, clicked through in Chromium: the trainer proposes a
two-week draft, the admin publishes it, the trainer records time off, the admin applies
the cover proposal in one click, and a member rates a class they attended. Screenshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import Booking, ClassSession
from db.timetable import ClassFeedback, ScheduleProposal

from .test_schedules_publish import CHROMIUM_ARGS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(300)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


async def settle(page: Page, url_part: str) -> None:
    await page.wait_for_url(f"**{url_part}*", timeout=60_000)
    await page.wait_for_load_state("networkidle")


async def test_trainer_proposes_admin_publishes_leave_gets_cover_member_rates(
        live_stack, chromium_path: str) -> None:
    demo = live_stack.demo(members=2)
    base = live_stack.api_url
    engine = create_engine(live_stack.settings.resolved_database_url())
    monday = next_monday()
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            trainer = await browser.new_page(viewport={"width": 1280, "height": 800})
            await log_in(trainer, base, *demo.accounts["trainer"], then="/trainer/schedules")
            form = trainer.locator("form#generate")
            await form.locator("input[name=week_start]").fill(monday.isoformat())
            await form.locator("input[name=weeks]").fill("2")
            await form.locator("input[name=time_limit_s]").fill("4")
            await form.locator("button[type=submit]").click()
            await trainer.wait_for_url(lambda url: "/trainer/schedules/" in url
                                       and url.rstrip("/").split("/")[-1] != "schedules",
                                       timeout=60_000)
            draft_url = trainer.url
            text = await trainer.locator("main").inner_text()
            assert "proposed by Sam Coach" in text and "(2 weeks)" in text
            assert await trainer.locator("[data-testid=publish]").count() == 0
            await trainer.screenshot(path=str(ARTIFACTS / "schedules-trainer-proposal.png"),
                                     full_page=True)

            admin = await browser.new_page(viewport={"width": 1280, "height": 800})
            await log_in(admin, base, *demo.accounts["admin"], then="/trainer/schedules")
            await admin.goto(draft_url)
            admin.once("dialog", lambda dialog: dialog.accept())
            await admin.locator("[data-testid=publish]").click()
            await admin.wait_for_url("**?published=1")

            # the trainer's time off, recorded on the timetables page
            await trainer.goto(f"{base}/trainer/schedules")
            leave = trainer.locator("[data-testid=leave-form]")
            await leave.locator("input[name=starts_on]").fill(monday.isoformat())
            await leave.locator("input[name=ends_on]").fill(
                (monday + timedelta(days=1)).isoformat())
            await leave.locator("input[name=reason]").fill("first-aid course")
            await leave.locator("button[type=submit]").click()
            await settle(trainer, "/trainer/schedules")
            await trainer.locator("[data-testid=leave-list]").wait_for()
            assert "first-aid course" in await trainer.locator(
                "[data-testid=leave-list]").inner_text()

            # the admin sees the cover proposals and applies one with one click
            await admin.goto(f"{base}/trainer/schedules")
            proposals = admin.locator("[data-testid=proposal]")
            await proposals.first.wait_for()
            before = await proposals.count()
            first_text = await proposals.first.inner_text()
            assert "Sam Coach is on leave" in first_text
            await admin.screenshot(path=str(ARTIFACTS / "schedules-cover-proposals.png"),
                                   full_page=True)
            await proposals.first.locator("[data-testid=apply-proposal]").click()
            await admin.wait_for_load_state("networkidle")
            await admin.goto(f"{base}/trainer/schedules")
            assert await admin.locator("[data-testid=proposal]").count() == before - 1

            # a member rates a class they attended an hour ago
            with Session(engine) as db, db.begin():
                ends = datetime.now(UTC) - timedelta(hours=1)
                past = ClassSession(class_type_id="demo-hiit", room_id="demo-room",
                                    trainer_id="demo-trainer",
                                    starts_at=ends - timedelta(minutes=45), ends_at=ends,
                                    status="ended")
                db.add(past)
                db.flush()
                db.add(Booking(class_session_id=past.id, member_id="demo-member-01",
                               status="attended"))
                past_id = past.id
            member = await browser.new_page(viewport={"width": 390, "height": 844})
            await log_in(member, base, *demo.accounts["member"], then="/member")
            card = member.locator("[data-testid=rate-class]").first
            await card.wait_for()
            assert await card.locator("input[name=rating]:checked").count() == 0
            await card.locator("input[name=rating][value='2']").check()
            await card.locator("input[name=time_unsuitable]").check()
            await card.locator("textarea[name=comment]").fill("6:30 is too early for me")
            await card.locator("button[type=submit]").click()
            await member.locator("#class-ratings .notice").wait_for()
            assert "rated 2 of 5" in await member.locator("#class-ratings").inner_text()
            await member.screenshot(path=str(ARTIFACTS / "member-class-rating.png"),
                                    full_page=True)

            await trainer.goto(f"{base}/trainer/class-feedback")
            table = await trainer.locator("[data-testid=feedback-table]").inner_text()
            assert "6:30 is too early for me" in table
        finally:
            await browser.close()
    with Session(engine) as db:
        applied = db.scalars(select(ScheduleProposal).where(
            ScheduleProposal.status == "applied")).all()
        assert len(applied) >= 1
        rating = db.scalar(select(ClassFeedback).where(
            ClassFeedback.class_session_id == past_id))
        assert rating is not None and rating.rating == 2 and rating.time_unsuitable
    engine.dispose()
