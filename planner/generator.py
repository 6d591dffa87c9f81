"""Plan generation: profile -> split -> shortlists -> CP-SAT week -> periodized weeks -> check.

``generate_plan`` either returns a plan that passed :mod:`planner.validation` or raises
:class:`PlanInfeasible` saying what stops a guidance-conform plan (kit, time, injuries) and
what would fix it. It never hands back a quietly weaker plan.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from planner.bounds import unreachable_targets, volume_upper_bound, weekly_work_bound
from planner.build import build_plan
from planner.cache import SelectionCache, WeekChoice, signature
from planner.candidates import Candidate, injury_limited, member_pool, slot_candidates
from planner.config import PlannerConfig, default_config
from planner.errors import PlanInfeasible, PlannerError
from planner.greedy import greedy_selection
from planner.library import ExerciseLibrary
from planner.models import Exercise, MemberProfile, Plan
from planner.prescription import OneRepMax, estimate_one_rep_maxes
from planner.reasons import bound_reasons, kit_suggestion, kit_words, time_reasons
from planner.selection import (
    Selection,
    SelectionProblem,
    TargetSets,
    frequency_misses,
    short_targets,
    solve_selection,
)
from planner.split import SessionSpec, WeekLayout, too_close, week_layout
from planner.validation import validate_and_repair

log = structlog.get_logger(__name__)
MAX_WEEKS = 52
RETRY_EFFORT = 4     # a near-miss week gets four times the search before it counts as infeasible
NEAR_MISS_SETS = 2.0  # weekly sets short, summed over muscles, that still count as a near miss


def _trains(pool: list[Exercise], muscle: str) -> bool:
    return any(muscle in ex.primary_muscles or muscle in ex.secondary_muscles for ex in pool)


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
            blockers.append(f"no exercise trains {muscle} with {kit_words(profile)}"
                            f" (add {kit_suggestion(library, profile, muscle)})")
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
                one_rms: Mapping[str, OneRepMax], targets: dict[str, TargetSets],
                config: PlannerConfig, warnings: list[str], blockers: list[str]
                ) -> tuple[tuple[tuple[Candidate, ...], ...], ...]:
    choices = []
    for spec in layout.sessions:
        slots = []
        for slot in spec.slots:
            cands = tuple(slot_candidates(pool, slot, profile, one_rms,
                                          frozenset(targets), config))
            if slot.required and not cands:
                msg = f"{spec.focus} day: no {'/'.join(slot.patterns)} exercise fits"
                if profile.injuries:
                    warnings.append(msg + " your kit and injuries; slot left out")
                else:
                    blockers.append(msg + f" {kit_words(profile)}")
            slots.append(cands)
        if not any(slots) and not spec.in_class:
            blockers.append(f"{spec.focus} day: no exercise fits at all")
        choices.append(tuple(slots))
    return tuple(choices)


def _required_overflow(problem: SelectionProblem) -> bool:
    """Whether some session cannot hold even the lightest dose of each required slot."""
    for s, slots in enumerate(problem.choices):
        need = 0
        for k, cands in enumerate(slots):
            if problem.sessions[s].slots[k].required and cands:
                need += min(c.seconds_per_set * c.row.sets[0] for c in cands) \
                    + problem.transition_seconds
        if need > problem.budget_seconds:
            return True
    return False


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


def _week_choice(profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig,
                 one_rms: dict[str, OneRepMax], effort: float, optimizer: bool) -> WeekChoice:
    """Split, shortlists, selection and the refusal rules; raises :class:`PlanInfeasible`."""
    warnings: list[str] = []
    blockers: list[str] = []
    layout = week_layout(profile.days_per_week, profile.fitness_level, profile.goals,
                         profile.class_days)
    warnings += list(layout.notes)
    pool = member_pool(library, profile)
    targets = _targets(profile, pool, library, config, warnings, blockers)
    choices = _shortlists(layout, pool, profile, one_rms, targets, config, warnings, blockers)
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
    limited = injury_limited(profile, library)
    # Proven out of reach by the relaxation: refuse before spending any search on it.
    out_of_reach, rare = unreachable_targets(problem, limited)
    work, held = weekly_work_bound(problem, limited)
    if out_of_reach or rare or work > held:
        raise PlanInfeasible(profile.member_id, bound_reasons(
            out_of_reach, rare, (work, held), problem, profile, pool, library))
    # Required slots that cannot all fit make the model infeasible: the solver could only
    # say so, and the greedy week (which leaves out what does not fit) is the answer anyway.
    search = optimizer and not _required_overflow(problem)
    selection = _select(problem, effort) if search else greedy_selection(problem)
    log.debug("planner.solved", member_id=profile.member_id, status=selection.status,
              ms=round(selection.wall_ms, 1), objective=selection.objective)
    if not selection.picks:
        need = min((c.seconds_per_set * c.row.sets[0] for s in choices for cs in s for c in cs),
                   default=0)
        raise PlanInfeasible(profile.member_id, [
            f"the required main lifts do not fit {profile.minutes_per_session} min sessions "
            f"(solver: {selection.status}; a single lift needs at least {need / 60:.0f} min "
            f"after a {config.session.warmup_minutes:g} min warm-up); allow more minutes"])
    short = short_targets(selection, targets)
    for muscle in sorted(set(short) & limited):
        have = targets[muscle].min - short.pop(muscle)
        warnings.append(f"{muscle}: {have:g} weekly sets, under the {targets[muscle].min:g} "
                        f"guidance: the injured {', '.join(sorted(profile.injury_areas))} "
                        "rules out part of its exercises")
    reasons = time_reasons(short, problem, profile, pool, library) if short else []
    for muscle in frequency_misses(selection, problem):
        if muscle in limited:
            warnings.append(f"{muscle} trained on fewer than {problem.min_sessions} days "
                            "because of the injury")
            continue
        reasons.append(f"{muscle} cannot be trained on {problem.min_sessions} days a week "
                       "within the time budget (schoenfeld2016)")
    if reasons:
        raise PlanInfeasible(profile.member_id, reasons)
    return WeekChoice(layout, selection, tuple(warnings))


def generate_plan(profile: MemberProfile, weeks: int, *, library: ExerciseLibrary | None = None,
                  config: PlannerConfig | None = None, effort: float = 0.05,
                  optimizer: bool = True, cache: SelectionCache | None = None) -> Plan:
    """A validated ``weeks``-week plan for ``profile``, or :class:`PlanInfeasible`.

    ``effort`` is the CP-SAT work limit (deterministic units); ``optimizer=False`` keeps
    the greedy week only, the benchmark's baseline. ``cache`` reuses the week stage of an
    earlier profile with the same :func:`signature` (batches).
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise PlannerError(f"weeks must be 1-{MAX_WEEKS}, got {weeks}")
    config = config or default_config()
    if library is None:
        from planner.io import default_library
        library = default_library()
    unknown = [i for i in profile.preferences.liked + profile.preferences.disliked
               if i not in library]
    one_rms = estimate_one_rep_maxes(profile.training_history, config.one_rep_max, config.chart)
    key = (*signature(profile, one_rms), effort, optimizer)
    found = cache.lookup(key, library, config) if cache is not None else None
    if found is None:
        try:
            found = _week_choice(profile, library, config, one_rms, effort, optimizer)
        except PlanInfeasible as exc:
            found = exc
        if cache is not None:
            cache.store(key, library, config, found)
    if isinstance(found, PlanInfeasible):
        raise PlanInfeasible(profile.member_id, list(found.reasons))
    warnings = [f"preference for unknown exercise {i!r} ignored" for i in unknown]
    warnings = list(dict.fromkeys([*warnings, *found.warnings]))
    plan = build_plan(profile, found.layout, found.selection, weeks, one_rms, config, library,
                      warnings)
    return validate_and_repair(plan, profile, library, config)
