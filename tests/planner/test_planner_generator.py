"""Plan generation: every plan passes the rule check, or the profile gets clear reasons."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.config import PlannerConfig
from planner.errors import PlanInfeasible, PlannerError
from planner.generator import generate_plan
from planner.library import ExerciseLibrary
from planner.models import Injury, LoggedSet, MemberProfile, Plan, Preferences
from planner.validation import check_plan
from planner.vocab import EQUIPMENT, GOALS, INJURY_AREAS, LEVELS

LIFTS = ["Barbell_Squat", "Barbell_Bench_Press_-_Medium_Grip", "Romanian_Deadlift",
         "Dumbbell_Bench_Press", "Goblet_Squat", "Seated_Cable_Rows", "Pullups", "Pushups"]

logged_sets = st.builds(
    LoggedSet, exercise_id=st.sampled_from(LIFTS),
    date=st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 6, 1)),
    load_kg=st.sampled_from([0.0, 10.0, 22.5, 40.0, 60.0, 100.0, 140.0]),
    reps=st.integers(1, 20), rpe=st.one_of(st.none(), st.sampled_from([6.0, 7.5, 8.0, 9.5, 10.0])))

profiles = st.builds(
    MemberProfile,
    member_id=st.text("abcdefgh0123456789", min_size=1, max_size=8),
    age=st.integers(16, 90), sex=st.sampled_from(["female", "male", "other"]),
    body_weight_kg=st.floats(40, 160),
    goals=st.lists(st.sampled_from(GOALS), min_size=1, max_size=3, unique=True),
    fitness_level=st.sampled_from(LEVELS), days_per_week=st.integers(1, 7),
    minutes_per_session=st.sampled_from([20, 30, 45, 60, 75, 90, 120]),
    equipment=st.lists(st.sampled_from(EQUIPMENT), max_size=6, unique=True),
    injuries=st.lists(st.builds(Injury, area=st.sampled_from(INJURY_AREAS)), max_size=2),
    preferences=st.builds(Preferences, liked=st.lists(st.sampled_from(LIFTS), max_size=2),
                          disliked=st.lists(st.sampled_from(LIFTS), max_size=2),
                          intensity_mode=st.sampled_from(["auto", "percent_1rm"])),
    training_history=st.lists(logged_sets, max_size=8))


def assert_sound(plan: Plan, profile: MemberProfile, weeks: int, library: ExerciseLibrary,
                 config: PlannerConfig) -> None:
    assert check_plan(plan, profile, library, config) == []
    assert not any(w.startswith("validator repaired") for w in plan.warnings), plan.warnings
    assert [w.week for w in plan.weeks] == list(range(1, weeks + 1))
    disliked = set(profile.preferences.disliked)
    for week in plan.weeks:
        assert len(week.sessions) == profile.days_per_week
        for session in week.sessions:
            assert session.estimated_minutes <= profile.minutes_per_session
            for item in session.exercises:
                assert item.exercise_id not in disliked and item.reason
                assert len(item.intensity.model_dump(exclude_none=True)) == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, weeks=st.integers(1, 16))
def test_every_plan_passes_the_rules_or_the_profile_gets_reasons(
        profile: MemberProfile, weeks: int, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    try:
        plan = generate_plan(profile, weeks, library=library, config=config)
    except PlanInfeasible as exc:
        assert exc.reasons and all(r.strip() for r in exc.reasons)
        return
    assert_sound(plan, profile, weeks, library, config)


def test_well_equipped_member_gets_a_sound_periodized_plan(gym_plan: Plan,
                                                          gym_profile: MemberProfile,
                                                          library: ExerciseLibrary,
                                                          config: PlannerConfig) -> None:
    assert_sound(gym_plan, gym_profile, 12, library, config)
    assert gym_plan.split == "upper_lower" and gym_plan.progression_model == "dup"
    assert [w.week for w in gym_plan.weeks if w.deload] == [5, 10]
    target = config.volume.targets["hypertrophy"]
    for muscle in target.muscles:
        assert target.min <= gym_plan.weekly_sets_per_muscle[muscle] <= config.volume.flag_above
    first = gym_plan.weeks[0].sessions
    assert first[0].exercises[0].reps != first[2].exercises[0].reps   # DUP: heavy vs light day
    liked = "Romanian_Deadlift"
    assert any(i.exercise_id == liked for s in first for i in s.exercises)
    rdl = next(i for s in first for i in s.exercises if i.exercise_id == liked)
    assert rdl.intensity.load_kg is not None and "e1RM" in rdl.reason  # load from history


def test_deload_halves_volume_with_the_same_exercises(gym_plan: Plan) -> None:
    before, deload = gym_plan.weeks[3], gym_plan.weeks[4]
    assert deload.deload and not before.deload
    for a, b in zip(before.sessions, deload.sessions, strict=True):
        assert [i.exercise_id for i in a.exercises] == [i.exercise_id for i in b.exercises]
        assert sum(i.sets for i in b.exercises) < 0.7 * sum(i.sets for i in a.exercises)


@pytest.mark.parametrize(("update", "expected"), [
    ({"goals": ["hypertrophy"], "equipment": ["body only"], "fitness_level": "beginner"},
     "equipment"),
    ({"goals": ["hypertrophy"], "days_per_week": 2, "minutes_per_session": 30},
     "more minutes a week"),
    ({"minutes_per_session": 20, "goals": ["strength"], "fitness_level": "advanced",
      "days_per_week": 4}, "minutes"),
])
def test_unservable_profiles_say_why(gym_profile: MemberProfile, library: ExerciseLibrary,
                                     config: PlannerConfig, update: dict[str, object],
                                     expected: str) -> None:
    profile = gym_profile.model_copy(update=update)
    with pytest.raises(PlanInfeasible) as info:
        generate_plan(profile, 8, library=library, config=config)
    assert any(expected in r for r in info.value.reasons), info.value.reasons


def test_injury_limited_targets_are_stated_not_hidden(gym_profile: MemberProfile,
                                                       library: ExerciseLibrary,
                                                       config: PlannerConfig) -> None:
    profile = gym_profile.model_copy(update={"injuries": [Injury(area="knee")]})
    plan = generate_plan(profile, 4, library=library, config=config)
    items = [library.get(i.exercise_id) for s in plan.weeks[0].sessions for i in s.exercises]
    assert not any("knee" in e.contraindications for e in items)
    assert any("knee" in w for w in plan.warnings)


def test_weeks_out_of_range_are_refused(gym_profile: MemberProfile) -> None:
    with pytest.raises(PlannerError, match="weeks must be 1-52"):
        generate_plan(gym_profile, 0)
