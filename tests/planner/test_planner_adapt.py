"""Adaptation rules after logged sessions, and the adapted plan still passing the check."""

from __future__ import annotations

import pytest

from planner.adapt import ExerciseLog, SetResult, adapt_plan, assess
from planner.config import PlannerConfig
from planner.library import ExerciseLibrary
from planner.models import Intensity, MemberProfile, Plan, PlanItem
from planner.validation import check_plan


def item(ex_id: str, library: ExerciseLibrary, *, sets: int = 3, reps: int = 8,
         intensity: Intensity | None = None) -> PlanItem:
    ex = library.get(ex_id)
    return PlanItem(exercise_id=ex.id, name=ex.name, primary_muscles=list(ex.primary_muscles),
                    secondary_muscles=list(ex.secondary_muscles), equipment=ex.equipment,
                    sets=sets, reps=reps, rest_seconds=90,
                    intensity=intensity or Intensity(load_kg=100), reason="test")


def log(ex_id: str, reps: list[int], load: float | None = 100, rpe: float | None = None,
        **flags: bool) -> ExerciseLog:
    return ExerciseLog(exercise_id=ex_id, sets=[SetResult(reps=r, load_kg=load, rpe=rpe)
                                                for r in reps], **flags)


@pytest.mark.parametrize(("ex_id", "reps", "rpe", "action", "lo", "hi"), [
    ("Barbell_Squat", [10, 10, 10], None, "progress_load", 5.0, 10.0),   # lower body: bigger
    ("Barbell_Bench_Press_-_Medium_Grip", [10, 10, 10], None, "progress_load", 2.0, 5.0),
    ("Barbell_Squat", [14, 14, 14], None, "progress_load", 10.0, 10.0),  # capped at 10 %
    ("Barbell_Squat", [8, 8, 8], 6.0, "progress_load", 5.0, 10.0),      # same reps, far easier
    ("Barbell_Squat", [8, 8, 8], 8.0, "hold", None, None),              # met, not beaten
    ("Barbell_Squat", [8, 8, 7], None, "hold", None, None),             # one set short
    ("Barbell_Squat", [8, 8, 8], 9.5, "hold", None, None),              # too hard
    ("Barbell_Squat", [6, 5, 8], None, "reduce_load", -5.0, -5.0),      # most sets short
    ("Barbell_Squat", [8], None, "reduce_load", -5.0, -5.0),            # sets not done
])
def test_progress_hold_reduce(library: ExerciseLibrary, gym_profile: MemberProfile,
                              config: PlannerConfig, ex_id: str, reps: list[int],
                              rpe: float | None, action: str, lo: float | None,
                              hi: float | None) -> None:
    planned = item(ex_id, library, intensity=Intensity(rpe=8) if rpe else None)
    adj = assess(planned, log(ex_id, reps, rpe=rpe), gym_profile, library, config)
    assert adj.action == action, adj.reason
    if lo is not None:
        assert lo <= adj.change_percent <= hi
        direction = 1 if action == "progress_load" else -1
        assert (adj.new_load_kg - 100) * direction > 0


def test_bodyweight_work_progresses_reps(library: ExerciseLibrary, gym_profile: MemberProfile,
                                         config: PlannerConfig) -> None:
    planned = item("Pushups", library, intensity=Intensity(rpe=8))
    adj = assess(planned, log("Pushups", [11, 10, 10], load=None), gym_profile, library, config)
    assert adj.action == "progress_reps" and adj.new_reps == 9


@pytest.mark.parametrize("flag", ["pain", "poor_form"])
def test_pain_or_poor_form_regresses_within_the_members_limits(
        library: ExerciseLibrary, gym_profile: MemberProfile, config: PlannerConfig,
        flag: str) -> None:
    planned = item("Barbell_Squat", library)
    adj = assess(planned, log("Barbell_Squat", [8, 8, 8], **{flag: True}), gym_profile,
                 library, config)
    assert adj.action == "regress" and adj.replacement_id
    alt, squat = library.get(adj.replacement_id), library.get("Barbell_Squat")
    assert alt.id in squat.regressions or alt.difficulty < squat.difficulty  # curated or rule
    assert alt.equipment in gym_profile.available_equipment


def test_no_regression_available_cuts_the_load(library: ExerciseLibrary,
                                               gym_profile: MemberProfile,
                                               config: PlannerConfig) -> None:
    bare = gym_profile.model_copy(update={"equipment": ["barbell"]})
    planned = item("Barbell_Squat", library)
    adj = assess(planned, log("Barbell_Squat", [8, 8, 8], poor_form=True), bare, library, config)
    if adj.action == "regress":   # a body-only squat is a fine regression too
        assert library.get(adj.replacement_id).equipment in ("barbell", "body only")
    else:
        assert adj.action == "reduce_load" and adj.change_percent < 0


def test_adapting_the_plan_moves_later_loads_only(gym_plan: Plan, gym_profile: MemberProfile,
                                                  library: ExerciseLibrary,
                                                  config: PlannerConfig) -> None:
    session = gym_plan.weeks[0].sessions[1]
    loaded = next(i for i in session.exercises if i.intensity.load_kg)
    beaten = log(loaded.exercise_id, [loaded.reps + 3] * loaded.sets,
                 load=loaded.intensity.load_kg)
    adapted, profile, adjustments = adapt_plan(gym_plan, [beaten], week=1,
                                               day=session.day, profile=gym_profile,
                                               library=library, config=config)
    assert [a.action for a in adjustments] == ["progress_load"]
    assert len(profile.training_history) == len(gym_profile.training_history) + loaded.sets
    assert check_plan(adapted, profile, library, config) == []

    def loads(plan: Plan, week: int, until_day: int = 7) -> list[float]:
        return [i.intensity.load_kg for s in plan.weeks[week - 1].sessions if s.day <= until_day
                for i in s.exercises
                if i.exercise_id == loaded.exercise_id and i.intensity.load_kg]

    assert loads(adapted, 1, session.day) == loads(gym_plan, 1, session.day)  # the past stays
    assert sum(loads(adapted, 3)) > sum(loads(gym_plan, 3))                   # the future moves


def test_pain_swaps_the_exercise_in_later_sessions(gym_plan: Plan, gym_profile: MemberProfile,
                                                   library: ExerciseLibrary,
                                                   config: PlannerConfig) -> None:
    session = gym_plan.weeks[0].sessions[0]
    first = session.exercises[0]
    adapted, _, adjustments = adapt_plan(gym_plan, [log(first.exercise_id, [8, 8], pain=True)],
                                         week=1, day=session.day, profile=gym_profile,
                                         library=library, config=config)
    assert adjustments[0].action in ("regress", "reduce_load")
    if adjustments[0].action == "regress":
        later = [i.exercise_id for w in adapted.weeks[1:] for s in w.sessions for i in s.exercises]
        assert first.exercise_id not in later and adjustments[0].replacement_id in later
