"""Thousands of random members through the generator, judged by the independent checker
(tests/planner/plan_checker.py): kit, injuries, doses, time budget, weekly volume, zones.

``SPOTTER_CHECKER_EXAMPLES`` sets how many profiles (default 2000)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cache import SelectionCache
from planner.errors import PlanInfeasible
from planner.generator import generate_plan
from planner.models import Injury, LoggedSet, MemberProfile, Preferences
from planner.vocab import GOALS, INJURY_AREAS, KIT, LEVELS
from tests.planner.plan_checker import Data, check, deloads_every

EXAMPLES = int(os.environ.get("SPOTTER_CHECKER_EXAMPLES", "2000"))
LIFTS = ["Barbell_Squat", "Barbell_Bench_Press_-_Medium_Grip", "Romanian_Deadlift",
         "Dumbbell_Bench_Press", "Goblet_Squat", "Pullups", "Seated_Cable_Rows"]
DATA = Data.load()
CACHE = SelectionCache(size=4096)   # as in a batch: equal week signatures solve once

members = st.builds(
    MemberProfile,
    member_id=st.just("m"), age=st.integers(16, 85),
    sex=st.sampled_from(["female", "male", "other"]), body_weight_kg=st.just(70.0),
    goals=st.lists(st.sampled_from(GOALS), min_size=1, max_size=2, unique=True),
    fitness_level=st.sampled_from(LEVELS), days_per_week=st.integers(1, 7),
    minutes_per_session=st.sampled_from([30, 45, 60, 75, 90]),
    equipment=st.lists(st.sampled_from(KIT), max_size=8, unique=True),
    injuries=st.lists(st.builds(Injury, area=st.sampled_from(INJURY_AREAS)), max_size=2),
    hr_max=st.one_of(st.none(), st.integers(150, 205)),
    hr_rest=st.one_of(st.none(), st.integers(45, 80)),
    class_days=st.lists(st.integers(1, 7), max_size=2, unique=True),
    preferences=st.builds(Preferences, disliked=st.lists(st.sampled_from(LIFTS), max_size=1),
                          intensity_mode=st.sampled_from(["auto", "percent_1rm"])),
    training_history=st.lists(st.builds(
        LoggedSet, exercise_id=st.sampled_from(LIFTS), date=st.just(
            __import__("datetime").date(2025, 3, 3)),
        load_kg=st.sampled_from([20.0, 40.0, 60.0]), reps=st.integers(3, 10),
        rpe=st.one_of(st.none(), st.just(8.0))), max_size=3))


@pytest.mark.slow
@pytest.mark.timeout(1800)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(member=members, weeks=st.sampled_from([4, 8, 12]))
def test_every_generated_plan_passes_the_independent_checker(member: MemberProfile,
                                                             weeks: int) -> None:
    try:
        plan = generate_plan(member, weeks, cache=CACHE)
    except PlanInfeasible as refused:
        assert refused.reasons and all(r.strip() for r in refused.reasons)
        return
    found = check(plan.to_json_dict(), member.model_dump(mode="json"), DATA)
    assert found == [], found
    assert deloads_every(plan.to_json_dict()) <= 5


def test_the_checker_catches_what_it_is_for() -> None:
    """The checker fails loudly on the issue's own cases (so a pass means something)."""
    member = MemberProfile(member_id="m", age=30, sex="female", body_weight_kg=60,
                           goals=["endurance"], fitness_level="beginner", days_per_week=3,
                           minutes_per_session=45, equipment=["body only"],
                           injuries=[Injury(area="shoulder")]).model_dump(mode="json")

    def plan_with(ex_id: str, **dose: object) -> dict[str, object]:
        ex = DATA.exercises[ex_id]
        item = {"exercise_id": ex_id, "name": ex["name"], "sets": 3, "reps": 20,
                "duration_seconds": None, "rest_seconds": 30, "intensity": {"rpe": 7.0},
                "reason": "x", "equipment": ex["equipment"],
                "primary_muscles": ex["primary_muscles"],
                "secondary_muscles": ex["secondary_muscles"], **dose}
        session = {"day": 1, "focus": "full_body", "estimated_minutes": 10,
                   "exercises": [item]}
        return {"weeks": [{"week": 1, "deload": True, "sessions": [
            session, {**session, "day": 3}, {**session, "day": 5}]}]}

    assert any("needs" in p for p in check(plan_with("V-Bar_Pullup"), member, DATA))
    assert any("overhead_loaded" in p for p in check(
        plan_with("Triceps_Overhead_Extension_with_Rope"), member, DATA))
    assert any("fits no" in p for p in check(plan_with("Pushups", reps=40), member, DATA))
    assert check(plan_with("Bodyweight_Squat"), member, DATA) == []
