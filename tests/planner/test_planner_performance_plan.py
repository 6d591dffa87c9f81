"""A plan answers the performance summary: an earlier deload, a regressed exercise, each
stated with the summary's numbers and each still passing the rule check."""

from __future__ import annotations

from datetime import date, timedelta

from planner.performance import (
    CameraSet,
    ClassResult,
    FeedbackRecord,
    SetRecord,
    performance_summary,
)
from planner.performance_plan import apply_performance, bring_deload_forward
from planner.validation import MIN_LOADING_RUN, check_plan

TODAY = date(2025, 3, 30)
START = date(2025, 3, 3)


def overreaching(squat_faults: int = 0) -> list[ClassResult]:
    """Load 100 -> 160 a week while recovery falls 30 -> 21 bpm."""
    return [ClassResult(class_session_id=f"c{k}", on=START + timedelta(7 * k),
                        effort_points=100 + 20 * k, trimp=50, recovery_bpm_60s=30 - 3 * k,
                        sets=[CameraSet(exercise="squat", reps=10, faulty=squat_faults)])
            for k in range(4)]


def test_rising_load_and_worsening_recovery_bring_the_deload_forward(
        gym_plan, gym_profile, library, config) -> None:
    assert [w.week for w in gym_plan.weeks if w.deload][0] == 5   # intermediate: every 5
    summary = performance_summary("gym-1", today=TODAY, weeks=4, classes=overreaching())
    plan, changes = apply_performance(gym_plan, summary, profile=gym_profile, library=library,
                                      config=config)
    (change,) = changes
    assert change.applied and change.signal == "deload_early"
    assert change.note.startswith(f"deload brought forward to week {MIN_LOADING_RUN + 1} "
                                  "(was week 5)")
    assert "+15.4 % a week" in change.note and "-3 bpm a week" in change.note
    deloads = [w.week for w in plan.weeks if w.deload]
    assert deloads[0] == MIN_LOADING_RUN + 1 and len(plan.weeks) == len(gym_plan.weeks)
    assert not check_plan(plan, gym_profile, library, config)
    week3, week4 = plan.weeks[2], plan.weeks[3]
    for before, after in zip(week3.sessions[0].exercises, week4.sessions[0].exercises,
                             strict=True):
        assert after.exercise_id == before.exercise_id and after.sets < before.sets \
            or before.sets == 1
        assert "Deload brought forward" in after.reason
    # the loading weeks keep their order: old week 4 is now week 5
    assert [s.model_dump() for s in plan.weeks[4].sessions] == \
        [s.model_dump() for s in gym_plan.weeks[3].sessions]


def test_a_deload_that_is_already_as_early_as_allowed_stays(gym_plan, gym_profile,
                                                            config) -> None:
    plan, note = bring_deload_forward(gym_plan, 5, gym_profile, config, "why")
    assert plan is gym_plan
    assert note.startswith("deload stays in week 5")


def test_a_camera_fault_habit_regresses_the_squat_pattern(gym_plan, gym_profile, library,
                                                         config) -> None:
    summary = performance_summary("gym-1", today=TODAY, weeks=4, classes=[
        ClassResult(class_session_id="c1", on=START, sets=[
            CameraSet(exercise="squat", reps=12, faulty=5)])])
    assert [s.kind for s in summary.signals] == ["regress"]
    plan, changes = apply_performance(gym_plan, summary, profile=gym_profile, library=library,
                                      config=config)
    (change,) = changes
    assert change.signal == "regress:squat"
    assert "5 of 12 squat reps on camera had a form fault (42 %" in change.note
    assert not check_plan(plan, gym_profile, library, config)
    before = {i.exercise_id for w in gym_plan.weeks for s in w.sessions for i in s.exercises
              if library.get(i.exercise_id).pattern == "squat"}
    after = {i.exercise_id for w in plan.weeks for s in w.sessions for i in s.exercises
             if library.get(i.exercise_id).pattern == "squat"}
    if change.applied:
        assert after != before
        changed = [i for w in plan.weeks for s in w.sessions for i in s.exercises
                   if "regressed until it is clean" in i.reason]
        assert changed and all(library.get(i.exercise_id).difficulty <
                               max(library.get(b).difficulty for b in before) for i in changed)
    else:
        assert after == before and "no easier variant" in change.note


def test_a_logged_exercise_flagged_on_two_days_is_regressed_from_the_given_week(
        gym_plan, gym_profile, library, config) -> None:
    bench = "Barbell_Bench_Press_-_Medium_Grip"
    sets = [SetRecord(exercise_id=bench, on=START + timedelta(d), reps=8, load_kg=40,
                      poor_form=True) for d in (0, 3)]
    summary = performance_summary("gym-1", today=TODAY, weeks=4, sets=sets)
    plan, changes = apply_performance(gym_plan, summary, profile=gym_profile, library=library,
                                      config=config, from_week=3)
    (change,) = changes
    assert change.applied, change.note
    ids = [[i.exercise_id for s in w.sessions for i in s.exercises] for w in plan.weeks]
    assert all(bench in week for week in ids[:2])
    assert not any(bench in week for week in ids[2:])
    assert not check_plan(plan, gym_profile, library, config)


def test_signals_acted_on_before_are_skipped(gym_plan, gym_profile, library, config) -> None:
    summary = performance_summary("gym-1", today=TODAY, weeks=4, classes=overreaching())
    plan, changes = apply_performance(gym_plan, summary, profile=gym_profile, library=library,
                                      config=config, skip=["deload_early"])
    assert plan is gym_plan and changes == []


def test_workouts_rated_hard_make_later_loading_weeks_one_step_lighter(
        gym_plan, gym_profile, library, config) -> None:
    feedback = [FeedbackRecord(on=START + timedelta(d), rating=2) for d in (0, 2, 4)]
    summary = performance_summary("gym-1", today=TODAY, weeks=4, feedback=feedback)
    plan, changes = apply_performance(gym_plan, summary, profile=gym_profile, library=library,
                                      config=config, from_week=2)
    (change,) = changes
    assert change.signal == "ease_intensity" and change.applied, change.note
    drop = config.periodization.deload_percent_drop / 2
    lighter = 0
    for before, after in zip(gym_plan.weeks, plan.weeks, strict=True):
        for bs, as_ in zip(before.sessions, after.sessions, strict=True):
            for b, a in zip(bs.exercises, as_.exercises, strict=True):
                assert a.sets == b.sets  # the volume stays
                eased = after.week >= 2 and not after.deload and not bs.in_class
                if not eased:
                    assert a.intensity == b.intensity
                    continue
                # one step lighter, or as light as the guidance allows (repair's floor)
                if b.intensity.rpe is not None:
                    assert a.intensity.rpe in (b.intensity.rpe - 1, b.intensity.rpe)
                elif b.intensity.percent_1rm is not None:
                    assert b.intensity.percent_1rm - drop <= a.intensity.percent_1rm \
                        <= b.intensity.percent_1rm
                elif b.intensity.load_kg is not None:
                    assert a.intensity.load_kg <= b.intensity.load_kg
                noted = "Lighter: 3 of 3 rated workouts were 'hard going'" in a.reason
                assert noted == (a.intensity != b.intensity)  # the reason tells the truth
                lighter += noted
    assert lighter > 0
    assert not check_plan(plan, gym_profile, library, config)
