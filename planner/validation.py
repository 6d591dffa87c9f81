"""The rule check every plan passes before it is saved: the optimizer proposes, rules verify.

Rules are written independently of the generator, straight from the guidance table
(configs/planner.toml) and the member's limits: dose ranges, equipment, injuries, dislikes,
level, time budget, weekly volume and frequency, 48 h recovery, and deload weeks. A coach's
hand-edited plan goes through the same check. :func:`validate_and_repair` fixes what it
safely can (clamping a dose, swapping a contraindicated exercise, trimming sets) and raises
:class:`PlanRejected` for anything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from planner.build import effective_sets, session_minutes
from planner.candidates import allowed_roles, injury_limited, member_pool
from planner.cardio import heart_rate
from planner.config import DoseRow, PlannerConfig
from planner.errors import PlanRejected
from planner.library import ExerciseLibrary
from planner.models import Exercise, MemberProfile, Plan, PlanItem, Week
from planner.prescription import estimate_one_rep_maxes
from planner.split import too_close
from planner.vocab import LEVEL_RANK

MINUTES_SLACK = 0.5   # rounding of estimated_minutes
MAX_LOADING_RUN, MIN_LOADING_RUN = 5, 3  # deload every 4-6 weeks (bell2023)


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``session`` and ``item`` are 0-based positions for programs; the
    text names the week, weekday and exercise as the plan pages show them."""

    code: str
    message: str
    week: int | None = None
    session: int | None = None
    item: int | None = None
    day: int | None = None
    exercise: str | None = None

    def __str__(self) -> str:
        where = []
        if self.week is not None:
            where.append(f"week {self.week}")
        if self.day is not None:
            where.append(_DAYS[self.day - 1])
        if self.item is not None:
            where.append(f"exercise {self.item + 1}" + (f" ({self.exercise})"
                                                         if self.exercise else ""))
        return (", ".join(where) + ": " if where else "") + self.message


def dose_problem(item: PlanItem, ex: Exercise, row: DoseRow, deload: bool,
                 e1rm: float | None, config: PlannerConfig) -> str | None:
    """Why ``item`` does not fit guidance row ``row`` (None when it fits)."""
    per = config.periodization
    if row.reps is not None:
        if item.reps is None or not row.reps[0] <= item.reps <= row.reps[1]:
            return f"reps {item.reps} outside {row.reps[0]}-{row.reps[1]}"
    elif row.seconds is not None and (item.duration_seconds is None or not row.seconds[0]
                                      <= item.duration_seconds <= row.seconds[1]):
        return f"duration {item.duration_seconds} s outside {row.seconds} s"
    if not row.rest_seconds[0] <= item.rest_seconds <= row.rest_seconds[1]:
        return f"rest {item.rest_seconds} s outside {row.rest_seconds[0]}-{row.rest_seconds[1]} s"
    top_sets = row.sets[1]
    if item.sets > top_sets or (not deload and item.sets < row.sets[0]):
        return f"{item.sets} sets outside {row.sets[0]}-{row.sets[1]}"
    lo_rpe, hi_rpe = row.rpe_range
    if deload:
        lo_rpe, hi_rpe = 1.0, hi_rpe - per.deload_rir_add
    it = item.intensity
    if it.rpe is not None and not lo_rpe <= it.rpe <= hi_rpe:
        return f"RPE {it.rpe:g} outside {lo_rpe:g}-{hi_rpe:g}"
    if it.rpe is not None:
        return None
    if row.percent_1rm is None or not ex.loadable:
        return f"{it.kind} makes no sense for {ex.name}; use an RPE target"
    lo, hi = row.percent_1rm
    if deload:
        lo, hi = config.chart.floor, hi - per.deload_percent_drop
    if it.percent_1rm is not None:
        pct, slack = it.percent_1rm, 0.0
    else:
        if e1rm is None:
            return "a load in kg without logged sets to estimate a 1RM from"
        step = config.loads.rounding_kg.get(ex.equipment, 2.5)  # a load is rounded to a step
        pct = 100.0 * float(it.load_kg or 0) / e1rm
        slack = config.loads.load_tolerance_percent + 100.0 * step / e1rm
    if not lo - slack <= pct <= hi + slack:
        return f"{pct:.1f} % 1RM outside {lo:g}-{hi:g} %"
    return None


def _item_checks(item: PlanItem, profile: MemberProfile, library: ExerciseLibrary,
                 deload: bool, e1rms: dict[str, float], config: PlannerConfig) -> list[str]:
    if item.exercise_id not in library:
        return [f"unknown exercise {item.exercise_id!r}"]
    ex = library.get(item.exercise_id)
    out = []
    if (item.name, item.equipment, tuple(item.primary_muscles)) != (ex.name, ex.equipment,
                                                                     ex.primary_muscles):
        out.append(f"facts of {ex.id} differ from the library")
    if not ex.fits_kit(profile.available_equipment):
        out.append(f"{ex.name} needs {ex.kit_words()}, not all in the member's equipment")
    hurt = sorted(profile.injury_areas & set(ex.contraindications))
    if hurt:
        out.append(f"{ex.name} loads the injured {', '.join(hurt)}")
    if ex.id in profile.preferences.disliked:
        out.append(f"{ex.name} is on the member's disliked list")
    if LEVEL_RANK[ex.level] > LEVEL_RANK[profile.fitness_level]:
        out.append(f"{ex.name} is {ex.level}, above the member's level")
    if not item.reason.strip():
        out.append("no reason given")
    roles = allowed_roles(ex)
    rows = [config.dose_row(profile.primary_goal, r, profile.fitness_level) for r in roles]
    problems = [dose_problem(item, ex, row, deload, e1rms.get(ex.id), config) for row in rows]
    if all(problems):
        out.append(f"{ex.name}: {problems[0]} ({rows[0].source})")
    elif ex.pattern == "conditioning":
        fitting = [r for r, p in zip(roles, problems, strict=True) if p is None]
        out += _zone_problems(item, fitting, profile, deload, config)
    return out


def _zone_problems(item: PlanItem, roles: Sequence[str], profile: MemberProfile,
                   deload: bool, config: PlannerConfig) -> list[str]:
    """A cardio item aims for the zones its block calls for, in the member's own bpm."""
    if item.heart_rate is None:
        return [f"{item.name}: a cardio block without heart-rate zones to aim for"]
    expected = [heart_rate(profile, r, deload, config) for r in roles]
    if item.heart_rate not in expected:
        want = " or ".join(e.words() for e in expected)
        return [f"{item.name}: aims for {item.heart_rate.words()}, the member's zones for "
                f"this block are {want}"]
    return []


def waived_muscles(profile: MemberProfile, library: ExerciseLibrary,
                   config: PlannerConfig) -> set[str]:
    """Target muscles no allowed exercise can train (the generator waives them with a warning)."""
    pool = member_pool(library, profile)
    spec = config.volume.targets[profile.primary_goal]  # type: ignore[index]
    return {m for m in spec.muscles
            if not any(m in e.primary_muscles or m in e.secondary_muscles for e in pool)}


def check_plan(plan: Plan, profile: MemberProfile, library: ExerciseLibrary,
               config: PlannerConfig) -> list[Violation]:
    """Every way ``plan`` breaks the guidance or the member's limits (empty list = passes)."""
    out: list[Violation] = []
    if plan.member_id != profile.member_id:
        out.append(Violation("member", "plan belongs to another member"))
    e1rms = {k: v.kg for k, v in estimate_one_rep_maxes(
        profile.training_history, config.one_rep_max, config.chart).items()}
    spec = config.volume.targets[profile.primary_goal]  # type: ignore[index]
    targets = [m for m in spec.muscles if m not in waived_muscles(profile, library, config)]
    limited = injury_limited(profile, library)
    strength_days = None
    for week in plan.weeks:
        if len(week.sessions) != profile.days_per_week:
            out.append(Violation("sessions", f"{len(week.sessions)} sessions, member trains "
                                 f"{profile.days_per_week} days", week.week))
        for s, session in enumerate(week.sessions):
            ids = [i.exercise_id for i in session.exercises]
            day = session.day
            if len(ids) != len(set(ids)):
                out.append(Violation("duplicate", "an exercise appears twice", week.week, s,
                                     day=day))
            if len(ids) > config.session.max_exercises:
                out.append(Violation("crowded", f"{len(ids)} exercises", week.week, s, day=day))
            for i, item in enumerate(session.exercises):
                for msg in _item_checks(item, profile, library, week.deload, e1rms, config):
                    out.append(Violation("item", msg, week.week, s, i, day, item.name))
            if session.in_class:
                if session.heart_rate != heart_rate(profile, "intervals", week.deload, config):
                    out.append(Violation("zones", "a studio class session must name the "
                                         "member's interval zones to aim for", week.week, s,
                                         day=day))
                continue
            if not all(i.exercise_id in library for i in session.exercises):
                continue
            minutes = session_minutes(session.exercises, config)
            if abs(minutes - session.estimated_minutes) > MINUTES_SLACK:
                out.append(Violation("minutes", f"estimated {session.estimated_minutes} min, "
                                     f"rules give {minutes}", week.week, s, day=day))
            if minutes > profile.minutes_per_session + 1e-6:
                out.append(Violation("time_budget", f"{minutes} min exceeds "
                                     f"{profile.minutes_per_session} min", week.week, s,
                                     day=day))
        if all(i.exercise_id in library for s in week.sessions for i in s.exercises):
            strength_days = sum(s.focus != "conditioning" for s in week.sessions)
            out += _week_volume(week, targets, spec.min, strength_days, library, config,
                                limited)
    out += _deloads(plan, library, config)
    if plan.weeks and strength_days is not None:
        first = next((w for w in plan.weeks if not w.deload), plan.weeks[0])
        volume = effective_sets([i for s in first.sessions for i in s.exercises],
                                config.volume.indirect_weight, library)
        if {m: round(v, 1) for m, v in volume.items() if v} != \
                {m: v for m, v in plan.weekly_sets_per_muscle.items() if v}:
            out.append(Violation("summary", "weekly_sets_per_muscle does not match the sessions"))
    return out


def _week_volume(week: Week, targets: Sequence[str], min_sets: float, strength_days: int,
                 library: ExerciseLibrary, config: PlannerConfig, limited: set[str]
                 ) -> list[Violation]:
    """Weekly sets per target muscle, twice-a-week frequency and the 48 h rule.

    Minimum and frequency are not enforced for muscles an injury limits (see
    :func:`planner.candidates.injury_limited`); the flag line and 48 h always are."""
    rules = config.volume
    out = []
    items = [i for s in week.sessions for i in s.exercises]
    volume = effective_sets(items, rules.indirect_weight, library)
    for m in targets:
        have = volume.get(m, 0.0)
        if not week.deload and have < min_sets and m not in limited:
            out.append(Violation("volume_low", f"{m}: {have:g} weekly sets, guidance asks "
                                 f">= {min_sets:g}", week.week))
        if have > rules.flag_above:
            out.append(Violation("volume_high", f"{m}: {have:g} weekly sets, above the "
                                 f"{rules.flag_above:g} flag", week.week))
    per_session = [effective_sets(s.exercises, rules.indirect_weight, library)
                   for s in week.sessions]
    if not week.deload and strength_days >= rules.min_sessions_per_muscle:
        for m in (t for t in targets if t not in limited):
            days = sum(v.get(m, 0.0) >= rules.session_hit_sets for v in per_session)
            if days < rules.min_sessions_per_muscle:
                out.append(Violation("frequency", f"{m} trained on {days} day(s), guidance "
                                     f"asks {rules.min_sessions_per_muscle}", week.week))
    loaded = [{m for i in s.exercises if library.get(i.exercise_id).pattern != "conditioning"
               for m in i.primary_muscles} for s in week.sessions]
    for a, sa in enumerate(week.sessions):
        for b in range(a + 1, len(week.sessions)):
            if too_close(sa.day, week.sessions[b].day, rules.hard_gap_hours):
                shared = sorted(loaded[a] & loaded[b])
                if shared:
                    out.append(Violation("recovery", f"{', '.join(shared)} loaded on "
                                         f"{_DAYS[sa.day - 1]} and "
                                         f"{_DAYS[week.sessions[b].day - 1]}, under "
                                         f"{rules.hard_gap_hours:g} h apart", week.week))
    return out


def _deloads(plan: Plan, library: ExerciseLibrary, config: PlannerConfig) -> list[Violation]:
    """Deload every 4-6 weeks; a deload keeps the exercises and about halves each one's sets."""
    out = []
    run = 0
    for index, week in enumerate(plan.weeks):
        if not week.deload:
            run += 1
            if run > MAX_LOADING_RUN:
                out.append(Violation("deload", f"{run} loading weeks without a deload "
                                     "(bell2023: every 4-6 weeks)", week.week))
            continue
        if run < MIN_LOADING_RUN:
            out.append(Violation("deload", f"deload after only {run} loading weeks", week.week))
        run = 0
        if index == 0:
            continue
        prev = plan.weeks[index - 1]
        if [[i.exercise_id for i in s.exercises] for s in week.sessions] != \
                [[i.exercise_id for i in s.exercises] for s in prev.sessions]:
            out.append(Violation("deload", "deload week changes the exercises", week.week))
        frac = config.periodization.deload_set_fraction
        for a, b in zip(prev.sessions, week.sessions, strict=False):
            for before, after in zip(a.exercises, b.exercises, strict=False):
                most = max(1, math.ceil(frac * before.sets))
                if after.sets > most:
                    out.append(Violation("deload", f"{after.name}: {after.sets} of "
                                         f"{before.sets} sets kept, a deload keeps about "
                                         f"{frac:.0%} (at most {most})", week.week))
    return out


def validate_and_repair(plan: Plan, profile: MemberProfile, library: ExerciseLibrary,
                        config: PlannerConfig) -> Plan:
    """Return ``plan`` if it passes; else a repaired copy that passes; else raise."""
    found = check_plan(plan, profile, library, config)
    if not found:
        return plan
    from planner.repair import repair_plan

    repaired, notes = repair_plan(plan, profile, library, config)
    remaining = check_plan(repaired, profile, library, config)
    if remaining:
        raise PlanRejected(plan.member_id, [str(v) for v in remaining])
    shown = "; ".join(notes[:5]) + (f" (+{len(notes) - 5} more)" if len(notes) > 5 else "")
    return repaired.model_copy(update={"warnings": [*repaired.warnings,
                                                    f"validator repaired: {shown}"]})
