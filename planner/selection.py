"""Exercise selection as a CP-SAT model: which candidate fills each slot, and how many sets.

Hard rules (the solver may not break them): slot capacities (at least one exercise in a
required slot), no exercise twice in a session, the session's time budget
(sets x (work + rest) + transitions), at most ``max_exercises`` per session, no target
muscle above the flag line, and 48 h between sessions that load the same prime mover.
Soft goals, in falling weight: each target muscle's minimum weekly sets, training it on two
days, its typical volume, staying under its maximum, exercise quality and preferences, and
variety across the week. Soft goals let the solver always return its best week; the
generator then refuses the week if a minimum is still missed (never a silently worse plan).

The solver starts from the greedy week of :mod:`planner.greedy` and works for a fixed,
deterministic amount of effort, so results are reproducible and a plan costs milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from planner.candidates import Candidate
from planner.cpsat import ProtoModel
from planner.split import SessionSpec

# Objective weights (ours): a missed minimum half-set outweighs any preference.
W_MIN, W_FREQ, W_TYPICAL, W_OVER, W_REPEAT, W_SET = 1000, 400, 20, 30, 12, 1
W_SCORE, W_OPTIONAL = 10, 8
W_ITEM = 50  # each exercise must earn its place: fewer exercises with more sets beat many 1-setters
W_FEW = 30   # per set below the middle of the row's set range (3 of 2-4): a coach's usual dose


@dataclass(frozen=True)
class TargetSets:
    min: float
    typical: float
    max: float


@dataclass(frozen=True)
class SelectionProblem:
    sessions: tuple[SessionSpec, ...]
    choices: tuple[tuple[tuple[Candidate, ...], ...], ...]  # [session][slot] -> shortlist
    budget_seconds: int
    transition_seconds: int
    max_exercises: int
    targets: Mapping[str, TargetSets]
    flag_above: float
    min_sessions: int
    hit_half_sets: int
    conflicts: tuple[tuple[int, int], ...]        # session pairs closer than 48 h
    conditioning_bonus: int = 0
    frequency_applies: bool = True                # enough strength days for 2x a week

    def pick_value(self, cand: Candidate, slot_required: bool) -> int:
        """Objective points an item earns by itself (quality, preference, optional fill)."""
        bonus = 0 if slot_required else (
            self.conditioning_bonus if cand.role in ("conditioning", "steady", "intervals")
            else W_OPTIONAL)
        return int(round(W_SCORE * cand.score)) + bonus - W_ITEM


@dataclass(frozen=True)
class Pick:
    session: int
    slot: int
    candidate: Candidate
    sets: int


@dataclass
class Selection:
    picks: list[Pick]
    status: str
    wall_ms: float
    objective: float | None = None
    notes: list[str] = field(default_factory=list)

    def half_sets(self, session: int | None = None) -> dict[str, int]:
        """Volume per muscle in half-sets (indirect sets weigh 1, direct 2)."""
        out: dict[str, int] = {}
        for p in self.picks:
            if session is None or p.session == session:
                for muscle, w in p.candidate.half_sets.items():
                    out[muscle] = out.get(muscle, 0) + w * p.sets
        return out


def set_value(cand: Candidate, sets: int) -> int:
    """Objective points of giving an item ``sets`` sets (before the volume it adds)."""
    lo, hi = cand.row.sets
    if cand.role in ("steady", "intervals"):  # sized by the build, not by set count
        return -W_SET * sets
    middle = (lo + hi + 1) // 2
    return -W_SET * sets - W_FEW * max(0, middle - sets)


def set_options(cand: Candidate) -> tuple[int, ...]:
    """Set counts the model may pick: the whole range when short, else low, middle, high.

    Conditioning rounds (4-8) do not need every count; fewer literals keep solves fast."""
    lo, hi = cand.row.sets
    if cand.role in ("steady", "intervals"):  # the build sizes cardio blocks to the session
        return (lo,)
    if hi - lo <= 2:
        return tuple(range(lo, hi + 1))
    return (lo, (lo + hi) // 2, hi)


def evaluate(problem: SelectionProblem, picks: Sequence[Pick]) -> float:
    """The model's objective for any week (greedy or solved), for like-for-like comparison."""
    sel = Selection(list(picks), "", 0.0)
    total = 0.0
    uses: dict[str, int] = {}
    for p in picks:
        slot = problem.sessions[p.session].slots[p.slot]
        total += problem.pick_value(p.candidate, slot.required) + set_value(p.candidate, p.sets)
        uses[p.candidate.exercise.id] = uses.get(p.candidate.exercise.id, 0) + 1
    total -= W_REPEAT * sum(n - 1 for n in uses.values())
    volume = sel.half_sets()
    per_session = [sel.half_sets(s) for s in range(len(problem.sessions))]
    for m in set(volume) | set(problem.targets):
        v = volume.get(m, 0)
        t = problem.targets.get(m)
        if t is None:
            total -= W_OVER * max(0, v - int(2 * problem.flag_above))
            continue
        total -= W_MIN * max(0, round(2 * t.min) - v) + W_TYPICAL * max(0, round(2 * t.typical)
                                                                        - v)
        total -= W_OVER * max(0, v - int(2 * t.max))
        if problem.frequency_applies:
            days = sum(ps.get(m, 0) >= problem.hit_half_sets for ps in per_session)
            total -= W_FREQ * max(0, problem.min_sessions - days)
    return total


def solve_selection(problem: SelectionProblem, *, effort: float = 0.05,
                    max_seconds: float = 10.0, hint: Selection | None = None) -> Selection:
    """Solve the weekly selection model (OR-Tools CP-SAT).

    One worker, a fixed seed and a *deterministic* limit (``effort``, in CP-SAT's work
    units) make the answer reproducible on any machine; ``max_seconds`` is a safety net.
    """
    start = time.perf_counter()
    model = ProtoModel()
    # One boolean per (candidate, set count): a pure 0-1 model with no linking constraints.
    info: list[tuple[int, int, int, int]] = []          # (session, slot, candidate, sets)
    obj_vars: list[int] = []
    obj_coefs: list[int] = []
    by_muscle: dict[str, tuple[list[int], list[int]]] = {}   # muscle -> (literals, half-sets)
    by_session_muscle: dict[tuple[int, str], tuple[list[int], list[int]]] = {}
    primaries: dict[tuple[int, str], list[int]] = {}
    by_exercise: dict[str, list[int]] = {}
    # auxiliary variables and how to compute them from the choice literals (for a full hint)
    derived: list[tuple[int, list[int], list[int], int, str]] = []
    for s, slots in enumerate(problem.choices):
        in_session: dict[str, list[int]] = {}
        time_cost: list[int] = []
        session_lits: list[int] = []
        for k, cands in enumerate(slots):
            slot = problem.sessions[s].slots[k]
            in_slot: list[int] = []
            for c, cand in enumerate(cands):
                value = problem.pick_value(cand, slot.required)
                for n in set_options(cand):
                    x = model.new_bool()
                    info.append((s, k, c, n))
                    in_slot.append(x)
                    in_session.setdefault(cand.exercise.id, []).append(x)
                    by_exercise.setdefault(cand.exercise.id, []).append(x)
                    time_cost.append(n * cand.seconds_per_set + problem.transition_seconds)
                    obj_vars.append(x)
                    obj_coefs.append(value + set_value(cand, n))
                    for m, w in cand.half_sets.items():
                        for lits, weights in (by_muscle.setdefault(m, ([], [])),
                                              by_session_muscle.setdefault((s, m), ([], []))):
                            lits.append(x)
                            weights.append(w * n)
                        if w == 2:
                            primaries.setdefault((s, m), []).append(x)
            if in_slot:
                model.linear(in_slot, [1] * len(in_slot), hi=slot.count)
                if slot.required:
                    model.bool_or(in_slot)
            session_lits += in_slot
        for same in in_session.values():  # an exercise once per session, at one set count
            if len(same) > 1:
                model.at_most_one(same)
        model.linear(session_lits, time_cost, hi=problem.budget_seconds)
        model.linear(session_lits, [1] * len(session_lits), hi=problem.max_exercises)

    def penalty(lits: list[int], weights: list[int], bound: int, weight: int,
                below: bool) -> None:
        """Objective cost ``weight`` per half-set the sum falls below/rises above ``bound``."""
        gap = model.new_var(0, 10_000)
        derived.append((gap, lits, weights, bound, "below" if below else "above"))
        if below:  # gap + sum >= bound
            model.linear([gap, *lits], [1, *weights], lo=bound)
        else:      # sum - gap <= bound
            model.linear([gap, *lits], [-1, *weights], hi=bound)
        obj_vars.append(gap)
        obj_coefs.append(-weight)

    for m, (lits, weights) in sorted(by_muscle.items()):
        t = problem.targets.get(m)
        if t is None:
            penalty(lits, weights, int(2 * problem.flag_above), W_OVER, below=False)
            continue
        model.linear(lits, weights, hi=int(2 * problem.flag_above))
        penalty(lits, weights, round(2 * t.min), W_MIN, below=True)
        penalty(lits, weights, round(2 * t.typical), W_TYPICAL, below=True)
        penalty(lits, weights, int(2 * t.max), W_OVER, below=False)
        if problem.frequency_applies:
            hits = []
            for s in range(len(problem.choices)):
                mine = by_session_muscle.get((s, m))
                if mine:
                    hit = model.new_bool()
                    model.linear(mine[0], mine[1], lo=problem.hit_half_sets, enforce=[hit])
                    derived.append((hit, mine[0], mine[1], problem.hit_half_sets, "reach"))
                    hits.append(hit)
            penalty(hits, [1] * len(hits), problem.min_sessions, W_FREQ, below=True)
    for a, b in problem.conflicts:  # 48 h: a prime mover is loaded on at most one of the two
        for (s, m), loaded in primaries.items():
            if s == a and (b, m) in primaries:
                on_a, on_b = model.new_bool(), model.new_bool()
                derived += [(on_a, loaded, [1] * len(loaded), 1, "reach"),
                            (on_b, primaries[b, m], [1] * len(primaries[b, m]), 1, "reach")]
                for x in loaded:
                    model.implication(x, on_a)
                for x in primaries[b, m]:
                    model.implication(x, on_b)
                model.bool_or([-on_a - 1, -on_b - 1])
    for used in by_exercise.values():
        if len({info[x][0] for x in used}) > 1:
            penalty(used, [1] * len(used), 1, W_REPEAT, below=False)
    model.maximize(obj_vars, obj_coefs)
    if hint is not None:
        chosen = {(p.session, p.slot, p.candidate.exercise.id): p.sets for p in hint.picks}
        values = [int(chosen.get((s, k, problem.choices[s][k][c].exercise.id), 0) == n)
                  for s, k, c, n in info]
        aux: dict[int, int] = {}
        for var, lits, weights, bound, kind in derived:  # in creation order: hits before gaps
            total = sum(w * (values[x] if x < len(values) else aux[x])
                        for x, w in zip(lits, weights, strict=True))
            aux[var] = {"below": max(0, bound - total), "above": max(0, total - bound),
                        "reach": int(total >= bound)}[kind]
        model.hint([*range(len(info)), *aux], [*values, *aux.values()])
    result = model.solve(deterministic_limit=effort, max_seconds=max_seconds)
    picks = []
    if result.status in ("OPTIMAL", "FEASIBLE"):
        picks = [Pick(s, k, problem.choices[s][k][c], n)
                 for x, (s, k, c, n) in enumerate(info) if result.values[x]]
        picks.sort(key=lambda p: (p.session, p.slot, -p.candidate.score))
    return Selection(picks, result.status, (time.perf_counter() - start) * 1000,
                     objective=evaluate(problem, picks) if picks else None)


def short_targets(selection: Selection, targets: Mapping[str, TargetSets]) -> dict[str, float]:
    """Target muscles whose weekly minimum the selection misses, with the missing sets."""
    volume = selection.half_sets()
    return {m: t.min - volume.get(m, 0) / 2 for m, t in targets.items()
            if volume.get(m, 0) / 2 < t.min}


def frequency_misses(selection: Selection, problem: SelectionProblem) -> list[str]:
    """Target muscles trained on fewer than ``min_sessions`` days."""
    if not problem.frequency_applies:
        return []
    per_session = [selection.half_sets(s) for s in range(len(problem.sessions))]
    return [m for m in sorted(problem.targets)
            if sum(ps.get(m, 0) >= problem.hit_half_sets for ps in per_session)
            < problem.min_sessions]
