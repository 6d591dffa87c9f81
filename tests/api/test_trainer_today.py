"""``/trainer`` opens on today's classes: the trainer's own (an admin's: every room's),
each with its time, room, class type, booked count and state, from the class sessions a
published timetable creates; "Start" from a few minutes before the start time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.pages.today import day_bounds, today_row
from db.models import Booking, ClassSession, ClassType, Room, Trainer

UTC_ZONE = ZoneInfo("UTC")


def add_class(url: str, class_id: str, starts: datetime, status: str = "scheduled",
              trainer: str = "demo-trainer", booked: int = 0) -> None:
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        if db.get(Trainer, trainer) is None:
            db.add(Trainer(id=trainer, display_name="Other Coach"))
        db.add(ClassSession(id=class_id, class_type_id="demo-hiit", room_id="demo-room",
                            trainer_id=trainer, starts_at=starts,
                            ends_at=starts + timedelta(minutes=45), status=status))
        for i in range(booked):
            db.add(Booking(class_session_id=class_id, member_id=f"demo-member-0{i + 1}"))
    engine.dispose()


def set_demo_class(url: str, status: str, starts: datetime) -> None:
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        row = db.get(ClassSession, "demo-class")
        assert row is not None
        row.status, row.starts_at, row.ends_at = status, starts, starts + timedelta(minutes=45)
    engine.dispose()


def listed(page: str) -> list[tuple[str, str]]:
    """(class id, state) in the order the page lists them."""
    return re.findall(r'data-class-id="([^"]+)" data-state="([^"]+)"', page)


def midday() -> datetime:
    """Noon today (UTC, the shipped studio zone): a day's classes fit either side."""
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def test_the_list_holds_todays_classes_in_time_order_and_nothing_else(api_world) -> None:
    url, noon = api_world.database_url, midday()
    set_demo_class(url, "ended", noon - timedelta(hours=3))
    add_class(url, "tonight", noon + timedelta(hours=6), booked=2)
    add_class(url, "tomorrow", noon + timedelta(days=1))
    add_class(url, "yesterday", noon - timedelta(days=1), status="ended")
    page = api_world.client.get("/trainer", headers=api_world.auth("trainer"))
    assert page.status_code == 200
    ids = [class_id for class_id, _ in listed(page.text)]
    assert ids == ["demo-class", "tonight"]
    assert "Today&#39;s classes" in page.text or "Today's classes" in page.text
    assert "2 / 30 booked" in page.text and "Studio 1" in page.text and "HIIT 45" in page.text


def test_a_class_still_live_from_yesterday_is_listed_so_it_can_be_ended(api_world) -> None:
    set_demo_class(api_world.database_url, "live", midday() - timedelta(days=1))
    page = api_world.client.get("/trainer", headers=api_world.auth("trainer"))
    assert ("demo-class", "live") in listed(page.text)
    assert 'href="/trainer/classes/demo-class"' in page.text


def test_a_trainer_sees_their_own_classes_and_an_admin_every_room(api_world) -> None:
    add_class(api_world.database_url, "not-mine", midday(), trainer="other-trainer")
    mine = [c for c, _ in listed(api_world.client.get(
        "/trainer", headers=api_world.auth("trainer")).text)]
    every = [c for c, _ in listed(api_world.client.get(
        "/trainer", headers=api_world.auth("admin")).text)]
    assert "not-mine" not in mine and "demo-class" in mine
    assert {"not-mine", "demo-class"} <= set(every)


@pytest.mark.parametrize(("minutes_to_start", "status", "state", "can_start"), [
    (60, "scheduled", "upcoming", False),   # too early: "Start in 50 min"
    (10, "scheduled", "upcoming", True),    # the window opens 10 min before
    (-5, "scheduled", "upcoming", True),    # late, but still within the class time
    (-50, "scheduled", "not held", False),  # its end has passed, never started
    (-5, "live", "live", False),
    (-50, "ended", "ended", False),
    (30, "cancelled", "cancelled", False),
])
def test_state_and_when_start_is_offered(minutes_to_start, status, state,
                                         can_start) -> None:
    now = datetime(2030, 5, 14, 12, 0, tzinfo=UTC)
    session = ClassSession(id="c", class_type_id="demo-hiit", room_id="demo-room",
                           trainer_id="demo-trainer", status=status,
                           starts_at=now + timedelta(minutes=minutes_to_start),
                           ends_at=now + timedelta(minutes=minutes_to_start + 45))
    session.room = Room(id="r", name="Studio 1", capacity=20)
    session.class_type = ClassType(id="t", name="HIIT 45", duration_min=45)
    session.trainer = Trainer(id="demo-trainer", display_name="Sam Coach")
    session.bookings = []
    row = today_row(session, now, UTC_ZONE, timedelta(minutes=10))
    assert (row.state, row.can_start) == (state, can_start)
    if minutes_to_start == 60:
        assert row.starts_in_min == 50


def test_today_is_the_studios_day_not_utcs() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # 23:30 UTC on the 13th is 08:30 on the 14th in Tokyo
    first, last = day_bounds(datetime(2030, 5, 13, 23, 30, tzinfo=UTC), tokyo)
    assert first == datetime(2030, 5, 13, 15, 0, tzinfo=UTC)
    assert last - first == timedelta(days=1)


def test_start_appears_on_the_list_and_board_only_in_its_window(api_world) -> None:
    url = api_world.database_url
    set_demo_class(url, "scheduled", datetime.now(UTC) + timedelta(minutes=5))
    add_class(url, "later", datetime.now(UTC) + timedelta(minutes=40))
    trainer = api_world.auth("trainer")
    page = api_world.client.get("/trainer", headers=trainer).text
    starts = re.findall(r'hx-post="/api/classes/([^/]+)/start"', page)
    assert starts == ["demo-class"]
    board = api_world.client.get("/trainer/classes/demo-class", headers=trainer).text
    assert 'data-testid="start"' in board
    later = api_world.client.get("/trainer/classes/later", headers=trainer).text
    assert 'data-testid="start"' not in later and 'data-testid="start-later"' in later


def test_the_board_opens_by_path_and_by_query_and_refuses_other_trainers(api_world) -> None:
    trainer = api_world.auth("trainer")
    for path in ("/trainer/classes/demo-class", "/trainer?class_session=demo-class"):
        page = api_world.client.get(path, headers=trainer)
        assert page.status_code == 200 and 'id="tiles"' in page.text
    add_class(api_world.database_url, "not-mine", midday(), trainer="other-trainer")
    assert api_world.client.get("/trainer/classes/not-mine",
                                headers=trainer).status_code == 404
    assert api_world.client.get("/trainer/classes/not-mine",
                                headers=api_world.auth("admin")).status_code == 200


def test_no_classes_today_says_where_they_come_from(api_world) -> None:
    set_demo_class(api_world.database_url, "ended", midday() - timedelta(days=2))
    page = api_world.client.get("/trainer", headers=api_world.auth("trainer")).text
    assert 'data-testid="today-empty"' in page and "/trainer/schedules" in page
