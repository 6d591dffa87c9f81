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
