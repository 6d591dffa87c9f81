"""Live evidence -> a stated change to today's session, through the planner's own rules."""

from __future__ import annotations

import pytest

from planner.graph import Limits, find_alternative
from planner.models import Injury, Intensity, PlanItem, Session
from planner.readiness import MemberStatus
from planner.session_changes import (
    LiveEvidence,
    SessionSuggestion,
    fresh,
    planned_item,
    suggest_from_evidence,
)

READY = MemberStatus(readiness=80, fatigue="low", status="train")
TIRED = MemberStatus(readiness=50, fatigue="moderate", status="reduce")


def item(library, exercise_id: str, **dose) -> PlanItem:
    ex = library.get(exercise_id)
    return PlanItem(exercise_id=ex.id, name=ex.name, primary_muscles=list(ex.primary_muscles),
                    secondary_muscles=list(ex.secondary_muscles), equipment=ex.equipment,
                    sets=dose.get("sets", 3), reps=dose.get("reps", 8), rest_seconds=120,
                    intensity=dose.get("intensity", Intensity(load_kg=60.0)), reason="planned")


@pytest.fixture
def leg_day(library) -> Session:
    return Session(day=2, focus="lower", estimated_minutes=40, exercises=[
        item(library, "Romanian_Deadlift"), item(library, "Barbell_Squat"),
        item(library, "Barbell_Lunge", intensity=Intensity(rpe=7.0))])


def fault(exercise: str = "squat") -> LiveEvidence:
    return LiveEvidence(rule="repeated_form_fault", source="alert", ref="alert-1", at=1.0e9,
                        text=f"knees caving in 3 of the last 5 {exercise} reps",
                        numbers={"faulty_reps": 3, "window_reps": 5}, exercise=exercise)


@pytest.mark.parametrize(("camera", "expected"), [
    ("squat", "Barbell_Squat"), ("lunge", "Barbell_Lunge"), ("push-up", None),
    ("Squat", "Barbell_Squat"), ("deadlift-ish", None)])
def test_the_camera_exercise_finds_todays_item_by_pattern(library, leg_day, camera,
                                                          expected) -> None:
    found = planned_item(leg_day, camera, library)
    assert (found.exercise_id if found else None) == expected


def test_a_repeated_form_fault_regresses_the_planned_exercise_within_kit_and_injuries(
        library, gym_profile, leg_day) -> None:
    s = suggest_from_evidence(fault(), leg_day, READY, profile=gym_profile, library=library)
    assert s is not None and s.planned and s.exercise_id == "Barbell_Squat"
    expected = find_alternative("Barbell_Squat", "easier", library=library,
                                limits=Limits.of(gym_profile))
    assert expected is not None
    (mod,) = s.modifications
    assert (mod.kind, mod.replacement_id) == ("regress", expected.id)
    assert mod.reason.startswith("knees caving in 3 of the last 5 squat reps: poor form")
    assert s.headline == f"Regress Barbell Squat to {expected.name}"
    assert (s.key, s.group) == ("regress:Barbell_Squat|class", "regress:Barbell_Squat")
    assert s.evidence.numbers == {"faulty_reps": 3, "window_reps": 5}


def test_the_regression_respects_the_members_injuries(library, gym_profile, leg_day) -> None:
    hurt = gym_profile.model_copy(update={"injuries": [Injury(area="knee")]})
    s = suggest_from_evidence(fault(), leg_day, READY, profile=hurt, library=library)
    assert s is not None
    for mod in s.modifications:
        if mod.replacement_id:
            assert "knee" not in library.get(mod.replacement_id).contraindications


def test_an_unplanned_class_exercise_is_reasoned_about_as_the_class_does_it(
        library, gym_profile) -> None:
    in_class = Session(day=3, focus="conditioning", estimated_minutes=45, exercises=[],
                       in_class=True)
    s = suggest_from_evidence(fault("push-up"), in_class, READY, profile=gym_profile,
                              library=library)
    assert s is not None and not s.planned and s.exercise_id == "Pushups"
    assert s.modifications[0].kind in ("regress", "reduce_intensity")


def test_sustained_high_intensity_cuts_the_whole_session(library, gym_profile, config,
                                                         leg_day) -> None:
    evidence = LiveEvidence(rule="sustained_high", source="alert", ref="alert-9",
                            text="75 s at 92 % HRmax or more (peak 96 %)")
    s = suggest_from_evidence(evidence, leg_day, READY, profile=gym_profile, library=library)
    assert s is not None and s.exercise_id is None and s.group == "reduce:session"
    cut = config.live.fatigue_intensity_cut_percent
    assert [(m.kind, m.amount_percent) for m in s.modifications] == [
        ("reduce_intensity", cut),
        ("reduce_volume", float(round(100 * config.live.fatigue_volume_cut_fraction)))]
    assert s.key == "reduce:session|alert-9"
    assert all(m.reason.startswith("75 s at 92 % HRmax") for m in s.modifications)


def test_a_recover_check_in_halves_the_session(library, gym_profile, config, leg_day) -> None:
    status = MemberStatus(readiness=30, fatigue="high", status="recover")
    evidence = LiveEvidence(rule="readiness", source="check_in", ref="checkin-1",
                            text="this morning's check-in: readiness 30/100")
    s = suggest_from_evidence(evidence, leg_day, status, profile=gym_profile, library=library)
    assert s is not None
    cut = config.live.fatigue_intensity_cut_percent
    assert [(m.kind, m.amount_percent) for m in s.modifications] == [
        ("reduce_intensity", 2 * cut), ("reduce_volume", 50.0)]
    assert suggest_from_evidence(evidence, leg_day, READY, profile=gym_profile,
                                 library=library) is None


def beaten(reps: list[int], exercise: str = "squat") -> LiveEvidence:
    return LiveEvidence(rule="targets_beaten", source="insight", ref="sets", reps=reps,
                        text=f"sets of {', '.join(map(str, reps))} reps", exercise=exercise)


def test_targets_beaten_progress_the_load(library, gym_profile, config, leg_day) -> None:
    # target 8 reps; 11 and 10 beat it by 2 or more on every set (the 2-for-2 rule):
    # a lower-body compound lift steps by large_step_percent.
    s = suggest_from_evidence(beaten([11, 10]), leg_day, READY, profile=gym_profile,
                              library=library)
    assert s is not None and s.rule == "targets_beaten"
    (mod,) = s.modifications
    assert (mod.kind, mod.exercise_id, mod.amount_percent) == (
        "progress", "Barbell_Squat", config.adapt.large_step_percent)


@pytest.mark.parametrize(("reps", "status"), [
    ([9, 10], READY),      # 9 is only one over the target: not beaten
    ([12], READY),         # one set is not a pattern
    ([12, 12], TIRED),     # no progression on a day the check-in cut back
])
def test_no_progression_without_beaten_targets_on_a_good_day(library, gym_profile, leg_day,
                                                             reps, status) -> None:
    assert suggest_from_evidence(beaten(reps), leg_day, status, profile=gym_profile,
                                 library=library) is None


def test_an_rpe_dosed_item_progresses_to_a_harder_variant(library, gym_profile,
                                                          leg_day) -> None:
    s = suggest_from_evidence(beaten([11, 12], "lunge"), leg_day, READY, profile=gym_profile,
                              library=library)
    assert s is not None
    (mod,) = s.modifications
    harder = find_alternative("Barbell_Lunge", "harder", library=library,
                              limits=Limits.of(gym_profile))
    assert mod.replacement_id == (harder.id if harder else None)


def test_one_suggestion_per_episode_and_none_stacking_on_an_open_one(
        library, gym_profile, leg_day) -> None:
    first = suggest_from_evidence(fault(), leg_day, READY, profile=gym_profile,
                                  library=library)
    heat = suggest_from_evidence(LiveEvidence(rule="sustained_high", source="alert", ref="a2",
                                              text="hot"), leg_day, READY,
                                 profile=gym_profile, library=library)
    again = first.model_copy(update={"key": "regress:Barbell_Squat|other"})
    assert isinstance(first, SessionSuggestion) and heat is not None
    assert fresh([first, again, heat], set(), set()) == [first, heat]
    assert fresh([first, heat], {first.key}, set()) == [heat]
    assert fresh([first, heat], set(), {"reduce:session"}) == [first]
