"""Plan generation: profile -> split -> shortlists -> CP-SAT week -> periodized weeks -> check.

``generate_plan`` either returns a plan that passed :mod:`planner.validation` or raises
:class:`PlanInfeasible` saying what stops a guidance-conform plan (kit, time, injuries) and
what would fix it. It never hands back a quietly weaker plan.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from planner.build import build_plan
from planner.candidates import Candidate, injury_limited, member_pool, slot_candidates
from planner.config import PlannerConfig, default_config
from planner.errors import PlanInfeasible, PlannerError
from planner.greedy import greedy_selection
from planner.library import ExerciseLibrary, allowed
from planner.models import Exercise, MemberProfile, Plan
from planner.prescription import OneRepMax, estimate_one_rep_maxes
from planner.selection import (
    Selection,
    SelectionProblem,
    TargetSets,
    frequency_misses,
    short_targets,
    solve_selection,
    unreachable_targets,
    volume_upper_bound,
    weekly_work_bound,
)
from planner.split import SessionSpec, WeekLayout, too_close, week_layout
from planner.validation import validate_and_repair

log = structlog.get_logger(__name__)
MAX_WEEKS = 52
RETRY_EFFORT = 4     # a near-miss week gets four times the search before it counts as infeasible
NEAR_MISS_SETS = 2.0  # weekly sets short, summed over muscles, that still count as a near miss


def _kit_words(profile: MemberProfile) -> str:
    return ", ".join(sorted(set(profile.equipment)))


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
            blockers.append(f"no exercise trains {muscle} with {_kit_words(profile)}"
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
                    blockers.append(msg + f" {_kit_words(profile)}")
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


def _bound_reasons(out_of_reach: Mapping[str, float], rare: list[str],
                   work: tuple[float, float], problem: SelectionProblem,
                   profile: MemberProfile, pool: list[Exercise], library: ExerciseLibrary
                   ) -> list[str]:
    """Reasons for targets the relaxations prove out of reach (no search was needed)."""
    reasons = []
    for muscle, most in out_of_reach.items():
        need = problem.targets[muscle].min
        if not any(muscle in ex.primary_muscles for ex in pool):
            reasons.append(f"{muscle}: only indirect work fits your equipment; {need:g} "
                           f"weekly sets need direct work (add "
                           f"{_kit_suggestion(library, profile, muscle)})")
        else:
            reasons.append(f"{muscle}: at most {math.floor(2 * most) / 2:g} of {need:g} "
                           f"weekly sets fit in {profile.days_per_week} x "
                           f"{profile.minutes_per_session} min")
    needed, held = work
    if needed > held:
        mins = sorted({t.min for t in problem.targets.values()})
        reasons.append(
            f"the {profile.primary_goal} minimums ({'/'.join(f'{m:g}' for m in mins)} weekly "
            f"sets for each of {len(problem.targets)} muscles) need at least "
            f"{needed / 60:.0f} min of sets a week, {profile.days_per_week} x "
            f"{profile.minutes_per_session} min sessions hold {held / 60:.0f} min after "
            f"warm-ups: about {max(1.0, (needed - held) / 60):.0f} more minutes a week are "
            "needed; add a session or time per session, or rank a lower-volume goal first")
    reasons += [f"{muscle} cannot be trained on {problem.min_sessions} days a week within the "
                "time budget (schoenfeld2016)" for muscle in rare]
    return reasons


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


@dataclass(frozen=True)
class WeekChoice:
    """The week stage of a plan: everything that depends only on the profile's signature."""

    layout: WeekLayout
    selection: Selection
    warnings: tuple[str, ...]


def _week_choice(profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig,
                 one_rms: dict[str, OneRepMax], effort: float, optimizer: bool) -> WeekChoice:
    """Split, shortlists, selection and the refusal rules; raises :class:`PlanInfeasible`."""
    warnings: list[str] = []
    blockers: list[str] = []
    layout = week_layout(profile.days_per_week, profile.fitness_level, profile.goals)
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
        raise PlanInfeasible(profile.member_id, _bound_reasons(
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
    return WeekChoice(layout, selection, tuple(warnings))


def signature(profile: MemberProfile, one_rms: Mapping[str, object]) -> tuple[object, ...]:
    """What the week stage depends on: two profiles with equal signatures get the same week.

    Loads, age, body weight, the member id and the intensity mode only shape the weeks
    built from it (and the order of goals matters: the first one drives the doses)."""
    prefs = profile.preferences
    return (profile.days_per_week, profile.fitness_level, tuple(profile.goals),
            tuple(sorted(set(profile.equipment))), tuple(sorted(profile.injury_areas)),
            profile.minutes_per_session, tuple(sorted(set(prefs.liked))),
            tuple(sorted(set(prefs.disliked))), tuple(sorted(one_rms)))


class SelectionCache:
    """Memo of the week stage by profile signature, for batches of many members.

    A studio's members share its kit and cluster on a few goals, levels and week shapes;
    each distinct signature is solved once and every other member with it reuses the week
    (the weeks, loads and the rule check are still made per member). Bounded (LRU);
    ``hits``/``misses`` say how much it saved. Entries remember the library and guidance
    table they were made with and never answer for another one."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[object, ...], tuple[object, object, object]] = \
            OrderedDict()

    def lookup(self, key: tuple[object, ...], library: ExerciseLibrary,
               config: PlannerConfig) -> WeekChoice | PlanInfeasible | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] is not library or entry[1] is not config:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[2]  # type: ignore[return-value]

    def store(self, key: tuple[object, ...], library: ExerciseLibrary, config: PlannerConfig,
              value: WeekChoice | PlanInfeasible) -> None:
        self._entries[key] = (library, config, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


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
