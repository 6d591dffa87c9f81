"""Demo studio data for ``spotter up --demo``: one room, one trainer, one live class.

Ids are fixed so the demo's URLs are stable between runs; seeding twice is harmless.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.db.models import Booking, ClassSession, ClassType, Member, Room, Trainer

DEMO_CLASS_ID = "demo-class"
FIRST_NAMES = ["Ava", "Ben", "Chloe", "Dev", "Elif", "Finn", "Grace", "Hugo", "Isla", "Jonas",
               "Kira", "Leo", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara",
               "Umar", "Vera", "Wes", "Xena", "Yusuf", "Zoe", "Arlo", "Bea", "Cruz", "Dina"]


def seed_demo(database_url: str, members: int = 8, seed: int = 7) -> str:
    """Create (or refresh) the demo class with ``members`` booked members; returns its id."""
    rng = random.Random(seed)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        if session.get(Room, "demo-room") is None:
            session.add(Room(id="demo-room", name="Studio 1", capacity=30,
                             features=["mirrors", "hr-display"]))
            session.add(Trainer(id="demo-trainer", display_name="Sam Coach",
                                email="trainer@demo.spotter", qualifications=["hiit"]))
            session.add(ClassType(id="demo-hiit", name="HIIT 45", duration_min=45,
                                  qualification="hiit"))
        live = session.get(ClassSession, DEMO_CLASS_ID)
        if live is None:
            live = ClassSession(id=DEMO_CLASS_ID, class_type_id="demo-hiit", room_id="demo-room",
                                trainer_id="demo-trainer", starts_at=now, ends_at=now)
            session.add(live)
        live.starts_at, live.ends_at, live.status = now, now + timedelta(minutes=45), "live"
        booked = {b.member_id for b in session.scalars(
            select(Booking).where(Booking.class_session_id == DEMO_CLASS_ID))}
        for i in range(members):
            member_id = f"demo-member-{i + 1:02d}"
            if session.get(Member, member_id) is None:
                session.add(Member(
                    id=member_id, display_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    birth_year=now.year - rng.randint(20, 62),
                    sex=rng.choice(["female", "male"]), weight_kg=round(rng.uniform(55, 95), 1),
                ))
            if member_id not in booked:
                session.add(Booking(class_session_id=DEMO_CLASS_ID, member_id=member_id,
                                    strap_id=f"sim-{i + 1:02d}"))
    engine.dispose()
    return DEMO_CLASS_ID
