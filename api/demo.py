"""Demo studio data for ``spotter up --demo``: one room, one trainer, one live class.

Ids are fixed so the demo's URLs are stable between runs; seeding twice is harmless.
The demo's accounts have published passwords (an admin among them), so seeding refuses a
production database unless forced (:func:`refusal`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token, create_user
from api.plans.demo import seed_planner_demo
from configs.consent import consent_config
from configs.settings import NON_PRODUCTION_ENVS, get_settings
from db.models import Booking, ClassSession, ClassType, Member, Room, Trainer
from db.privacy import MemberConsent

DEMO_CLASS_ID = "demo-class"
# The demo's members have said yes to straps, cameras and suggestions (recorded by the
# seed, ``recorded_by`` None), so `make run` shows tiles and form at once; a real member
# who was never asked gets the defaults of configs/consent.toml (cameras off).
DEMO_CHOICES = {"hr_tracking": True, "camera_form": True, "suggestions": True}
FIRST_NAMES = ["Ava", "Ben", "Chloe", "Dev", "Elif", "Finn", "Grace", "Hugo", "Isla", "Jonas",
               "Kira", "Leo", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara",
               "Umar", "Vera", "Wes", "Xena", "Yusuf", "Zoe", "Arlo", "Bea", "Cruz", "Dina"]


@dataclass(frozen=True)
class DemoStudio:
    class_session_id: str
    device_token: str  # the demo edge box's bearer token, scoped to the demo room
    accounts: dict[str, tuple[str, str]]  # role -> (email, password)


# Demo-only passwords, printed by `make run`; real deployments create users with
# `spotter users create` and never run the demo seed.
DEMO_ACCOUNTS = {
    "admin": ("admin@demo.spotter", "demo-admin-pass"),
    "trainer": ("trainer@demo.spotter", "demo-trainer-pass"),
    "member": ("ava@demo.spotter", "demo-member-pass"),
}


class DemoRefused(ValueError):
    """Seeding the demo here would publish an admin password on a production install."""


def refusal(database_url: str, env: str) -> str | None:
    """Why the demo must not be seeded here, or None. Production is any SPOTTER_ENV but
    dev or test, or any database but SQLite (a studio's PostgreSQL is never a demo)."""
    reasons = []
    if env.strip().lower() not in NON_PRODUCTION_ENVS:
        reasons.append(f"SPOTTER_ENV={env} is production")
    if not database_url.startswith("sqlite"):
        reasons.append(f"the database is {database_url.split(':', 1)[0]}, not a demo's SQLite")
    if not reasons:
        return None
    return (f"refusing to seed the demo: {' and '.join(reasons)}; its accounts have "
            "published passwords (an admin among them). If this really is a throw-away "
            "install: spotter db seed-demo --force")


def seed_demo(database_url: str, members: int = 8, seed: int = 7, *, force: bool = False,
              env: str | None = None) -> DemoStudio:
    """Create (or refresh) the demo class with ``members`` booked members, one account per
    role and a device token for the demo room. Refused (:class:`DemoRefused`) in
    production (``env`` defaults to SPOTTER_ENV) unless ``force``."""
    reason = refusal(database_url, env if env is not None else get_settings().env)
    if reason and not force:
        raise DemoRefused(reason)
    class_id = seed_classes(database_url, members, seed)
    for role, (email, password) in DEMO_ACCOUNTS.items():
        create_user(database_url, email, password, role,
                    display_name={"admin": "Alex Admin", "trainer": "Sam Coach",
                                  "member": "Ava"}[role],
                    trainer_id="demo-trainer" if role == "trainer" else None,
                    member_id="demo-member-01" if role == "member" else None)
    token = create_token(database_url, "demo edge box", kind="device", room_id="demo-room")
    seed_planner_demo(database_url)  # so the trainer can plan for the demo members at once
    return DemoStudio(class_id, token, dict(DEMO_ACCOUNTS))


def seed_classes(database_url: str, members: int = 8, seed: int = 7) -> str:
    """The demo room, trainer and live class with booked members; returns the class id."""
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
            if session.scalar(select(MemberConsent.id).where(
                    MemberConsent.member_id == member_id).limit(1)) is None:
                session.add_all(MemberConsent(member_id=member_id, choice=choice,
                                              granted=granted, recorded_at=now,
                                              version=consent_config().wording_of(choice).version,
                                              recorded_by=None)
                                for choice, granted in DEMO_CHOICES.items())
            if member_id not in booked:
                session.add(Booking(class_session_id=DEMO_CLASS_ID, member_id=member_id,
                                    strap_id=f"sim-{i + 1:02d}"))
    engine.dispose()
    return DEMO_CLASS_ID
