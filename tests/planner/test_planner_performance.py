"""The performance summary, checked against numbers worked out by hand in each test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planner.performance import (
    CameraSet,
    CheckInRecord,
    ClassResult,
    FeedbackRecord,
    SetRecord,
    performance_summary,
    session_dates,
    slope,
)

TODAY = date(2025, 3, 30)  # a Sunday; four weeks back starts Monday 3 March
START = date(2025, 3, 3)


def cls(day: date, effort: float | None = None, trimp: float | None = None,
        recovery: float | None = None, sets: list[CameraSet] | None = None) -> ClassResult:
    return ClassResult(class_session_id=f"c-{day}", on=day, effort_points=effort, trimp=trimp,
                       recovery_bpm_60s=recovery, sets=sets or [])


@pytest.mark.parametrize(("xs", "ys", "expected"), [
    ([0, 1, 2, 3], [100, 120, 140, 160], 20.0),      # a straight line
    ([0, 1, 2], [10, 10, 10], 0.0),
    ([0, 1, 2, 3], [100, 140, 120, 160], 16.0),      # sxy 80 / sxx 5
    ([0, 0], [1, 2], None),                          # one x: no slope
    ([3], [1], None),
])
def test_slope_is_least_squares(xs, ys, expected) -> None:
    assert slope(xs, ys) == (pytest.approx(expected) if expected is not None else None)


def test_the_window_is_the_weeks_ending_today() -> None:
    s = performance_summary("m1", today=TODAY, weeks=4)
    assert (s.start, s.end) == (START, TODAY)
    assert [(w.start, w.end) for w in s.load.weeks] == [
        (date(2025, 3, 3), date(2025, 3, 9)), (date(2025, 3, 10), date(2025, 3, 16)),
        (date(2025, 3, 17), date(2025, 3, 23)), (date(2025, 3, 24), date(2025, 3, 30))]


def test_rising_load_with_worsening_recovery_brings_the_deload_forward() -> None:
    # Weekly effort points 100, 120, 140, 160 (two classes in the last week: 70 + 90):
    # slope 20 a week on a mean of 130 -> +15.4 % a week, over the 10 % line: rising.
    # TRIMP 50, 55, 60, 65: slope 5 on a mean of 57.5 -> +8.7 %.
    # Recovery 30, 27, 25, 21 bpm on days 0, 7, 14, 21 (x in days, mean 10.5):
    # sxy = -10.5*4.25 - 3.5*1.25 + 3.5*-0.75 + 10.5*-4.75 = -101.5, sxx = 245,
    # slope -0.4143 bpm a day = -2.9 bpm a week, past the -1 line: worsening.
    classes = [cls(START, 100, 50, 30), cls(START + timedelta(7), 120, 55, 27),
               cls(START + timedelta(14), 140, 60, 25),
               cls(START + timedelta(21), 70, 30, 21), cls(START + timedelta(23), 90, 35)]
    s = performance_summary("m1", today=TODAY, weeks=4, classes=classes)
    assert [w.effort_points for w in s.load.weeks] == [100, 120, 140, 160]
    assert [w.classes for w in s.load.weeks] == [1, 1, 1, 2]
    assert s.load.effort_points_slope == 20.0
    assert s.load.effort_points_change_percent == 15.4
    assert s.load.trimp_slope == 5.0
    assert s.load.trimp_change_percent == 8.7
    assert s.load.direction == "rising"
    assert s.recovery.slope_bpm_per_week == -2.9
    assert s.recovery.mean_bpm == 25.8   # (30 + 27 + 25 + 21) / 4 = 25.75
    assert s.recovery.direction == "worsening"
    deload = [x for x in s.signals if x.kind == "deload_early"]
    assert len(deload) == 1
    assert "+15.4 %" in deload[0].text and "-2.9 bpm" in deload[0].text


def test_rising_load_with_steady_recovery_is_no_reason_to_deload() -> None:
    classes = [cls(START + timedelta(7 * k), 100 + 20 * k, 50, 25) for k in range(4)]
    s = performance_summary("m1", today=TODAY, weeks=4, classes=classes)
    assert s.load.direction == "rising"
    assert s.recovery.direction == "steady" and s.recovery.slope_bpm_per_week == 0.0
    assert not s.signals


def test_weeks_before_the_first_class_are_not_zero_load_weeks() -> None:
    # Classes only in the last three weeks: 90, 90, 90 -> steady, not "rising from 0".
    classes = [cls(START + timedelta(7 * k), 90, 40) for k in (1, 2, 3)]
    s = performance_summary("m1", today=TODAY, weeks=4, classes=classes)
    assert s.load.effort_points_slope == 0.0
    assert s.load.direction == "steady"


def test_too_few_weeks_or_recoveries_give_no_trend() -> None:
    classes = [cls(START + timedelta(21), 90, 40, 25), cls(START + timedelta(22), 95, 41, 24)]
    s = performance_summary("m1", today=TODAY, weeks=4, classes=classes)
    assert s.load.direction == "unknown" and s.load.effort_points_slope is None
    assert s.recovery.direction == "unknown" and "needs 3" in s.recovery.text


def test_records_outside_the_window_are_ignored() -> None:
    old = cls(START - timedelta(days=1), 500, 300, 10)
    s = performance_summary("m1", today=TODAY, weeks=4, classes=[old],
                            check_ins=[CheckInRecord(on=START - timedelta(days=1), readiness=20)])
    assert sum(w.effort_points for w in s.load.weeks) == 0
    assert s.recovery.points == [] and s.readiness.check_ins == 0


def test_camera_fault_rate_per_exercise_and_the_regression_it_asks_for() -> None:
    # squat: 10 + 8 + 6 = 24 reps, 3 + 4 + 2 = 9 faulty -> 0.375, over 0.25: regress.
    # push-up: 12 reps, 1 faulty -> 0.083. lunge: 8 reps, 4 faulty, but under 10 reps.
    classes = [
        cls(START, sets=[CameraSet(exercise="squat", reps=10, faulty=3),
                         CameraSet(exercise="push-up", reps=12, faulty=1)]),
        cls(START + timedelta(9), sets=[CameraSet(exercise="squat", reps=8, faulty=4),
                                        CameraSet(exercise="squat", reps=6, faulty=2),
                                        CameraSet(exercise="lunge", reps=8, faulty=4)]),
    ]
    s = performance_summary("m1", today=TODAY, weeks=4, classes=classes)
    by = {(e.source, e.exercise): e for e in s.exercises}
    squat = by[("camera", "squat")]
    assert (squat.sets, squat.reps, squat.faulty_reps, squat.fault_rate) == (3, 24, 9, 0.375)
    assert by[("camera", "push-up")].fault_rate == 0.083
    assert by[("camera", "lunge")].fault_rate == 0.5
    regress = [x for x in s.signals if x.kind == "regress"]
    assert [(x.exercise, x.source) for x in regress] == [("squat", "camera")]
    assert "9 of 24 squat reps" in regress[0].text and "38 %" in regress[0].text


def test_logged_sets_per_exercise_flagged_on_two_days_regress() -> None:
    sets = [
        SetRecord(exercise_id="Barbell_Squat", on=START, reps=8, load_kg=60, poor_form=True),
        SetRecord(exercise_id="Barbell_Squat", on=START, reps=8, load_kg=60),
        SetRecord(exercise_id="Barbell_Squat", on=START + timedelta(7), reps=6, load_kg=62.5,
                  pain=True),
        SetRecord(exercise_id="Pushups", on=START, reps=15, poor_form=True),
        SetRecord(exercise_id="Pushups", on=START, reps=12, poor_form=True),
    ]
    s = performance_summary("m1", today=TODAY, weeks=4, sets=sets)
    by = {e.exercise: e for e in s.exercises}
    squat = by["Barbell_Squat"]
    assert (squat.sets, squat.reps, squat.flagged_sets, squat.flagged_days) == (3, 22, 2, 2)
    assert squat.fault_rate == 0.667 and squat.top_load_kg == 62.5
    assert (by["Pushups"].flagged_sets, by["Pushups"].flagged_days) == (2, 1)
    assert [x.exercise for x in s.signals if x.kind == "regress"] == ["Barbell_Squat"]


def test_adherence_counts_sessions_due_in_the_window() -> None:
    # Plan approved Monday 3 March; sessions Mon (1) and Thu (4), in class on Thu.
    planned = session_dates([(1, [(1, False), (4, True)]), (2, [(1, False), (4, True)]),
                             (5, [(1, False), (4, True)])], START)
    assert [p.on for p in planned][:4] == [date(2025, 3, 3), date(2025, 3, 6),
                                           date(2025, 3, 10), date(2025, 3, 13)]
    assert planned[-1].on == date(2025, 4, 3)  # week 5 lies after today: not due yet
    sets = [SetRecord(exercise_id="Pushups", on=date(2025, 3, 3), reps=10, week=1, day=1)]
    classes = [cls(date(2025, 3, 13), 80)]       # the week 2 studio class
    s = performance_summary("m1", today=TODAY, weeks=4, sets=sets, classes=classes,
                            planned=planned)
    # Due in the window: weeks 1 and 2 (4 sessions); done: 1-1 (logged), 2-4 (class).
    assert (s.adherence.planned, s.adherence.done, s.adherence.percent) == (4, 2, 50.0)
    assert s.adherence.missed == ["1-4", "2-1"]


def test_session_dates_follow_the_member_page_week_count() -> None:
    # Approved on a Wednesday: week 1 runs Wed-Tue, so its Monday is the 8th.
    planned = session_dates([(1, [(1, False), (3, False)]), (2, [(1, False)])],
                            date(2025, 3, 5))
    assert [(p.week, p.day, p.on) for p in planned] == [
        (1, 3, date(2025, 3, 5)), (1, 1, date(2025, 3, 10)), (2, 1, date(2025, 3, 17))]


def test_readiness_and_feedback() -> None:
    check_ins = [CheckInRecord(on=START, readiness=70), CheckInRecord(on=TODAY, readiness=45),
                 CheckInRecord(on=START + timedelta(3), readiness=80)]
    feedback = [FeedbackRecord(on=START, rating=2, commented=True),
                FeedbackRecord(on=START + timedelta(4), rating=4),
                FeedbackRecord(on=START + timedelta(8), rating=5, commented=True),
                FeedbackRecord(on=START + timedelta(9), rating=None, commented=True)]
    s = performance_summary("m1", today=TODAY, weeks=4, check_ins=check_ins, feedback=feedback)
    assert (s.readiness.check_ins, s.readiness.mean, s.readiness.latest) == (3, 65.0, 45.0)
    assert (s.feedback.ratings, s.feedback.mean_rating, s.feedback.low_ratings,
            s.feedback.comments) == (3, 3.67, 1, 3)


def test_a_window_outside_one_to_52_weeks_is_refused() -> None:
    with pytest.raises(ValueError, match="weeks must be 1-52"):
        performance_summary("m1", today=TODAY, weeks=0)


def test_many_hard_workouts_ask_for_less_volume_and_the_coach_reads_the_notes() -> None:
    # 5 rated: 2, 1, 2, 4, 2 -> 4 rated 1-2 (>= 3, and 80 % >= 50 %); one unrated comment
    feedback = [FeedbackRecord(on=START + timedelta(d), rating=r, commented=c is not None,
                               comment=c, session=f"1-{d % 7 + 1}")
                for d, r, c in ((0, 2, None), (2, 1, "knees ached"), (5, 2, None),
                                (9, 4, "good pump"), (12, 2, None), (14, None, "no time"))]
    s = performance_summary("m1", today=TODAY, weeks=4, feedback=feedback)
    (signal,) = s.signals
    assert signal.kind == "ease_intensity"
    assert signal.text.startswith("4 of 5 rated workouts were 'hard going' or 'awful'")
    # newest first, only comments or ratings 1-2, at most five
    assert [(n.on, n.rating, n.comment) for n in s.feedback.notes] == [
        (START + timedelta(14), None, "no time"), (START + timedelta(12), 2, None),
        (START + timedelta(9), 4, "good pump"), (START + timedelta(5), 2, None),
        (START + timedelta(2), 1, "knees ached")]


def test_two_hard_workouts_or_a_minority_of_them_change_nothing() -> None:
    two = [FeedbackRecord(on=START + timedelta(d), rating=1) for d in (0, 3)]
    assert performance_summary("m1", today=TODAY, weeks=4, feedback=two).signals == []
    # 3 rated 1-2 of 7 rated: 43 % < 50 %
    minority = [FeedbackRecord(on=START + timedelta(d), rating=r)
                for d, r in enumerate((1, 2, 2, 4, 5, 4, 3))]
    assert performance_summary("m1", today=TODAY, weeks=4, feedback=minority).signals == []
