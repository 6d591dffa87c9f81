"""Every ``spotter up --demo`` plays a fresh class occurrence: a new class session in the
demo room, the earlier run's class no longer live, the members booked with the straps and
the heart-rate profile of the scripted class (configs/demo.toml)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.demo_occurrence import start_demo_occurrence
from db.models import Booking, ClassSession, Member
from edge.simulator import load_script


def sessions(url: str) -> dict[str, ClassSession]:
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        found = {s.id: s for s in db.scalars(select(ClassSession))}
    engine.dispose()
    return found


def test_each_run_gets_its_own_occurrence_and_ends_the_earlier_one(api_world) -> None:
    url = api_world.database_url
    now = datetime.now(UTC)
    first = start_demo_occurrence(url, 3, now=now)
    engine = create_engine(url)
    with Session(engine) as db, db.begin():  # the tablet started the first run's class
        row = db.get(ClassSession, first)
        assert row is not None
        row.status = "live"
    second = start_demo_occurrence(url, 3, now=now + timedelta(minutes=50))
    rows = sessions(url)
    assert first != second and first.startswith("demo-") and second.startswith("demo-")
    assert rows[first].status == "ended" and rows["demo-class"].status == "ended"
    assert rows[second].status == "scheduled"  # the API's start makes it live
    with Session(engine) as db:
        booked = {b.member_id: b.strap_id for b in db.scalars(
            select(Booking).where(Booking.class_session_id == second))}
        assert booked == {"demo-member-01": "sim-01", "demo-member-02": "sim-02",
                          "demo-member-03": "sim-03"}
        script = load_script()
        ben = db.get(Member, "demo-member-02")
        assert ben is not None
        assert (ben.hr_max, ben.hr_rest) == (script.profile_of("sim-02").hr_max,
                                             script.profile_of("sim-02").hr_rest)
    engine.dispose()


def test_the_occurrence_is_on_the_trainers_list_for_today(api_world) -> None:
    class_id = start_demo_occurrence(api_world.database_url, 3)
    page = api_world.client.get("/trainer", headers=api_world.auth("trainer")).text
    assert f'data-class-id="{class_id}" data-state="upcoming"' in page
    assert f'hx-post="/api/classes/{class_id}/start"' in page  # it starts now: Start shows
