"""The rule check catches deliberately broken plans, repairs what is safe, rejects the rest."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from planner.config import PlannerConfig
from planner.errors import PlanRejected
from planner.library import ExerciseLibrary
from planner.models import Injury, Intensity, MemberProfile, Plan
from planner.validation import check_plan, validate_and_repair

Breaker = Callable[[Plan, ExerciseLibrary], None]


def _first(plan: Plan, week: int = 0, session: int = 0, item: int = 0):  # type: ignore[no-untyped-def]
    return plan.weeks[week].sessions[session].exercises[item]


def _swap_in(plan: Plan, lib: ExerciseLibrary, ex_id: str, week: int = 0) -> None:
    ex = lib.get(ex_id)
    item = _first(plan, week)
    item.exercise_id, item.name, item.equipment = ex.id, ex.name, ex.equipment
    item.primary_muscles = list(ex.primary_muscles)
    item.secondary_muscles = list(ex.secondary_muscles)


def reps_out_of_range(plan: Plan, lib: ExerciseLibrary) -> None:
    _first(plan).reps = 30


def rest_out_of_range(plan: Plan, lib: ExerciseLibrary) -> None:
    _first(plan).rest_seconds = 600


def rpe_too_high(plan: Plan, lib: ExerciseLibrary) -> None:
    _first(plan, session=1, item=2).intensity = Intensity(rpe=10)


def percent_on_bodyweight(plan: Plan, lib: ExerciseLibrary) -> None:
    _swap_in(plan, lib, "Pushups")
    _first(plan).intensity = Intensity(percent_1rm=80)


def load_without_history(plan: Plan, lib: ExerciseLibrary) -> None:
    _first(plan, item=1).intensity = Intensity(load_kg=60)


def equipment_missing(plan: Plan, lib: ExerciseLibrary) -> None:
    _swap_in(plan, lib, "Alternating_Floor_Press")   # a kettlebell chest press; no kettlebells


def injured_area(plan: Plan, lib: ExerciseLibrary) -> None:
    _swap_in(plan, lib, "Upright_Barbell_Row")       # loads the shoulder (profile below)


def disliked(plan: Plan, lib: ExerciseLibrary) -> None:
    """The member's disliked deadlift where the plan has its first hinge."""
    for s, session in enumerate(plan.weeks[0].sessions):
        for i, item in enumerate(session.exercises):
            if lib.get(item.exercise_id).pattern == "hinge":
                session.exercises[0], session.exercises[i] = item, session.exercises[0]
                plan.weeks[0].sessions[s], plan.weeks[0].sessions[0] = (
                    plan.weeks[0].sessions[0], session)
                _swap_in(plan, lib, "Barbell_Deadlift")
                return
    raise AssertionError("the example plan has no hinge")


def unknown(plan: Plan, lib: ExerciseLibrary) -> None:
    _first(plan).exercise_id = "Bench_Press_On_A_Unicorn"


def over_time(plan: Plan, lib: ExerciseLibrary) -> None:
    for item in plan.weeks[0].sessions[0].exercises:
        item.sets = 4
        item.rest_seconds = 90
    plan.weeks[0].sessions[0].exercises *= 2


def too_little_volume(plan: Plan, lib: ExerciseLibrary) -> None:
    for session in plan.weeks[1].sessions:
        session.exercises = session.exercises[:1]


def back_to_back(plan: Plan, lib: ExerciseLibrary) -> None:
    plan.weeks[0].sessions[2].day = plan.weeks[0].sessions[0].day + 1
    plan.weeks[0].sessions[1].day = 7


def deload_changes_exercises(plan: Plan, lib: ExerciseLibrary) -> None:
    plan.weeks[4].sessions[0].exercises.reverse()


def deload_keeps_all_sets(plan: Plan, lib: ExerciseLibrary) -> None:
    for a, b in zip(plan.weeks[3].sessions, plan.weeks[4].sessions, strict=True):
        for before, after in zip(a.exercises, b.exercises, strict=True):
            after.sets = before.sets


def no_deload(plan: Plan, lib: ExerciseLibrary) -> None:
    for week in plan.weeks:
        week.deload = False


def wrong_minutes(plan: Plan, lib: ExerciseLibrary) -> None:
    plan.weeks[0].sessions[0].estimated_minutes = 5


def wrong_summary(plan: Plan, lib: ExerciseLibrary) -> None:
    plan.weekly_sets_per_muscle["chest"] = 40


def missing_session(plan: Plan, lib: ExerciseLibrary) -> None:
    plan.weeks[2].sessions.pop()


BREAKERS = [reps_out_of_range, rest_out_of_range, rpe_too_high, percent_on_bodyweight,
            load_without_history, equipment_missing, injured_area, disliked, unknown, over_time,
            too_little_volume, back_to_back, deload_changes_exercises, deload_keeps_all_sets,
            no_deload, wrong_minutes, wrong_summary, missing_session]


@pytest.fixture()
def member(gym_profile: MemberProfile) -> MemberProfile:
    """The gym profile, now with a shoulder injury (the plan has no overhead work anyway)."""
    return gym_profile.model_copy(update={"injuries": [Injury(area="shoulder")]})


def test_the_example_plan_passes(gym_plan: Plan, member: MemberProfile,
                                 library: ExerciseLibrary, config: PlannerConfig) -> None:
    clean = [v for v in check_plan(gym_plan, member, library, config)
             if "shoulder" not in v.message]
    assert clean == []


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.__name__)
def test_each_broken_plan_is_caught(gym_plan: Plan, gym_profile: MemberProfile,
                                    member: MemberProfile, library: ExerciseLibrary,
                                    config: PlannerConfig, breaker: Breaker) -> None:
    profile = member if breaker is injured_area else gym_profile
    plan = gym_plan.model_copy(deep=True)
    assert check_plan(plan, profile, library, config) == [] or breaker is injured_area
    breaker(plan, library)
    assert check_plan(plan, profile, library, config), f"{breaker.__name__} went unnoticed"


@pytest.mark.parametrize("breaker", [reps_out_of_range, rest_out_of_range, rpe_too_high,
                                     equipment_missing, wrong_minutes,
                                     wrong_summary, percent_on_bodyweight],
                         ids=lambda b: b.__name__)
def test_safe_fixes_are_repaired_and_said(gym_plan: Plan, gym_profile: MemberProfile,
                                          library: ExerciseLibrary, config: PlannerConfig,
                                          breaker: Breaker) -> None:
    plan = gym_plan.model_copy(deep=True)
    breaker(plan, library)
    repaired = validate_and_repair(plan, gym_profile, library, config)
    assert check_plan(repaired, gym_profile, library, config) == []
    assert repaired.warnings[-1].startswith("validator repaired")


@pytest.mark.parametrize("breaker", [too_little_volume, back_to_back, deload_changes_exercises,
                                     missing_session, no_deload, unknown],
                         ids=lambda b: b.__name__)
def test_unrepairable_plans_are_rejected(gym_plan: Plan, gym_profile: MemberProfile,
                                         library: ExerciseLibrary, config: PlannerConfig,
                                         breaker: Breaker) -> None:
    plan = gym_plan.model_copy(deep=True)
    breaker(plan, library)
    with pytest.raises(PlanRejected) as info:
        validate_and_repair(plan, gym_profile, library, config)
    assert info.value.violations


def test_a_disliked_lift_is_swapped_within_its_pattern(gym_plan: Plan,
                                                        gym_profile: MemberProfile,
                                                        library: ExerciseLibrary,
                                                        config: PlannerConfig) -> None:
    plan = gym_plan.model_copy(deep=True)
    disliked(plan, library)
    try:
        repaired = validate_and_repair(plan, gym_profile, library, config)
    except PlanRejected as exc:  # a swap may cost volume; then the plan must be refused
        assert any("volume" in v or "frequency" in v or "deload" in v for v in exc.violations)
        return
    first = repaired.weeks[0].sessions[0].exercises[0]
    assert first.exercise_id != "Barbell_Deadlift"
    assert library.get(first.exercise_id).pattern == "hinge"


def test_plan_of_another_member_is_refused(gym_plan: Plan, gym_profile: MemberProfile,
                                           library: ExerciseLibrary,
                                           config: PlannerConfig) -> None:
    other = gym_profile.model_copy(update={"member_id": "someone-else"})
    assert [v.code for v in check_plan(gym_plan, other, library, config)] == ["member"]
