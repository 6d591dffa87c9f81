"""A member's performance over the last N weeks, in numbers a coach can check by hand.

``performance_summary`` is a pure function over what the studio already stores about
one member: post-class summaries (effort points, TRIMP, 60-second heart-rate recovery,
camera reps and faults), logged sets, readiness check-ins, workout feedback and the
plan's planned sessions. It answers five questions:

- **load**: is training load rising or falling? (effort points and TRIMP per week,
  least-squares slope per week, as a percentage of the weekly mean);
- **recovery**: is the 60 s heart-rate drop after work getting better or worse?
  (least-squares slope in bpm per week over the classes that measured one);
- **exercises**: reps and fault rate per exercise (camera reps with faults; logged sets
  with "form felt off" or pain);
- **adherence**: planned sessions done, of those due so far in the window;
- **readiness and feedback**: check-in scores and workout ratings.

It then names the *signals* that planning acts on (``planner.performance_plan``):
rising load with worsening recovery brings a deload forward; an exercise with a high
fault rate is regressed. Every signal carries the numbers behind it. No clock is read:
the caller passes ``today``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from planner.performance_records import (
    Adherence,
    CameraSet,
    CheckInRecord,
    ClassResult,
    Direction,
    ExerciseStats,
    FeedbackNote,
    FeedbackRecord,
    FeedbackStats,
    LoadTrend,
    PerformanceRules,
    PerformanceSummary,
    PlannedSession,
    ReadinessStats,
    RecoveryPoint,
    RecoveryTrend,
    SetRecord,
    Signal,
    WeekLoad,
)

__all__ = ["CameraSet", "CheckInRecord", "ClassResult", "FeedbackRecord", "PerformanceRules",
           "PerformanceSummary", "PlannedSession", "SetRecord", "Signal",
           "performance_summary", "session_dates"]

# -- helpers -----------------------------------------------------------------------------


def slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of ``ys`` on ``xs``; None with fewer than two distinct xs."""
    n = len(xs)
    if n < 2 or len(set(xs)) < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def session_dates(weeks: Sequence[tuple[int, Sequence[tuple[int, bool]]]], approved_on: date
                  ) -> list[PlannedSession]:
    """Calendar dates of a plan's sessions: week ``w`` is the 7 days from approval plus
    ``7 (w - 1)`` (as the member page counts weeks); day ``d`` is the date in that span
    with ISO weekday ``d``. ``weeks``: (week, [(day, in_class)])."""
    out = []
    for week, days in weeks:
        span = approved_on + timedelta(days=7 * (week - 1))
        for day, in_class in days:
            on = span + timedelta(days=(day - span.isoweekday()) % 7)
            out.append(PlannedSession(week=week, day=day, on=on, in_class=in_class))
    return sorted(out, key=lambda s: s.on)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _direction(change_percent: float | None, threshold: float) -> Direction:
    if change_percent is None:
        return "unknown"
    if change_percent >= threshold:
        return "rising"
    return "falling" if change_percent <= -threshold else "steady"


# -- the parts ---------------------------------------------------------------------------


def load_trend(classes: Sequence[ClassResult], start: date, weeks: int,
               rules: PerformanceRules) -> LoadTrend:
    """Effort points and TRIMP summed per 7-day week from ``start``; slope per week."""
    buckets = []
    for k in range(weeks):
        lo, hi = start + timedelta(days=7 * k), start + timedelta(days=7 * k + 6)
        inside = [c for c in classes if lo <= c.on <= hi]
        buckets.append(WeekLoad(start=lo, end=hi, classes=len(inside),
                                effort_points=round(sum(c.effort_points or 0 for c in inside), 1),
                                trimp=round(sum(c.trimp or 0 for c in inside), 1)))
    # Weeks before the member's first class in the window are not "zero load" weeks.
    first = next((i for i, b in enumerate(buckets) if b.classes), None)
    used = buckets[first:] if first is not None else []
    xs = [float(i) for i in range(len(used))]
    out: dict[str, float | None] = {}
    for name in ("effort_points", "trimp"):
        ys = [float(getattr(b, name)) for b in used]
        s = slope(xs, ys) if len(used) >= rules.min_load_weeks else None
        mean = sum(ys) / len(ys) if ys else 0.0
        out[f"{name}_slope"] = _round(s, 2)
        out[f"{name}_change_percent"] = _round(100 * s / mean, 1) if s is not None and mean \
            else None
    direction = _direction(out["effort_points_change_percent"], rules.load_trend_percent)
    if direction == "unknown":
        text = (f"{sum(b.classes for b in buckets)} classes with heart-rate data in "
                f"{weeks} weeks: too few weeks with classes for a load trend "
                f"(needs {rules.min_load_weeks})")
    else:
        text = (f"effort points {out['effort_points_change_percent']:+g} % a week "
                f"({out['effort_points_slope']:+g} a week, weekly totals "
                f"{', '.join(f'{b.effort_points:g}' for b in used)}): {direction}")
    return LoadTrend(weeks=buckets, direction=direction, text=text, **out)


def recovery_trend(classes: Sequence[ClassResult], rules: PerformanceRules) -> RecoveryTrend:
    points = sorted((RecoveryPoint(on=c.on, bpm=c.recovery_bpm_60s) for c in classes
                     if c.recovery_bpm_60s is not None), key=lambda p: p.on)
    mean = _round(sum(p.bpm for p in points) / len(points)) if points else None
    if len(points) < rules.min_recovery_points:
        return RecoveryTrend(points=points, slope_bpm_per_week=None, mean_bpm=mean,
                             direction="unknown",
                             text=f"{len(points)} classes measured heart-rate recovery: too "
                                  f"few for a trend (needs {rules.min_recovery_points})")
    first = points[0].on
    s = slope([float((p.on - first).days) for p in points], [p.bpm for p in points])
    per_week = round(7 * s, 2) if s is not None else None
    limit = rules.recovery_trend_bpm_per_week
    direction: Literal["improving", "worsening", "steady", "unknown"] = (
        "unknown" if per_week is None else "worsening" if per_week <= -limit
        else "improving" if per_week >= limit else "steady")
    text = (f"60-second heart-rate recovery {per_week:+g} bpm a week over {len(points)} "
            f"classes ({', '.join(f'{p.bpm:g}' for p in points)} bpm): {direction}"
            if per_week is not None else "all recoveries on one day: no trend")
    return RecoveryTrend(points=points, slope_bpm_per_week=per_week, mean_bpm=mean,
                         direction=direction, text=text)


def exercise_stats(classes: Sequence[ClassResult], sets: Sequence[SetRecord]
                   ) -> list[ExerciseStats]:
    """Camera exercises (reps, faulty reps) and logged exercises (sets, flagged sets)."""
    out: list[ExerciseStats] = []
    camera: dict[str, list[CameraSet]] = {}
    for c in classes:
        for s in c.sets:
            camera.setdefault(s.exercise, []).append(s)
    for name, done in sorted(camera.items()):
        reps, faulty = sum(s.reps for s in done), sum(s.faulty for s in done)
        out.append(ExerciseStats(exercise=name, source="camera", sets=len(done), reps=reps,
                                 faulty_reps=faulty, flagged_sets=None,
                                 fault_rate=round(faulty / reps, 3) if reps else None))
    logged: dict[str, list[SetRecord]] = {}
    for r in sets:
        logged.setdefault(r.exercise_id, []).append(r)
    for ex_id, rows in sorted(logged.items()):
        flagged = [r for r in rows if r.poor_form or r.pain]
        loads = [r.load_kg for r in rows if r.load_kg]
        out.append(ExerciseStats(
            exercise=ex_id, source="logged", sets=len(rows), reps=sum(r.reps or 0 for r in rows),
            faulty_reps=None, flagged_sets=len(flagged), flagged_days=len({r.on for r in flagged}),
            fault_rate=round(len(flagged) / len(rows), 3), top_load_kg=max(loads, default=None)))
    return out


def adherence(planned: Sequence[PlannedSession], sets: Sequence[SetRecord],
              classes: Sequence[ClassResult]) -> Adherence:
    """A planned session counts as done when a set was logged against it (its week and
    day) or on its date, or the member attended a class that day."""
    logged = {(r.week, r.day) for r in sets}
    days = {r.on for r in sets} | {c.on for c in classes}
    done, missed = 0, []
    for s in planned:
        if (s.week, s.day) in logged or s.on in days:
            done += 1
        else:
            missed.append(f"{s.week}-{s.day}")
    pct = round(100 * done / len(planned), 1) if planned else None
    text = (f"{done} of {len(planned)} planned sessions done ({pct:g} %)" if planned
            else "no planned sessions were due in these weeks")
    return Adherence(planned=len(planned), done=done, percent=pct, missed=missed, text=text)


def readiness_stats(check_ins: Sequence[CheckInRecord]) -> ReadinessStats:
    if not check_ins:
        return ReadinessStats(check_ins=0, mean=None, latest=None, text="no check-ins")
    ordered = sorted(check_ins, key=lambda c: c.on)
    mean = round(sum(c.readiness for c in ordered) / len(ordered), 1)
    return ReadinessStats(check_ins=len(ordered), mean=mean, latest=ordered[-1].readiness,
                          text=f"{len(ordered)} check-ins, mean readiness {mean:g}/100, "
                               f"latest {ordered[-1].readiness:g}/100")


def feedback_stats(feedback: Sequence[FeedbackRecord]) -> FeedbackStats:
    rated = [f.rating for f in feedback if f.rating is not None]
    mean = round(sum(rated) / len(rated), 2) if rated else None
    low = sum(r <= 2 for r in rated)
    comments = sum(f.commented for f in feedback)
    text = (f"{len(rated)} workouts rated, mean {mean:g}/5, {low} rated 1-2, "
            f"{comments} with a comment" if rated else "no workout feedback")
    notable = [f for f in sorted(feedback, key=lambda f: f.on, reverse=True)
               if f.comment or (f.rating is not None and f.rating <= 2)]
    return FeedbackStats(ratings=len(rated), mean_rating=mean, low_ratings=low,
                         comments=comments, text=text, notes=[
                             FeedbackNote(on=f.on, session=f.session, rating=f.rating,
                                          comment=f.comment) for f in notable[:5]])


def signals(load: LoadTrend, recovery: RecoveryTrend, exercises: Sequence[ExerciseStats],
            rules: PerformanceRules, feedback: FeedbackStats | None = None) -> list[Signal]:
    """What planning should do about the numbers (``planner.performance_plan``)."""
    out = []
    if feedback is not None and feedback.ratings and \
            feedback.low_ratings >= rules.low_ratings_to_ease and \
            feedback.low_ratings / feedback.ratings >= rules.low_rating_share_to_ease:
        out.append(Signal(kind="ease_intensity", text=(
            f"{feedback.low_ratings} of {feedback.ratings} rated workouts were 'hard going' "
            f"or 'awful' (ease at {rules.low_ratings_to_ease} and "
            f"{100 * rules.low_rating_share_to_ease:.0f} %)")))
    if load.direction == "rising" and recovery.direction == "worsening":
        out.append(Signal(kind="deload_early", text=f"load rising ({load.text}) while "
                          f"recovery worsens ({recovery.text}): bring the deload forward"))
    for ex in exercises:
        if ex.source == "camera" and ex.reps >= rules.min_reps_for_fault_rate and \
                ex.fault_rate is not None and ex.fault_rate >= rules.fault_rate_to_regress:
            out.append(Signal(kind="regress", exercise=ex.exercise, source="camera", text=(
                f"{ex.faulty_reps} of {ex.reps} {ex.exercise} reps on camera had a form "
                f"fault ({100 * ex.fault_rate:.0f} %, regress at "
                f"{100 * rules.fault_rate_to_regress:.0f} %)")))
        elif ex.source == "logged" and (ex.flagged_days or 0) >= rules.flagged_days_to_regress:
            out.append(Signal(kind="regress", exercise=ex.exercise, source="logged", text=(
                f"{ex.flagged_sets} of {ex.sets} logged sets flagged for form or pain on "
                f"{ex.flagged_days} days (regress at {rules.flagged_days_to_regress} days)")))
    return out


def performance_summary(member_id: str, *, today: date, weeks: int,
                        classes: Sequence[ClassResult] = (), sets: Sequence[SetRecord] = (),
                        check_ins: Sequence[CheckInRecord] = (),
                        feedback: Sequence[FeedbackRecord] = (),
                        planned: Sequence[PlannedSession] = (),
                        rules: PerformanceRules | None = None) -> PerformanceSummary:
    """The summary of the ``weeks`` weeks ending ``today`` (inclusive). Records outside the
    window are ignored, so callers may pass more than the window."""
    if not 1 <= weeks <= 52:
        raise ValueError(f"weeks must be 1-52, got {weeks}")
    rules = rules or PerformanceRules()
    start = today - timedelta(days=7 * weeks - 1)

    def inside(on: date) -> bool:
        return start <= on <= today

    classes = [c for c in classes if inside(c.on)]
    sets = [s for s in sets if inside(s.on)]
    load = load_trend(classes, start, weeks, rules)
    recovery = recovery_trend(classes, rules)
    exercises = exercise_stats(classes, sets)
    rated = feedback_stats([f for f in feedback if inside(f.on)])
    return PerformanceSummary(
        member_id=member_id, start=start, end=today, weeks=weeks, load=load,
        recovery=recovery, exercises=exercises,
        adherence=adherence([p for p in planned if inside(p.on)], sets, classes),
        readiness=readiness_stats([c for c in check_ins if inside(c.on)]),
        feedback=rated, signals=signals(load, recovery, exercises, rules, rated))
