"""Which class the trainer tablet opens when none is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.models import ClassSession


def add_class(url: str, class_id: str, starts: datetime, status: str = "scheduled") -> None:
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        db.add(ClassSession(id=class_id, class_type_id="demo-hiit", room_id="demo-room",
                            trainer_id="demo-trainer", starts_at=starts,
                            ends_at=starts + timedelta(minutes=45), status=status))
    engine.dispose()


def set_status(url: str, class_id: str, status: str, starts: datetime) -> None:
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        row = db.get(ClassSession, class_id)
        assert row is not None
        row.status, row.starts_at = status, starts
    engine.dispose()


def opened(api_world) -> str:
    page = api_world.client.get("/trainer", headers=api_world.auth("trainer"))
    assert page.status_code == 200
    return page.text.split("/trainer/classes/")[1].split("/")[0]


def test_a_live_class_wins_over_everything(api_world) -> None:
    now = datetime.now(UTC)
    add_class(api_world.database_url, "next-week", now + timedelta(days=7))
    assert opened(api_world) == "demo-class"  # the demo class is live


def test_without_a_live_class_the_latest_started_beats_future_ones(api_world) -> None:
    now = datetime.now(UTC)
    set_status(api_world.database_url, "demo-class", "ended", now - timedelta(hours=3))
    add_class(api_world.database_url, "this-morning", now - timedelta(hours=1), "ended")
    add_class(api_world.database_url, "next-week", now + timedelta(days=7))
    assert opened(api_world) == "this-morning"


def test_with_only_future_classes_the_next_one_opens(api_world) -> None:
    now = datetime.now(UTC)
    set_status(api_world.database_url, "demo-class", "scheduled", now + timedelta(days=1))
    add_class(api_world.database_url, "next-week", now + timedelta(days=7))
    assert opened(api_world) == "demo-class"
