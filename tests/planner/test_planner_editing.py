"""A coach's edits (the rule check judges them) and carrying logs into the next block."""

from __future__ import annotations

from datetime import date

import pytest

from planner.adapt import ExerciseLog, SetResult, carry_over
from planner.config import PlannerConfig
from planner.editing import ItemEdit, edit_plan
from planner.errors import PlannerError
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan
from planner.validation import check_plan


def first_item(plan: Plan) -> tuple[int, str]:
    session = plan.weeks[0].sessions[0]
    return session.day, session.exercises[0].exercise_id


def test_a_dose_change_within_the_guidance_passes_and_recomputes_minutes(
        gym_plan: Plan, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    day, _ = first_item(gym_plan)
    before = gym_plan.weeks[0].sessions[0]
    rest = before.exercises[0].rest_seconds - 10
    edited = edit_plan(gym_plan, [ItemEdit(week=1, day=day, index=0, rest_seconds=rest)],
                       library, config)
    after = edited.weeks[0].sessions[0]
    assert after.exercises[0].rest_seconds == rest
    assert after.estimated_minutes < before.estimated_minutes
    assert "coach" in after.exercises[0].reason
    assert not check_plan(edited, gym_profile, library, config)
    assert gym_plan.weeks[0].sessions[0].exercises[0].rest_seconds == rest + 10  # a copy


@pytest.mark.parametrize(("edit", "code"), [
    ({"reps": 40}, "item"),                       # outside the guidance row
    ({"exercise_id": "Barbell_Deadlift"}, "item"),  # on the member's disliked list
    ({"sets": 12}, "item"),
    ({"remove": True}, None),                     # may or may not still meet volume
])
def test_the_rule_check_judges_each_edit(gym_plan: Plan, gym_profile: MemberProfile,
                                         library: ExerciseLibrary, config: PlannerConfig,
                                         edit: dict[str, object], code: str | None) -> None:
    day, _ = first_item(gym_plan)
    edited = edit_plan(gym_plan, [ItemEdit(week=1, day=day, index=0, **edit)],  # type: ignore[arg-type]
                       library, config)
    found = check_plan(edited, gym_profile, library, config)
    if code is None:
        assert edited.weeks[0].sessions[0].exercises[0] != gym_plan.weeks[0].sessions[0] \
            .exercises[0]
    else:
        assert any(v.code == code and v.week == 1 for v in found), found


def test_all_weeks_swaps_the_exercise_everywhere_it_stood(
        gym_plan: Plan, library: ExerciseLibrary, config: PlannerConfig) -> None:
    day, ex_id = first_item(gym_plan)
    alt = next(a for a in library.get(ex_id).regressions if a in library)
    edited = edit_plan(gym_plan, [ItemEdit(week=1, day=day, index=0, exercise_id=alt,
                                           all_weeks=True)], library, config)
    placed = [s.exercises[0].exercise_id for w in edited.weeks for s in w.sessions
              if s.day == day]
    assert set(placed) == {alt}
    assert edited.weeks[0].sessions[0].exercises[0].name == library.get(alt).name


@pytest.mark.parametrize("edit", [{"week": 30, "day": 1, "index": 0, "sets": 3},
                                  {"week": 1, "day": 1, "index": 25, "sets": 3},
                                  {"week": 1, "day": 1, "index": 0, "exercise_id": "Nope"}])
def test_an_edit_that_points_at_nothing_is_an_error(gym_plan: Plan, library: ExerciseLibrary,
                                                     config: PlannerConfig,
                                                     edit: dict[str, object]) -> None:
    with pytest.raises(PlannerError):
        edit_plan(gym_plan, [ItemEdit(**edit)], library, config)  # type: ignore[arg-type]


def test_an_empty_edit_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one field"):
        ItemEdit(week=1, day=1, index=0)


def test_carry_over_progresses_the_next_block_and_keeps_it_sound(
        gym_plan: Plan, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    session = gym_plan.weeks[0].sessions[0]
    loaded = next(i for i in session.exercises if i.intensity.load_kg and i.reps)
    logs = [ExerciseLog(exercise_id=loaded.exercise_id, sets=[
        SetResult(reps=loaded.reps + 3, load_kg=loaded.intensity.load_kg, rpe=7)
        for _ in range(loaded.sets)])]
    nxt, profile, adjustments = carry_over(gym_plan, [(1, session.day, date(2025, 3, 10),
                                                       logs)], gym_plan, profile=gym_profile,
                                           library=library, config=config)
    assert [a.action for a in adjustments] == ["progress_load"]
    assert len(profile.training_history) == len(gym_profile.training_history) + loaded.sets
    old = [i.intensity.load_kg for w in gym_plan.weeks for s in w.sessions
           for i in s.exercises if i.exercise_id == loaded.exercise_id]
    new = [i.intensity.load_kg for w in nxt.weeks for s in w.sessions
           for i in s.exercises if i.exercise_id == loaded.exercise_id]
    assert all(b >= a for a, b in zip(old, new, strict=True)) and new != old
    assert not check_plan(nxt, profile, library, config)


def _where(plan: Plan, exercise_id: str) -> tuple[int, int, int]:
    for w in plan.weeks:
        for s in w.sessions:
            for i, item in enumerate(s.exercises):
                if item.exercise_id == exercise_id and not w.deload:
                    return w.week, s.day, i
    raise AssertionError(f"{exercise_id} is not in the plan")


def test_swapping_to_an_offered_variant_without_history_saves_with_an_rpe_target(
        gym_plan: Plan, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    """Issue 17: Barbell Bench Press (loaded from history) -> Dumbbell Bench Press, which
    has no logged sets, failed with 'a load in kg without logged sets'."""
    from planner.graph import Limits, swap_options

    week, day, index = _where(gym_plan, "Barbell_Bench_Press_-_Medium_Grip")
    item = next(s for s in gym_plan.weeks[week - 1].sessions if s.day == day).exercises[index]
    assert item.intensity.load_kg is not None
    offered = {alt.id for alt, _ in swap_options(library.get(item.exercise_id), library,
                                                 Limits.of(gym_profile))}
    assert "Dumbbell_Bench_Press" in offered
    change = ItemEdit(week=week, day=day, index=index, exercise_id="Dumbbell_Bench_Press",
                      all_weeks=True)
    edited = edit_plan(gym_plan, [change], library, config, gym_profile)
    assert check_plan(edited, gym_profile, library, config) == []
    swapped = next(s for s in edited.weeks[week - 1].sessions if s.day == day).exercises[index]
    assert swapped.intensity.rpe is not None and swapped.intensity.load_kg is None
    assert "no logged sets of Dumbbell Bench Press" in swapped.reason
    assert "RPE" in swapped.reason
    # without the profile the edit is taken literally, and the check says why it fails
    literal = edit_plan(gym_plan, [change], library, config)
    problems = [str(v) for v in check_plan(literal, gym_profile, library, config)]
    name = library.get("Dumbbell_Bench_Press").name
    assert any(p.startswith(f"week {week}, ") and f"exercise {index + 1} ({name})" in p
               and "without logged sets" in p for p in problems), problems


def test_percent_members_get_a_percent_target_on_a_swap(
        gym_plan: Plan, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    member = gym_profile.model_copy(update={"preferences": gym_profile.preferences.model_copy(
        update={"intensity_mode": "percent_1rm"})})
    week, day, index = _where(gym_plan, "Barbell_Bench_Press_-_Medium_Grip")
    edited = edit_plan(gym_plan, [ItemEdit(week=week, day=day, index=index,
                                           exercise_id="Dumbbell_Bench_Press")],
                       library, config, member)
    swapped = next(s for s in edited.weeks[week - 1].sessions if s.day == day).exercises[index]
    assert swapped.intensity.percent_1rm is not None and "% 1RM" in swapped.reason
    assert not [v for v in check_plan(edited, member, library, config) if v.code == "item"]
