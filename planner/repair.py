"""Safe, explainable fixes for plans that fail :func:`planner.validation.check_plan`.

Only fixes a coach would make without asking: clamp a dose into the guidance row, swap an
exercise that breaks the member's kit, injuries, dislikes or level for its nearest
alternative, drop an exact duplicate, trim sets to the time budget or the volume flag,
and recompute derived numbers. Anything else stays broken and the plan is rejected.
"""

from __future__ import annotations

from planner.build import effective_sets, item_seconds, session_minutes
from planner.candidates import allowed_roles
from planner.cardio import with_zones
from planner.config import DoseRow, PlannerConfig
from planner.graph import Limits, find_alternative
from planner.library import ExerciseLibrary
from planner.models import Exercise, Intensity, MemberProfile, Plan, PlanItem
from planner.prescription import estimate_one_rep_maxes, round_load
from planner.vocab import LEVEL_RANK


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def clamp_dose(item: PlanItem, ex: Exercise, row: DoseRow, deload: bool, e1rm: float | None,
               config: PlannerConfig) -> PlanItem:
    """The same item with every number pulled into guidance row ``row``."""
    per = config.periodization
    reps, secs = item.reps, item.duration_seconds
    if row.reps is not None:
        reps, secs = int(_clamp(reps or row.reps[1], *row.reps)), None
    elif row.seconds is not None:
        reps, secs = None, int(_clamp(secs or row.seconds[0], *row.seconds))
    sets = int(_clamp(item.sets, 1 if deload else row.sets[0], row.sets[1]))
    rest = int(_clamp(item.rest_seconds, *row.rest_seconds))
    lo_rpe, hi_rpe = row.rpe_range
    if deload:
        lo_rpe, hi_rpe = 1.0, hi_rpe - per.deload_rir_add
    it = item.intensity
    pct_ok = row.percent_1rm is not None and ex.loadable
    intensity = Intensity(rpe=_clamp(it.rpe if it.rpe is not None else hi_rpe, lo_rpe, hi_rpe))
    if pct_ok and it.rpe is None and row.percent_1rm is not None:
        lo, hi = row.percent_1rm
        if deload:
            lo, hi = config.chart.floor, hi - per.deload_percent_drop
        if it.percent_1rm is not None:
            intensity = Intensity(percent_1rm=_clamp(it.percent_1rm, lo, hi))
        elif e1rm is not None:
            pct = _clamp(100.0 * float(it.load_kg or 0) / e1rm, lo, hi)
            intensity = Intensity(load_kg=round_load(e1rm * pct / 100.0, ex.equipment,
                                                     config.loads.rounding_kg))
    return item.model_copy(update={"reps": reps, "duration_seconds": secs, "sets": sets,
                                   "rest_seconds": rest, "intensity": intensity})


def _facts(item: PlanItem, ex: Exercise) -> PlanItem:
    return item.model_copy(update={
        "exercise_id": ex.id, "name": ex.name, "primary_muscles": list(ex.primary_muscles),
        "secondary_muscles": list(ex.secondary_muscles), "equipment": ex.equipment})


def _breaks_limits(ex: Exercise, profile: MemberProfile) -> bool:
    return (not ex.fits_kit(profile.available_equipment)
            or bool(profile.injury_areas & set(ex.contraindications))
            or ex.id in profile.preferences.disliked
            or LEVEL_RANK[ex.level] > LEVEL_RANK[profile.fitness_level])


def repair_plan(plan: Plan, profile: MemberProfile, library: ExerciseLibrary,
                config: PlannerConfig) -> tuple[Plan, list[str]]:
    """A repaired copy of ``plan`` and a note per fix."""
    fixed = plan.model_copy(deep=True)
    notes: list[str] = []
    e1rms = {k: v.kg for k, v in estimate_one_rep_maxes(
        profile.training_history, config.one_rep_max, config.chart).items()}
    for week in fixed.weeks:
        for session in week.sessions:
            if session.in_class:   # the studio's class: nothing of ours to repair
                continue
            kept: list[PlanItem] = []
            for item in session.exercises:
                if item.exercise_id not in library:
                    notes.append(f"dropped unknown exercise {item.exercise_id}")
                    continue
                ex = library.get(item.exercise_id)
                if _breaks_limits(ex, profile):
                    limits = Limits.of(profile, avoid_ids=[i.exercise_id
                                                           for i in session.exercises])
                    alt = find_alternative(ex, "same", library=library, limits=limits) \
                        or find_alternative(ex, "easier", library=library, limits=limits)
                    if alt is None:
                        notes.append(f"dropped {ex.name}: no alternative fits the member")
                        continue
                    notes.append(f"week {week.week}: {ex.name} -> {alt.name}")
                    item = item.model_copy(update={
                        "reason": f"{item.reason} (swapped in for {ex.name}, which did not "
                                  "fit the member's limits)"})
                    ex = alt
                if any(i.exercise_id == ex.id for i in kept):
                    notes.append(f"dropped duplicate {ex.name}")
                    continue
                item = _facts(item, ex)
                row = config.dose_row(profile.primary_goal, allowed_roles(ex)[0],
                                      profile.fitness_level)
                clamped = clamp_dose(item, ex, row, week.deload, e1rms.get(ex.id), config)
                if clamped != item:
                    notes.append(f"week {week.week}: {ex.name} dose clamped to {row.source}")
                if ex.pattern == "conditioning" and clamped.heart_rate is None:
                    clamped = with_zones(clamped, profile, week.deload, config)
                    notes.append(f"week {week.week}: {ex.name} given the member's zones")
                if not clamped.reason.strip():
                    clamped = clamped.model_copy(update={
                        "reason": f"{ex.pattern.replace('_', ' ')} for "
                                  f"{', '.join(ex.primary_muscles)} ({row.source})"})
                kept.append(clamped)
            session.exercises = kept
            _trim_to_budget(session.exercises, profile, library, config, week.deload, notes)
            session.estimated_minutes = session_minutes(session.exercises, config)
        _trim_flagged(week.sessions, profile, library, config, week.deload, notes)
        for session in week.sessions:
            if not session.in_class:
                session.estimated_minutes = session_minutes(session.exercises, config)
    first = next((w for w in fixed.weeks if not w.deload), fixed.weeks[0] if fixed.weeks else None)
    if first is not None:
        volume = effective_sets([i for s in first.sessions for i in s.exercises],
                                config.volume.indirect_weight, library)
        fixed.weekly_sets_per_muscle = {m: round(v, 1) for m, v in sorted(volume.items()) if v}
    return fixed, notes


def _min_sets(item: PlanItem, profile: MemberProfile, library: ExerciseLibrary,
              config: PlannerConfig, deload: bool) -> int:
    ex = library.get(item.exercise_id)
    row = config.dose_row(profile.primary_goal, allowed_roles(ex)[0], profile.fitness_level)
    return 1 if deload else row.sets[0]


def _trim_to_budget(items: list[PlanItem], profile: MemberProfile, library: ExerciseLibrary,
                    config: PlannerConfig, deload: bool, notes: list[str]) -> None:
    """Drop sets from the last items first until the session fits its minutes."""
    budget = (profile.minutes_per_session - config.session.warmup_minutes) * 60
    for index in reversed(range(len(items))):
        while sum(item_seconds(i, config) for i in items) > budget and \
                items[index].sets > _min_sets(items[index], profile, library, config, deload):
            items[index] = items[index].model_copy(update={"sets": items[index].sets - 1})
            notes.append(f"one set of {items[index].name} cut for the time budget")


def _trim_flagged(sessions: list, profile: MemberProfile,  # type: ignore[type-arg]
                  library: ExerciseLibrary, config: PlannerConfig, deload: bool,
                  notes: list[str]) -> None:
    """Cut direct sets of target muscles above the weekly flag line, latest first."""
    flag = config.volume.flag_above
    spec = config.volume.targets[profile.primary_goal]  # type: ignore[index]
    for muscle in spec.muscles:
        for session in reversed(sessions):
            items = session.exercises
            for index in reversed(range(len(items))):
                while muscle in items[index].primary_muscles and effective_sets(
                        [i for s in sessions for i in s.exercises],
                        config.volume.indirect_weight, library).get(muscle, 0.0) > flag \
                        and items[index].sets > _min_sets(items[index], profile, library,
                                                          config, deload):
                    items[index] = items[index].model_copy(update={"sets": items[index].sets - 1})
                    notes.append(f"one set of {items[index].name} cut: {muscle} above {flag:g}")
