"""A plan that answers the member's performance summary (``planner.performance``).

The summary's signals change a plan, from ``from_week`` on, each with a note
that carries the summary's numbers (the notes also go into the changed items' reasons):

- **deload_early** (load rising while heart-rate recovery worsens): the next deload comes
  as early as the deload rule allows (after ``MIN_LOADING_RUN`` loading weeks). Loading
  weeks keep their order and doses and move one week later; each deload is the week
  before it, lighter (about half the sets, loads down by ``deload_percent_drop``, RPE
  down by ``deload_rir_add``), like the generator's own deloads.
- **regress** (an exercise with a high fault rate): the exercise becomes its easier
  variant within the member's kit and injuries in every later session.
- **ease_intensity** (many workouts rated "hard going" or "awful"): every strength item
  of the later loading weeks one step lighter (RPE one lower, or half a deload's load
  drop); the sets stay, so the weekly volume the rules ask for holds.

Every change is kept only when the plan still passes ``validate_and_repair``; a change
the rules refuse is reported as a note instead. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.build import effective_sets, session_minutes
from planner.cardio import heart_rate, with_zones
from planner.config import PlannerConfig, default_config
from planner.errors import PlanRejected
from planner.graph import Limits, find_alternative
from planner.library import ExerciseLibrary
from planner.models import Intensity, MemberProfile, Plan, PlanItem, Session, Week
from planner.performance_records import PerformanceSummary, Signal
from planner.periodization import deload_every, deload_sets
from planner.prescription import round_load
from planner.session_changes import CAMERA_PATTERNS, camera_key
from planner.validation import MIN_LOADING_RUN, validate_and_repair

DELOAD_NOTE = "Deload brought forward"


@dataclass(frozen=True)
class PerformanceChange:
    """One signal's outcome: ``applied`` or the reason it was not."""

    signal: str  # "deload_early", "ease_intensity" or "regress:<exercise>"
    applied: bool
    note: str


def _lighter(item: PlanItem, profile: MemberProfile, config: PlannerConfig) -> PlanItem:
    per = config.periodization
    it = item.intensity
    if it.load_kg is not None:
        new = Intensity(load_kg=round_load(it.load_kg * (1 - per.deload_percent_drop / 100),
                                           item.equipment, config.loads.rounding_kg))
    elif it.percent_1rm is not None:
        new = Intensity(percent_1rm=round(max(config.chart.floor,
                                              it.percent_1rm - per.deload_percent_drop), 1))
    else:
        new = Intensity(rpe=max(1.0, (it.rpe or 8.0) - per.deload_rir_add))
    lighter = item.model_copy(update={"sets": deload_sets(item.sets, per.deload_set_fraction),
                                      "intensity": new})
    return with_zones(lighter, profile, True, config) if item.heart_rate else lighter


def deload_of(week: Week, number: int, profile: MemberProfile, config: PlannerConfig,
              why: str) -> Week:
    """``week`` as a deload week numbered ``number``."""
    sessions = []
    for s in week.sessions:
        items = [_lighter(i, profile, config).model_copy(update={
            "reason": f"{i.reason} {DELOAD_NOTE}: {why}."}) for i in s.exercises]
        sessions.append(Session(
            day=s.day, focus=s.focus, exercises=items, in_class=s.in_class,
            estimated_minutes=s.estimated_minutes if s.in_class else session_minutes(
                items, config),
            heart_rate=heart_rate(profile, "intervals", True, config) if s.in_class
            else s.heart_rate))
    return Week(week=number, deload=True, sessions=sessions)


def bring_deload_forward(plan: Plan, from_week: int, profile: MemberProfile,
                         config: PlannerConfig, why: str) -> tuple[Plan, str]:
    """The plan with its next deload at the earliest week the deload rule allows."""
    weeks = plan.weeks
    start = from_week - 1
    run = 0  # loading weeks just before from_week (a new plan starts a new run)
    for w in reversed(weeks[:start]):
        if w.deload:
            break
        run += 1
    earliest = from_week + max(0, MIN_LOADING_RUN - run)
    nxt = next((w.week for w in weeks[start:] if w.deload), None)
    if nxt is not None and nxt <= earliest:
        return plan, (f"deload stays in week {nxt}: the deload rule needs "
                      f"{MIN_LOADING_RUN} loading weeks first, so it cannot come sooner")
    if earliest > len(weeks):
        return plan, (f"no deload fits before the plan ends (week {len(weeks)}): the "
                      f"deload rule needs {MIN_LOADING_RUN} loading weeks first")
    every = deload_every(profile, config)
    loading = [w for w in weeks[start:] if not w.deload]
    out = list(weeks[:start])
    deload_at = earliest
    while len(out) < len(weeks):
        number = len(out) + 1
        if number == deload_at and out and not out[-1].deload:
            out.append(deload_of(out[-1], number, profile, config, why))
            deload_at = number + every
        elif loading:
            out.append(loading.pop(0).model_copy(update={"week": number}))
        else:
            break
    moved = plan.model_copy(update={"weeks": out})
    was = f"week {nxt}" if nxt is not None else "none before the plan ends"
    return moved, f"deload brought forward to week {earliest} (was {was}): {why}"


def _matches(item: PlanItem, signal: Signal, library: ExerciseLibrary) -> bool:
    if signal.source == "logged":
        return item.exercise_id == signal.exercise
    spec = CAMERA_PATTERNS.get(camera_key(signal.exercise or ""))
    if spec is None or item.exercise_id not in library:
        return False
    pattern, muscle = spec
    return library.get(item.exercise_id).pattern == pattern and (
        muscle is None or muscle in item.primary_muscles)


def regress_exercise(plan: Plan, signal: Signal, from_week: int, profile: MemberProfile,
                     library: ExerciseLibrary, config: PlannerConfig) -> tuple[Plan, str]:
    """Every later session's matching item as its easier variant (one per exercise)."""
    out = plan.model_copy(deep=True)
    swaps: dict[str, str] = {}
    for week in out.weeks:
        if week.week < from_week:
            continue
        for session in week.sessions:
            for i, item in enumerate(session.exercises):
                if not _matches(item, signal, library):
                    continue
                if item.exercise_id not in swaps:
                    alt = find_alternative(item.exercise_id, "easier", library=library,
                                           limits=Limits.of(profile, avoid_ids=[item.exercise_id]))
                    swaps[item.exercise_id] = alt.id if alt else ""
                alt_id = swaps[item.exercise_id]
                if not alt_id:
                    continue
                alt = library.get(alt_id)
                deload = item.reason.find(DELOAD_NOTE)  # keep a deload's own reason
                kept = f" {item.reason[deload:]}" if deload >= 0 else ""
                session.exercises[i] = item.model_copy(update={
                    "exercise_id": alt.id, "name": alt.name, "equipment": alt.equipment,
                    "primary_muscles": list(alt.primary_muscles),
                    "secondary_muscles": list(alt.secondary_muscles),
                    "reason": f"{alt.name} replaces {item.name}: {signal.text}; regressed "
                              f"until it is clean.{kept}"})
            if not session.in_class:
                session.estimated_minutes = session_minutes(session.exercises, config)
    done = {library.get(a).name: library.get(b).name for a, b in swaps.items() if b}
    if not swaps:
        return plan, f"{signal.exercise}: not in the plan from week {from_week} ({signal.text})"
    if not done:
        return plan, f"{signal.exercise}: no easier variant fits the member ({signal.text})"
    moves = ", ".join(f"{a} -> {b}" for a, b in done.items())
    return out, f"regressed {moves} from week {from_week}: {signal.text}"


EASE_NOTE = "Lighter"


def _eased(item: PlanItem, config: PlannerConfig) -> PlanItem:
    """Half a deload's step: loads and %1RM down by half the deload drop, RPE one lower.
    The sets stay, so the weekly volume the plan rules ask for still holds."""
    per, it = config.periodization, item.intensity
    drop = per.deload_percent_drop / 2
    if it.load_kg is not None:
        new = Intensity(load_kg=round_load(it.load_kg * (1 - drop / 100), item.equipment,
                                           config.loads.rounding_kg))
    elif it.percent_1rm is not None:
        new = Intensity(percent_1rm=round(max(config.chart.floor, it.percent_1rm - drop), 1))
    elif it.rpe is not None:
        new = Intensity(rpe=max(1.0, it.rpe - 1))
    else:
        return item
    return item.model_copy(update={"intensity": new})


def ease_intensity(plan: Plan, from_week: int, config: PlannerConfig, why: str
                   ) -> tuple[Plan, str]:
    """Every later loading week's strength items one step lighter (deloads are light
    already; class sessions follow the class)."""
    out = plan.model_copy(deep=True)
    eased = 0
    for week in out.weeks:
        if week.week < from_week or week.deload:
            continue
        for session in week.sessions:
            if session.in_class:
                continue
            for i, item in enumerate(session.exercises):
                lighter = _eased(item, config)
                if lighter.intensity != item.intensity:
                    session.exercises[i] = lighter.model_copy(update={
                        "reason": f"{item.reason} {EASE_NOTE}: {why}."})
                    eased += 1
    if not eased:
        return plan, f"nothing to make lighter from week {from_week} ({why})"
    return out, (f"{eased} items one step lighter from week {from_week} (RPE -1 or "
                 f"{config.periodization.deload_percent_drop / 2:g} % less load): {why}")


def _only_what_got_lighter(before: Plan, after: Plan, from_week: int,
                           config: PlannerConfig, why: str) -> tuple[Plan, str]:
    """``after`` with the "Lighter" note kept only on items that really are lighter than
    in ``before`` (the repair lifts an intensity below the guidance back up)."""
    out = after.model_copy(deep=True)
    eased = 0
    for old_week, week in zip(before.weeks, out.weeks, strict=True):
        for old_session, session in zip(old_week.sessions, week.sessions, strict=True):
            for i, (old, item) in enumerate(zip(old_session.exercises, session.exercises,
                                                strict=True)):
                note = item.reason.find(f" {EASE_NOTE}: ")
                if note < 0 or old.reason.find(f" {EASE_NOTE}: ") >= 0:
                    continue
                if item.intensity == old.intensity:
                    session.exercises[i] = item.model_copy(
                        update={"reason": item.reason[:note]})
                else:
                    eased += 1
    if not eased:
        return before, (f"not applied: from week {from_week} every item is already at "
                        f"the lightest its guidance allows ({why})")
    return out, (f"{eased} items one step lighter from week {from_week} (RPE -1 or "
                 f"{config.periodization.deload_percent_drop / 2:g} % less load, within "
                 f"the guidance): {why}")


def _weekly_sets(plan: Plan, library: ExerciseLibrary, config: PlannerConfig) -> Plan:
    first = next((w for w in plan.weeks if not w.deload), None)
    if first is None:
        return plan
    volume = effective_sets([i for s in first.sessions for i in s.exercises],
                            config.volume.indirect_weight, library)
    return plan.model_copy(update={"weekly_sets_per_muscle": {
        m: round(v, 1) for m, v in volume.items() if v}})


def apply_performance(plan: Plan, summary: PerformanceSummary, *, profile: MemberProfile,
                      library: ExerciseLibrary, from_week: int = 1,
                      config: PlannerConfig | None = None, skip: Iterable[str] = ()
                      ) -> tuple[Plan, list[PerformanceChange]]:
    """The plan with the summary's signals acted on from ``from_week`` (signals named in
    ``skip`` were acted on before), and what happened to each signal."""
    config = config or default_config()
    done = set(skip)
    changes: list[PerformanceChange] = []
    for signal in summary.signals:
        name = f"regress:{signal.exercise}" if signal.kind == "regress" else signal.kind
        if name in done:
            continue
        if signal.kind == "deload_early":
            candidate, note = bring_deload_forward(plan, from_week, profile, config,
                                                   signal.text)
        elif signal.kind == "ease_intensity":
            candidate, note = ease_intensity(plan, from_week, config, signal.text)
        else:
            candidate, note = regress_exercise(plan, signal, from_week, profile, library,
                                               config)
        if candidate is plan:
            changes.append(PerformanceChange(name, False, note))
            continue
        try:
            checked = validate_and_repair(_weekly_sets(candidate, library, config), profile,
                                          library, config)
            if signal.kind == "ease_intensity":  # the guidance's floor may undo a step
                checked, note = _only_what_got_lighter(plan, checked, from_week, config,
                                                       signal.text)
                if checked is plan:
                    changes.append(PerformanceChange(name, False, note))
                    continue
            plan = checked
        except PlanRejected as exc:
            changes.append(PerformanceChange(name, False, f"not applied, the plan rules "
                                             f"refuse it ({'; '.join(exc.violations[:2])}): "
                                             f"{note}"))
            continue
        changes.append(PerformanceChange(name, True, note))
    return plan, changes
