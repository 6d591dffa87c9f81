"""Demo data of the planner: planner profiles for the demo members, so the demo trainer can
generate a plan for Ava (demo-member-01) straight away.

Called after ``api.demo.seed_demo`` (it needs the members); idempotent: a profile a
coach has since changed is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.models import Member
from db.training import MemberProfileRow
from planner.models import Injury, LoggedSet, MemberProfile

DEMO_KIT = ["barbell", "dumbbell", "cable", "machine", "kettlebells", "bands", "bench",
            "pull-up bar", "dip station", "box or step"]


def demo_profiles(members: list[Member], year: int) -> list[MemberProfile]:
    """Profiles for the demo members: Ava trains four days for hypertrophy with some
    history; the others vary goals, days and minutes so the planner page has variety."""
    shapes = [
        (["hypertrophy", "general_fitness"], "intermediate", 4, 60),
        (["strength"], "intermediate", 3, 75),
        (["fat_loss", "general_fitness"], "beginner", 3, 45),
        (["general_fitness"], "beginner", 2, 60),
        (["endurance", "general_fitness"], "intermediate", 3, 45),
    ]
    out = []
    for i, member in enumerate(members):
        goals, level, days, minutes = shapes[i % len(shapes)]
        history = []
        injuries: list[Injury] = []
        if i == 0:
            history = [
                LoggedSet(exercise_id="Barbell_Squat", date=date(year, 1, 8), load_kg=60,
                          reps=8, rpe=8),
                LoggedSet(exercise_id="Barbell_Bench_Press_-_Medium_Grip",
                          date=date(year, 1, 10), load_kg=40, reps=8, rpe=8),
                LoggedSet(exercise_id="Romanian_Deadlift", date=date(year, 1, 12),
                          load_kg=55, reps=10, rpe=7.5),
            ]
        elif i % 5 == 3:
            injuries = [Injury(area="knee", note="demo: sore knee, no deep flexion")]
        out.append(MemberProfile(
            member_id=member.id, age=max(16, year - (member.birth_year or year - 35)),
            sex=member.sex if member.sex in ("female", "male") else "other",  # type: ignore[arg-type]
            body_weight_kg=member.weight_kg or 70.0, goals=goals,  # type: ignore[arg-type]
            fitness_level=level, days_per_week=days,  # type: ignore[arg-type]
            minutes_per_session=minutes, equipment=DEMO_KIT,  # type: ignore[arg-type]
            injuries=injuries, training_history=history))
    return out


def seed_planner_demo(database_url: str) -> int:
    """Store planner profiles for the demo members that have none; returns how many."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            members = [m for m in db.query(Member).order_by(Member.id)
                       if m.id.startswith("demo-member-")]
            made = 0
            for profile in demo_profiles(members, datetime.now(UTC).year):
                if db.get(MemberProfileRow, profile.member_id) is None:
                    db.add(MemberProfileRow(member_id=profile.member_id,
                                            profile=profile.model_dump(mode="json"),
                                            updated_at=datetime.now(UTC)))
                    made += 1
            return made
    finally:
        engine.dispose()
