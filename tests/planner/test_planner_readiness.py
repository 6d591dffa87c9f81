"""Readiness check-in -> member status -> stated changes to today's session."""

from __future__ import annotations

import pytest

from planner.config import PlannerConfig
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan, Session
from planner.readiness import (
    LiveFeedback,
    ReadinessCheckIn,
    apply_modifications,
    member_status,
    suggest_session_modifications,
)


@pytest.mark.parametrize(("answers", "readiness", "status", "fatigue"), [
    ((5, 5, 1, 1, 1), 100.0, "train", "low"),
    ((1, 1, 5, 5, 1), 20.0, "recover", "high"),
    ((3, 3, 3, 3, 1), 60.0, "train", "low"),
    ((3, 2, 4, 3, 1), 50.0, "reduce", "moderate"),
    ((4, 4, 2, 2, 5), 60.0, "recover", "low"),        # severe pain, no area named
])
def test_member_status(config: PlannerConfig, answers: tuple[int, ...], readiness: float,
                       status: str, fatigue: str) -> None:
    sleep, energy, stress, soreness, pain = answers
    got = member_status(ReadinessCheckIn(sleep=sleep, energy=energy, stress=stress,
                                         soreness=soreness, pain=pain), config)
    assert (got.readiness, got.status, got.fatigue) == (readiness, status, fatigue)


def test_check_in_rejects_out_of_scale_answers() -> None:
    with pytest.raises(ValueError):
        ReadinessCheckIn(sleep=0, energy=3, stress=3, soreness=3, pain=1)


@pytest.fixture()
def today(gym_plan: Plan) -> Session:
    return gym_plan.weeks[0].sessions[0]


def fresh(config: PlannerConfig):  # type: ignore[no-untyped-def]
    return member_status(ReadinessCheckIn(sleep=5, energy=5, stress=1, soreness=1, pain=1),
                         config)


def test_hr_alerts_cut_intensity_and_volume_by_stated_amounts(
        today: Session, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    mods = suggest_session_modifications(fresh(config), today, LiveFeedback(hr_alerts=2),
                                         profile=gym_profile, library=library, config=config)
    kinds = {m.kind: m for m in mods}
    assert kinds["reduce_intensity"].amount_percent == 10
    assert kinds["reduce_volume"].amount_percent == 33
    changed = apply_modifications(today, mods, library, config)
    assert sum(i.sets for i in changed.exercises) < sum(i.sets for i in today.exercises)
    assert changed.estimated_minutes < today.estimated_minutes
    for before, after in zip(today.exercises, changed.exercises, strict=True):
        if before.intensity.load_kg:
            assert after.intensity.load_kg < before.intensity.load_kg
        if before.intensity.rpe:
            assert after.intensity.rpe < before.intensity.rpe


def test_poor_form_regresses_and_missing_kit_substitutes(
        today: Session, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    first, second = today.exercises[0], today.exercises[1]
    missing = library.get(second.exercise_id).equipment
    feedback = LiveFeedback(poor_form=[first.exercise_id], missing_equipment=[missing])
    mods = suggest_session_modifications(fresh(config), today, feedback, profile=gym_profile,
                                         library=library, config=config)
    by_ex = {m.exercise_id: m for m in mods}
    regress = by_ex[first.exercise_id]
    assert regress.kind in ("regress", "reduce_intensity")
    swap = by_ex[second.exercise_id]
    assert swap.kind in ("substitute", "skip")
    if swap.replacement_id:
        assert library.get(swap.replacement_id).equipment != missing
    changed = apply_modifications(today, mods, library, config)
    assert second.exercise_id not in [i.exercise_id for i in changed.exercises]


def test_easy_sets_progress_unless_the_member_is_tired(
        today: Session, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    target = today.exercises[0]
    feedback = LiveFeedback(easy_sets={target.exercise_id: 5.0})
    mods = suggest_session_modifications(fresh(config), today, feedback, profile=gym_profile,
                                         library=library, config=config)
    assert [m.kind for m in mods] == ["progress"]
    tired = member_status(ReadinessCheckIn(sleep=1, energy=2, stress=4, soreness=4, pain=1),
                          config)
    mods = suggest_session_modifications(tired, today, feedback, profile=gym_profile,
                                         library=library, config=config)
    assert "progress" not in [m.kind for m in mods]


def test_pain_area_from_check_in_swaps_loaded_exercises(
        gym_plan: Plan, gym_profile: MemberProfile, library: ExerciseLibrary,
        config: PlannerConfig) -> None:
    lower = next(s for s in gym_plan.weeks[0].sessions if s.focus == "lower")
    status = member_status(ReadinessCheckIn(sleep=4, energy=4, stress=2, soreness=2, pain=3,
                                            pain_areas=["lower_back"]), config)
    mods = suggest_session_modifications(status, lower, LiveFeedback(), profile=gym_profile,
                                         library=library, config=config)
    touched = {m.exercise_id for m in mods if m.kind in ("substitute", "skip")}
    loaded = {i.exercise_id for i in lower.exercises
              if "lower_back" in library.get(i.exercise_id).contraindications}
    assert loaded and touched == loaded
    for m in mods:
        if m.replacement_id:
            assert "lower_back" not in library.get(m.replacement_id).contraindications
