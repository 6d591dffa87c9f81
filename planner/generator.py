"""Plan generation: profile -> split -> shortlists -> CP-SAT week -> periodized weeks -> check.

``generate_plan`` either returns a plan that passed :mod:`planner.validation` or raises
:class:`PlanInfeasible` saying what stops a guidance-conform plan (kit, time, injuries) and
what would fix it. It never hands back a quietly weaker plan.
"""

from __future__ import annotations

from collections import Counter

import structlog

from planner.build import build_plan
from planner.candidates import Candidate, injury_limited, member_pool, slot_candidates
from planner.config import PlannerConfig, default_config
from planner.errors import PlanInfeasible, PlannerError
from planner.greedy import greedy_selection
from planner.library import ExerciseLibrary, allowed
from planner.models import Exercise, MemberProfile, Plan
from planner.prescription import estimate_one_rep_maxes
from planner.selection import (
    Selection,
    SelectionProblem,
    TargetSets,
    frequency_misses,
    short_targets,
    solve_selection,
    volume_upper_bound,
)
from planner.split import SessionSpec, WeekLayout, too_close, week_layout
from planner.validation import validate_and_repair

log = structlog.get_logger(__name__)
MAX_WEEKS = 52
RETRY_EFFORT = 4     # a near-miss week gets four times the search before it counts as infeasible
NEAR_MISS_SETS = 2.0  # weekly sets short, summed over muscles, that still count as a near miss


def _trains(pool: list[Exercise], muscle: str) -> bool:
    return any(muscle in ex.primary_muscles or muscle in ex.secondary_muscles for ex in pool)


def _kit_suggestion(library: ExerciseLibrary, profile: MemberProfile, muscle: str) -> str:
    """Equipment that would give direct work for ``muscle`` within the member's limits."""
    kits: Counter[str] = Counter()
    for ex in library:
        if muscle in ex.primary_muscles and ex.pattern not in ("mobility", "power") \
                and not ex.specialty and allowed(ex, avoid_areas=profile.injury_areas,
                                                 level=profile.fitness_level):
            kits[ex.equipment] += 1
    options = [k for k, _ in kits.most_common() if k not in profile.available_equipment]
    return ", ".join(options[:3]) or "a coach's review"


def _targets(profile: MemberProfile, pool: list[Exercise], library: ExerciseLibrary,
             config: PlannerConfig, warnings: list[str], blockers: list[str]
             ) -> dict[str, TargetSets]:
    """The goal's weekly targets, minus muscles an injury rules out (a stated waiver)."""
    spec = config.volume.targets[profile.primary_goal]  # type: ignore[index]
    targets: dict[str, TargetSets] = {}
    for muscle in spec.muscles:
        if _trains(pool, muscle):
            targets[muscle] = TargetSets(spec.min, spec.typical, spec.max)
            continue
        unhurt = profile.model_copy(update={"injuries": []})
        if _trains(member_pool(library, unhurt), muscle):
            areas = ", ".join(sorted(profile.injury_areas))
            warnings.append(f"{muscle} target waived: every exercise for it loads the injured "
                            f"{areas}; ask a physio before adding it back")
        else:
            blockers.append(f"no exercise trains {muscle} with {', '.join(profile.equipment)}"
                            f" (add {_kit_suggestion(library, profile, muscle)})")
    for goal in profile.goals[1:]:  # lower-ranked goals raise the aim, never the minimum
        extra = config.volume.targets[goal]
        for muscle in extra.muscles:
            if not _trains(pool, muscle):
                continue
            have = targets.get(muscle, TargetSets(0.0, 0.0, 0.0))
            targets[muscle] = TargetSets(have.min, max(have.typical, extra.typical),
                                         max(have.max, extra.max))
    return targets


def _shortlists(layout: WeekLayout, pool: list[Exercise], profile: MemberProfile,
                one_rms: dict[str, object], targets: dict[str, TargetSets],
                config: PlannerConfig, warnings: list[str], blockers: list[str]
                ) -> tuple[tuple[tuple[Candidate, ...], ...], ...]:
    choices = []
    for spec in layout.sessions:
        slots = []
        for slot in spec.slots:
            cands = tuple(slot_candidates(pool, slot, profile, one_rms,  # type: ignore[arg-type]
                                          frozenset(targets), config))
            if slot.required and not cands:
                msg = f"{spec.focus} day: no {'/'.join(slot.patterns)} exercise fits"
                if profile.injuries:
                    warnings.append(msg + " your kit and injuries; slot left out")
                else:
                    blockers.append(msg + f" {', '.join(profile.equipment)}")
            slots.append(cands)
        if not any(slots):
            blockers.append(f"{spec.focus} day: no exercise fits at all")
        choices.append(tuple(slots))
    return tuple(choices)


def _time_reasons(short: dict[str, float], problem: SelectionProblem, profile: MemberProfile,
                  pool: list[Exercise], library: ExerciseLibrary) -> list[str]:
    reasons = []
    minutes = 0.0
    per_set = [c.seconds_per_set for slots in problem.choices for cs in slots for c in cs]
    typical = sorted(per_set)[len(per_set) // 2] if per_set else 120
    for muscle, missing in sorted(short.items()):
        direct = any(muscle in ex.primary_muscles for ex in pool)
        if not direct:
            reasons.append(f"{muscle}: only indirect work fits your equipment; "
                           f"{problem.targets[muscle].min:g} weekly sets need direct work "
                           f"(add {_kit_suggestion(library, profile, muscle)})")
        else:
            reasons.append(f"{muscle}: {problem.targets[muscle].min - missing:g} of "
                           f"{problem.targets[muscle].min:g} weekly sets fit in "
                           f"{profile.days_per_week} x {profile.minutes_per_session} min")
            minutes += missing * typical / 60.0
    if minutes:
        reasons.append(f"about {minutes:.0f} more minutes a week are needed for the "
                       f"{profile.primary_goal} volume: add a session or time per session, "
                       "or rank a lower-volume goal first")
    return reasons


def _conflicts(sessions: tuple[SessionSpec, ...], gap_hours: float) -> tuple[tuple[int, int], ...]:
    return tuple((a.index, b.index) for a in sessions for b in sessions
                 if a.index < b.index and too_close(a.day, b.day, gap_hours))


def _select(problem: SelectionProblem, effort: float) -> Selection:
    """Greedy week, then CP-SAT from it; keep the better.

    A week that misses a minimum by a set or two gets a longer search before the profile is
    called infeasible; wider misses do not (measured: 0 of 28 such random profiles became
    feasible with 100 times the effort), and provably unreachable minimums never do."""
    best = greedy_selection(problem)
    for attempt in (effort, RETRY_EFFORT * effort):
        solved = solve_selection(problem, effort=attempt, hint=best if best.picks else None)
        if solved.picks and (not best.picks or (solved.objective or 0) >= (best.objective or 0)):
            best = solved
        if solved.status == "OPTIMAL" or not best.picks:
            break
        short = short_targets(best, problem.targets)
        missed = frequency_misses(best, problem)
        if not short and not missed:
            break
        if sum(short.values()) > NEAR_MISS_SETS or any(
                volume_upper_bound(problem, m) < problem.targets[m].min for m in short):
            break
    return best


def generate_plan(profile: MemberProfile, weeks: int, *, library: ExerciseLibrary | None = None,
                  config: PlannerConfig | None = None, effort: float = 0.05,
                  optimizer: bool = True) -> Plan:
    """A validated ``weeks``-week plan for ``profile``, or :class:`PlanInfeasible`.

    ``effort`` is the CP-SAT work limit (deterministic units); ``optimizer=False`` keeps
    the greedy week only, the benchmark's baseline.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise PlannerError(f"weeks must be 1-{MAX_WEEKS}, got {weeks}")
    config = config or default_config()
    if library is None:
        from planner.io import default_library
        library = default_library()
    unknown = [i for i in profile.preferences.liked + profile.preferences.disliked
               if i not in library]
    warnings = [f"preference for unknown exercise {i!r} ignored" for i in unknown]
    blockers: list[str] = []
    one_rms = estimate_one_rep_maxes(profile.training_history, config.one_rep_max, config.chart)
    layout = week_layout(profile.days_per_week, profile.fitness_level, profile.goals)
    warnings += list(layout.notes)
    pool = member_pool(library, profile)
    targets = _targets(profile, pool, library, config, warnings, blockers)
    choices = _shortlists(layout, pool, profile, one_rms, targets,  # type: ignore[arg-type]
                          config, warnings, blockers)
    warnings = list(dict.fromkeys(warnings))
    if blockers:
        raise PlanInfeasible(profile.member_id, list(dict.fromkeys(blockers)))
    rank = next((i for i, g in enumerate(profile.goals) if g in ("fat_loss", "endurance")), None)
    problem = SelectionProblem(
        sessions=layout.sessions, choices=choices,
        budget_seconds=int((profile.minutes_per_session - config.session.warmup_minutes) * 60),
        transition_seconds=int(config.session.transition_seconds),
        max_exercises=config.session.max_exercises, targets=targets,
        flag_above=config.volume.flag_above, min_sessions=config.volume.min_sessions_per_muscle,
        hit_half_sets=int(round(2 * config.volume.session_hit_sets)),
        conflicts=_conflicts(layout.sessions, config.volume.hard_gap_hours),
        conditioning_bonus=0 if rank is None else 60 // (rank + 1),
        frequency_applies=sum(spec.focus != "conditioning" for spec in layout.sessions)
        >= config.volume.min_sessions_per_muscle)
    selection = _select(problem, effort) if optimizer else greedy_selection(problem)
    log.debug("planner.solved", member_id=profile.member_id, status=selection.status,
              ms=round(selection.wall_ms, 1), objective=selection.objective)
    if not selection.picks:
        need = min((c.seconds_per_set * c.row.sets[0] for s in choices for cs in s for c in cs),
                   default=0)
        raise PlanInfeasible(profile.member_id, [
            f"the required main lifts do not fit {profile.minutes_per_session} min sessions "
            f"(solver: {selection.status}; a single lift needs at least {need / 60:.0f} min "
            f"after a {config.session.warmup_minutes:g} min warm-up); allow more minutes"])
    limited = injury_limited(profile, library)
    short = short_targets(selection, targets)
    for muscle in sorted(set(short) & limited):
        have = targets[muscle].min - short.pop(muscle)
        warnings.append(f"{muscle}: {have:g} weekly sets, under the {targets[muscle].min:g} "
                        f"guidance: the injured {', '.join(sorted(profile.injury_areas))} "
                        "rules out part of its exercises")
    reasons = _time_reasons(short, problem, profile, pool, library) if short else []
    for muscle in frequency_misses(selection, problem):
        if muscle in limited:
            warnings.append(f"{muscle} trained on fewer than {problem.min_sessions} days "
                            "because of the injury")
            continue
        reasons.append(f"{muscle} cannot be trained on {problem.min_sessions} days a week "
                       "within the time budget (schoenfeld2016)")
    if reasons:
        raise PlanInfeasible(profile.member_id, reasons)
    plan = build_plan(profile, layout, selection, weeks, one_rms, config, library, warnings)
    return validate_and_repair(plan, profile, library, config)
