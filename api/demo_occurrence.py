"""A fresh demo class for every ``spotter up --demo``: a new class session in the demo
room, starting now, so nothing from an earlier run (tiles, alerts, a summary) leaks into
this one; the stack then starts it through the API as the tablet does.

The seeded ``demo-class`` stays what tests use (:func:`api.demo.seed_demo`); a demo run
ends whatever an earlier run left live in the room (its broker, in memory, is gone, so
that class can never finish by itself) and books the demo members into a new occurrence
with the straps and the HRmax / resting heart rate of the scripted class
(configs/demo.toml), which the simulator plays.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import Booking, ClassSession, Member
from edge.simulator import ClassScript, load_script

DEMO_ROOM = "demo-room"
DEMO_CLASS_MINUTES = 45


def new_class_id(now: datetime) -> str:
    """Readable and unique: the start time in the id, plus a short random part."""
    return f"demo-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:4]}"


def start_demo_occurrence(database_url: str, members: int, script: ClassScript | None = None,
                          now: datetime | None = None) -> str:
    """Create the occurrence (status ``scheduled``; the API's start makes it live) and
    return its id. Members ``demo-member-01..N`` must exist (seed the demo first)."""
    script = script or load_script()
    now = now or datetime.now(UTC)
    class_id = new_class_id(now)
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            for stale in db.scalars(select(ClassSession).where(
                    ClassSession.room_id == DEMO_ROOM, ClassSession.status == "live")):
                stale.status = "ended"
            db.add(ClassSession(id=class_id, class_type_id="demo-hiit", room_id=DEMO_ROOM,
                                trainer_id="demo-trainer", starts_at=now,
                                ends_at=now + timedelta(minutes=DEMO_CLASS_MINUTES),
                                status="scheduled"))
            for i in range(members):
                member_id, strap = f"demo-member-{i + 1:02d}", f"sim-{i + 1:02d}"
                person = db.get(Member, member_id)
                if person is None:
                    raise ValueError(f"demo member {member_id} is missing: seed the demo "
                                     "first (spotter db seed-demo)")
                profile = script.profile_of(strap)
                person.hr_max, person.hr_rest = profile.hr_max, profile.hr_rest
                db.add(Booking(class_session_id=class_id, member_id=member_id,
                               strap_id=strap))
    finally:
        engine.dispose()
    return class_id
