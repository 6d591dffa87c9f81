"""A member with a row of every registered data kind, and a scan for their traces.

Shared by the export and erasure tests (API, PostgreSQL, the live stack): the member has
a plan, logged sets, check-ins, feedback, a booked and rated class with its summary,
insights and an alert, consents, a wall nickname, a notification, a login and a token.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from db import all_models
from db.accounts import ApiToken, AuthSession, User
from db.display import MemberDisplayPreference
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.models import Booking, ClassSession, Member
from db.platform import OutboxMessage
from db.privacy import DataAccess, MemberConsent
from db.session_changes import PlanSessionChange
from db.timetable import ClassFeedback
from db.training import (
    MemberProfileRow,
    ReadinessCheckin,
    WorkoutFeedback,
    WorkoutLog,
    WorkoutPlan,
)


@dataclass(frozen=True)
class Person:
    member_id: str
    name: str
    email: str
    user_id: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def needles(self) -> list[str]:
        """Id, full name, first name (unique here), email and account id."""
        return [self.member_id, self.name, self.first_name, self.email, self.user_id]


def new_person(tag: str = "") -> Person:
    suffix = uuid.uuid4().hex[:8]
    return Person(member_id=f"priv-{tag}{suffix}", name=f"Zel{suffix} Quartzmoor",
                  email=f"zelda.{suffix}@privacy.test", user_id=f"priv-user-{suffix}")


def add_member(database_url: str, who: Person, *, class_id: str | None = None,
               strap_id: str | None = None) -> None:
    """The member, their account and a row of every kind; with ``class_id`` (an existing
    class) they are booked into it, rated it and appear in its summary."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    try:
        with Session(engine) as db, db.begin():
            db.add(Member(id=who.member_id, display_name=who.name, email=who.email,
                          birth_year=1990, sex="female", weight_kg=61.5, hr_max=190,
                          hr_rest=55))
            db.flush()  # no ORM relationship orders these inserts: foreign keys do
            db.add(User(id=who.user_id, email=who.email, display_name=who.name,
                        password_hash="!", role="member", member_id=who.member_id))
            db.flush()
            plan = WorkoutPlan(member_id=who.member_id, status="active",
                               profile={"member_id": who.member_id},
                               plan={"weeks": [{"week": 1}], "member": who.name})
            db.add(plan)
            db.flush()
            db.add_all([
                MemberProfileRow(member_id=who.member_id, profile={"goal": "strength",
                                                                     "name": who.name}),
                WorkoutLog(member_id=who.member_id, plan_id=plan.id, performed_on=date.today(),
                           exercise_id="squat", set_index=1, load_kg=60.0, reps=8, rpe=7.5),
                ReadinessCheckin(member_id=who.member_id, checked_on=date.today(), sleep=4,
                                 energy=3, stress=2, soreness=2, pain=1, pain_areas=["knee"]),
                WorkoutFeedback(member_id=who.member_id, plan_id=plan.id, session_ref="1-1",
                                rating=4, comment="felt good"),
                MemberConsent(member_id=who.member_id, choice="hr_tracking", granted=True),
                MemberDisplayPreference(member_id=who.member_id, nickname="Zed",
                                        on_wall=True),
                OutboxMessage(event="plan.approved", recipient_user_id=who.user_id,
                              payload={"title": f"Plan for {who.name}"}),
                AuthSession(token_hash=uuid.uuid4().hex, user_id=who.user_id,
                            csrf_token="x", expires_at=now + timedelta(days=1)),
                ApiToken(token_hash=uuid.uuid4().hex, name="phone", kind="user",
                         user_id=who.user_id),
                DataAccess(actor_user_id=None, actor_role="trainer", member_id=who.member_id,
                           action="view", resource="plan"),
            ])
            if class_id is not None:
                _class_traces(db, who, class_id, plan.id, strap_id)
    finally:
        engine.dispose()


def _class_traces(db: Session, who: Person, class_id: str, plan_id: str,
                  strap_id: str | None) -> None:
    if db.scalar(select(Booking).where(Booking.class_session_id == class_id,
                                       Booking.member_id == who.member_id)) is None:
        db.add(Booking(class_session_id=class_id, member_id=who.member_id,
                       strap_id=strap_id))
    db.add_all([
        ClassFeedback(class_session_id=class_id, member_id=who.member_id, rating=5,
                      comment=f"great, {who.name} here"),
        MemberClassSummary(class_session_id=class_id, member_id=who.member_id,
                           payload={"member_id": who.member_id, "name": who.name,
                                    "calories": 420}, ended_at=1.0),
        RealTimeInsight(id=uuid.uuid4().hex[:40], class_session_id=class_id,
                        member_id=who.member_id, at=1.0, kind="minute",
                        data={"zone_s": [0, 0, 30, 30, 0, 0]}),
        AlertRow(id=f"{class_id}|{who.member_id}|spike|1", class_session_id=class_id,
                 member_id=who.member_id, rule="spike", severity="warning",
                 message=f"{who.name.split()[0]}: heart rate spike", event_time=1.0,
                 evidence={"hr": 185}),
        PlanSessionChange(episode_key=f"{class_id}|{who.member_id}|x|1",
                          class_session_id=class_id, member_id=who.member_id,
                          plan_id=plan_id, week=1, day=1, session_on=date.today(),
                          rule="spike", change_group="reduce:session", headline="easier"),
    ])
    summary = db.get(PostClassSummary, class_id)
    row = {"member_id": who.member_id, "name": who.name, "effort": 12.5}
    if summary is None:
        db.add(PostClassSummary(class_session_id=class_id,
                                payload={"totals": {"members": 1}, "members": [row]}))
    else:
        payload = dict(summary.payload)
        payload["members"] = [*payload.get("members", []), row]
        summary.payload = payload


def scan_tables(database_url: str, needles: list[str]) -> list[str]:
    """Every table's every row, as text: where any needle still appears."""
    engine = create_engine(database_url)
    found: list[str] = []
    try:
        with engine.connect() as conn:
            for table in all_models.metadata.sorted_tables:
                for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                    blob = json.dumps([str(v) for v in row])
                    found += [f"{table.name}: {n}" for n in needles if n in blob]
    finally:
        engine.dispose()
    return found


def a_class(database_url: str) -> str:
    """A class of the test's own that has ended: a copy of an existing one (the demo
    seeds one, and keeps it live)."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            template = db.scalars(select(ClassSession)).first()
            assert template is not None
            class_id = f"priv-class-{uuid.uuid4().hex[:8]}"
            db.add(ClassSession(id=class_id, class_type_id=template.class_type_id,
                                room_id=template.room_id, trainer_id=template.trainer_id,
                                starts_at=template.starts_at, ends_at=template.ends_at,
                                status="ended"))
            return class_id
    finally:
        engine.dispose()


def summary_numbers(database_url: str, class_id: str) -> Any:
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            row = db.get(PostClassSummary, class_id)
            return row.payload if row else None
    finally:
        engine.dispose()
