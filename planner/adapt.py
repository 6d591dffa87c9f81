"""Adaptation after logged sessions: progress, hold, reduce or regress each exercise.

Rules (acsm2009 progression): when every set beats its target (the "2-for-2" margin of
extra reps, or the same reps at a clearly lower RPE) the load goes up 2-10 %, more for
lower-body compound lifts; when reps are missed or RPE runs too high the load holds, and
when most sets are missed it drops. Pain or poor form (from the member or the vision
insights) swaps the exercise for its regression. Future loads then come from the updated
estimated 1RM, and the adapted plan passes the same rule check as a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.config import PlannerConfig, default_config
from planner.errors import PlannerError
from planner.graph import Limits, find_alternative
from planner.library import ExerciseLibrary
from planner.models import Exercise, LoggedSet, MemberProfile, Plan, PlanItem
from planner.prescription import round_load
from planner.validation import validate_and_repair

LOWER_BODY = frozenset({"squat", "hinge", "lunge"})


class SetResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reps: int = Field(ge=0, le=100)
    load_kg: float | None = Field(default=None, ge=0)
    rpe: float | None = Field(default=None, ge=1, le=10)


class ExerciseLog(BaseModel):
    """What the member did on one planned exercise, plus pain and form flags."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str
    sets: list[SetResult] = Field(default_factory=list)
    pain: bool = False
    poor_form: bool = Field(default=False,
                            description="from the member, the trainer or vision faults")


Action = Literal["progress_load", "progress_reps", "hold", "reduce_load", "regress"]


class Adjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exercise_id: str
    action: Action
    change_percent: float | None = None
    new_load_kg: float | None = None
    new_reps: int | None = None
    replacement_id: str | None = None
    reason: str


def _target_rpe(item: PlanItem) -> float:
    return item.intensity.rpe if item.intensity.rpe is not None else 8.0  # RIR 2 default


def _regress(item: PlanItem, ex: Exercise, log: ExerciseLog, profile: MemberProfile,
             library: ExerciseLibrary, config: PlannerConfig) -> Adjustment:
    why = "pain" if log.pain else "poor form"
    alt = find_alternative(ex, "easier", library=library,
                           limits=Limits.of(profile, avoid_ids=[ex.id]))
    if alt is not None:
        return Adjustment(exercise_id=ex.id, action="regress", replacement_id=alt.id,
                          reason=f"{why} on {ex.name}: regress to {alt.name} until it is clean")
    cut = config.adapt.reduce_percent * 2
    return Adjustment(exercise_id=ex.id, action="reduce_load", change_percent=-cut,
                      reason=f"{why} on {ex.name} and no easier variant fits: load -{cut:g} %")


def assess(item: PlanItem, log: ExerciseLog, profile: MemberProfile,
           library: ExerciseLibrary, config: PlannerConfig | None = None) -> Adjustment:
    """The next step for one exercise after one logged session."""
    config = config or default_config()
    rules = config.adapt
    ex = library.get(item.exercise_id)
    if log.pain or log.poor_form:
        return _regress(item, ex, log, profile, library, config)
    if not log.sets or item.reps is None:
        return Adjustment(exercise_id=ex.id, action="hold",
                          reason="nothing comparable logged (timed item or no sets): hold")
    target, target_rpe = item.reps, _target_rpe(item)
    missed = sum(s.reps < target for s in log.sets) + max(0, item.sets - len(log.sets))
    rpes = [s.rpe for s in log.sets if s.rpe is not None]
    mean_rpe = sum(rpes) / len(rpes) if rpes else None
    loads = [s.load_kg for s in log.sets if s.load_kg]
    load = max(loads) if loads else item.intensity.load_kg
    if missed > item.sets / 2:
        new = round_load(load * (1 - rules.reduce_percent / 100), ex.equipment,
                         config.loads.rounding_kg) if load else None
        return Adjustment(exercise_id=ex.id, action="reduce_load",
                          change_percent=-rules.reduce_percent, new_load_kg=new,
                          reason=f"{missed} of {item.sets} sets short of {target} reps: "
                                 f"load -{rules.reduce_percent:g} %")
    if missed or (mean_rpe is not None and mean_rpe >= target_rpe + rules.hard_rpe_margin):
        what = f"{missed} set(s) short" if missed else f"RPE {mean_rpe:.1f} over {target_rpe:g}"
        return Adjustment(exercise_id=ex.id, action="hold", new_load_kg=load,
                          reason=f"{what}: hold the load until the target is met")
    extra = min(s.reps for s in log.sets) - target
    easy = mean_rpe is not None and mean_rpe <= target_rpe - rules.easy_rpe_margin
    if extra < rules.beat_reps_margin and not easy:
        return Adjustment(exercise_id=ex.id, action="hold", new_load_kg=load,
                          reason="target met, not beaten: repeat it once more (2-for-2 rule)")
    base = rules.large_step_percent if ex.pattern in LOWER_BODY and ex.mechanic == "compound" \
        else rules.small_step_percent
    step = min(rules.max_step_percent, base * (1 + max(0, extra - rules.beat_reps_margin) / 2))
    why = f"all sets {extra:+d} reps" + (f" at RPE {mean_rpe:.1f}" if mean_rpe else "")
    if not load:
        return Adjustment(exercise_id=ex.id, action="progress_reps", new_reps=target + 1,
                          reason=f"{why} with no load to add: +1 rep per set")
    new = round_load(load * (1 + step / 100), ex.equipment, config.loads.rounding_kg)
    return Adjustment(exercise_id=ex.id, action="progress_load", change_percent=round(step, 1),
                      new_load_kg=max(new, load + config.loads.rounding_kg.get(ex.equipment, 2.5)),
                      reason=f"{why}: targets beaten, load +{step:.1f} %")


def logged_sets(logs: Sequence[ExerciseLog], when: date) -> list[LoggedSet]:
    """The logs as history rows (sets with a load), dated ``when``."""
    return [LoggedSet(exercise_id=log.exercise_id, date=when, load_kg=s.load_kg or 0.0,
                      reps=s.reps, rpe=s.rpe)
            for log in logs if not (log.pain or log.poor_form)
            for s in log.sets if s.load_kg and s.reps]


def _apply(item: PlanItem, adj: Adjustment, factor: float, library: ExerciseLibrary,
           config: PlannerConfig) -> PlanItem:
    if adj.action == "regress" and adj.replacement_id:
        alt = library.get(adj.replacement_id)
        return item.model_copy(update={
            "exercise_id": alt.id, "name": alt.name, "primary_muscles": list(alt.primary_muscles),
            "secondary_muscles": list(alt.secondary_muscles), "equipment": alt.equipment,
            "reason": f"{alt.name} replaces {item.name}: {adj.reason}."})
    update: dict[str, object] = {"reason": f"{item.reason} Adapted: {adj.reason}."}
    if item.intensity.load_kg is not None and factor != 1.0:
        new = round_load(item.intensity.load_kg * factor, item.equipment, config.loads.rounding_kg)
        update["intensity"] = item.intensity.model_copy(update={"load_kg": new})
    if adj.action == "progress_reps" and item.reps is not None:
        update["reps"] = item.reps + 1
    return item.model_copy(update=update)


def adapt_plan(plan: Plan, logs: Sequence[ExerciseLog], *, week: int, day: int,
               profile: MemberProfile, library: ExerciseLibrary,
               config: PlannerConfig | None = None, logged_on: date | None = None
               ) -> tuple[Plan, MemberProfile, list[Adjustment]]:
    """Apply one logged session (``week``, ISO ``day``) to every later session of the plan.

    Returns the adapted plan (re-checked), the profile with the new sets in its history,
    and the adjustments made. ``logged_on`` dates the new history rows (default: the day
    after the newest logged set, so the function stays free of clocks).
    """
    config = config or default_config()
    session = next((s for w in plan.weeks if w.week == week for s in w.sessions if s.day == day),
                   None)
    if session is None:
        raise PlannerError(f"plan has no session on day {day} of week {week}; pass the week "
                           "number and ISO weekday of a planned session")
    planned = {i.exercise_id: i for i in session.exercises}
    adjustments = [assess(planned[log.exercise_id], log, profile, library, config)
                   for log in logs if log.exercise_id in planned]
    if logged_on is None:
        newest = max((s.date for s in profile.training_history), default=date(2000, 1, 1))
        logged_on = newest + timedelta(days=1)
    updated = profile.model_copy(update={
        "training_history": [*profile.training_history, *logged_sets(logs, logged_on)]})
    by_id = {a.exercise_id: a for a in adjustments}
    adapted = plan.model_copy(deep=True)
    for w in adapted.weeks:
        for s in w.sessions:
            if (w.week, s.day) <= (week, day):
                continue
            for index, item in enumerate(s.exercises):
                adj = by_id.get(item.exercise_id)
                if adj is None:
                    continue
                old = planned[item.exercise_id].intensity.load_kg
                factor = adj.new_load_kg / old if adj.new_load_kg and old else 1.0
                if adj.action == "hold":
                    factor = 1.0
                s.exercises[index] = _apply(item, adj, factor, library, config)
    return validate_and_repair(adapted, updated, library, config), updated, adjustments


def carry_over(previous: Plan, sessions: Sequence[tuple[int, int, date, Sequence[ExerciseLog]]],
               following: Plan, *, profile: MemberProfile, library: ExerciseLibrary,
               config: PlannerConfig | None = None
               ) -> tuple[Plan, MemberProfile, list[Adjustment]]:
    """Carry what was logged in the previous block into the next one when it starts.

    ``sessions`` are (week, ISO day, date, logs) of ``previous``, oldest first. Each logged
    exercise is assessed against what ``previous`` planned that day; the newest verdict
    per exercise then adjusts that exercise wherever ``following`` has it (load scaled by
    the same factor, reps, or the regression), and the result passes the rule check."""
    config = config or default_config()
    latest: dict[str, tuple[Adjustment, PlanItem]] = {}
    history: list[LoggedSet] = []
    for week, day, when, logs in sessions:
        session = next((s for w in previous.weeks if w.week == week for s in w.sessions
                        if s.day == day), None)
        history += logged_sets(logs, when)
        if session is None:
            continue
        planned = {i.exercise_id: i for i in session.exercises}
        for log in logs:
            if log.exercise_id in planned:
                item = planned[log.exercise_id]
                latest[log.exercise_id] = (assess(item, log, profile, library, config), item)
    updated = profile.model_copy(update={
        "training_history": [*profile.training_history, *history]})
    adapted = following.model_copy(deep=True)
    for w in adapted.weeks:
        for s in w.sessions:
            for index, item in enumerate(s.exercises):
                found = latest.get(item.exercise_id)
                if found is None:
                    continue
                adj, before = found
                old = before.intensity.load_kg
                factor = adj.new_load_kg / old if adj.new_load_kg and old else 1.0
                if adj.action == "hold":
                    factor = 1.0
                s.exercises[index] = _apply(item, adj, factor, library, config)
    adjustments = [adj for adj, _ in latest.values()]
    return validate_and_repair(adapted, updated, library, config), updated, adjustments
