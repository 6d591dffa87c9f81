"""A volume-aware greedy week: the optimizer's starting point and the benchmark's baseline.

It fills required slots first, then adds optional exercises and single sets while each
step improves the same objective the CP-SAT model maximises (:func:`selection.evaluate`),
never breaking a hard rule. It is fast and usually good, but it cannot undo an early
choice; the solver can.
"""

from __future__ import annotations

import time

from planner.candidates import Candidate
from planner.selection import (
    W_FREQ,
    W_MIN,
    W_OVER,
    W_REPEAT,
    W_TYPICAL,
    Pick,
    Selection,
    SelectionProblem,
    evaluate,
    set_value,
)


class _Week:
    """The partial week and the running totals the greedy steps need."""

    def __init__(self, problem: SelectionProblem) -> None:
        self.p = problem
        n = len(problem.sessions)
        self.picks: list[Pick] = []
        self.spent = [0] * n
        self.ids: list[set[str]] = [set() for _ in range(n)]
        self.volume: dict[str, int] = {}
        self.session_volume: list[dict[str, int]] = [{} for _ in range(n)]
        self.loaded: list[set[str]] = [set() for _ in range(n)]
        self.uses: dict[str, int] = {}
        self.near = {s: {b if a == s else a for a, b in problem.conflicts if s in (a, b)}
                     for s in range(n)}

    def fits(self, s: int, cand: Candidate, sets: int, new: bool) -> bool:
        p = self.p
        if new and (cand.exercise.id in self.ids[s]
                    or len(self.ids[s]) >= p.max_exercises):
            return False
        extra = sets * cand.seconds_per_set + (p.transition_seconds if new else 0)
        if self.spent[s] + extra > p.budget_seconds:
            return False
        for m, w in cand.half_sets.items():
            if m in p.targets and self.volume.get(m, 0) + w * sets > 2 * p.flag_above:
                return False
            if new and w == 2 and any(m in self.loaded[t] for t in self.near[s]):
                return False
        return True

    def gain(self, s: int, cand: Candidate, sets: int, slot_required: bool | None,
             current: int = 0) -> float:
        """Objective change of adding ``sets`` sets to an item that has ``current`` (a new
        item when ``slot_required`` is given)."""
        p = self.p
        value = set_value(cand, current + sets) - (set_value(cand, current) if current else 0)
        if slot_required is not None:
            value += p.pick_value(cand, slot_required) - W_REPEAT * (
                self.uses.get(cand.exercise.id, 0) > 0)
        for m, w in cand.half_sets.items():
            before = self.volume.get(m, 0)
            after = before + w * sets
            t = p.targets.get(m)
            if t is None:
                flag = int(2 * p.flag_above)
                value -= W_OVER * (max(0, after - flag) - max(0, before - flag))
                continue
            for weight, level in ((W_MIN, round(2 * t.min)), (W_TYPICAL, round(2 * t.typical))):
                value += weight * (min(after, level) - min(before, level))
            top = int(2 * t.max)
            value -= W_OVER * (max(0, after - top) - max(0, before - top))
            had = self.session_volume[s].get(m, 0)
            if p.frequency_applies and had < p.hit_half_sets <= had + w * sets:
                days = sum(v.get(m, 0) >= p.hit_half_sets for v in self.session_volume)
                value += W_FREQ * (days < p.min_sessions)
        return value

    def add(self, s: int, k: int, cand: Candidate, sets: int) -> None:
        self.picks.append(Pick(s, k, cand, sets))
        self.ids[s].add(cand.exercise.id)
        self.uses[cand.exercise.id] = self.uses.get(cand.exercise.id, 0) + 1
        self.spent[s] += self.p.transition_seconds
        self.loaded[s] |= {m for m, w in cand.half_sets.items() if w == 2}
        self._account(s, cand, sets)

    def more(self, index: int, sets: int) -> None:
        pick = self.picks[index]
        self.picks[index] = Pick(pick.session, pick.slot, pick.candidate, pick.sets + sets)
        self._account(pick.session, pick.candidate, sets)

    def _account(self, s: int, cand: Candidate, sets: int) -> None:
        self.spent[s] += sets * cand.seconds_per_set
        for m, w in cand.half_sets.items():
            self.volume[m] = self.volume.get(m, 0) + w * sets
            self.session_volume[s][m] = self.session_volume[s].get(m, 0) + w * sets


def greedy_selection(problem: SelectionProblem) -> Selection:
    """Required slots, then the best improving additions, then the best extra sets."""
    start = time.perf_counter()
    week = _Week(problem)
    taken: dict[tuple[int, int], int] = {}
    for s, slots in enumerate(problem.choices):
        for k, cands in enumerate(slots):
            if not problem.sessions[s].slots[k].required:
                continue
            options = [(week.gain(s, c, c.row.sets[0], True), -i, c)
                       for i, c in enumerate(cands) if week.fits(s, c, c.row.sets[0], True)]
            if options:
                _, _, best = max(options, key=lambda o: (o[0], o[1]))
                week.add(s, k, best, best.row.sets[0])
                taken[s, k] = 1
    while True:  # optional items, best first, while they pay for themselves
        best_option: tuple[float, int, int, Candidate] | None = None
        for s, slots in enumerate(problem.choices):
            for k, cands in enumerate(slots):
                slot = problem.sessions[s].slots[k]
                if slot.required or taken.get((s, k), 0) >= slot.count:
                    continue
                for c in cands:
                    if week.fits(s, c, c.row.sets[0], True):
                        g = week.gain(s, c, c.row.sets[0], False)
                        if g > 0 and (best_option is None or g > best_option[0]):
                            best_option = (g, s, k, c)
        if best_option is None:
            break
        _, s, k, c = best_option
        week.add(s, k, c, c.row.sets[0])
        taken[s, k] = taken.get((s, k), 0) + 1
    while True:  # one more set where it helps most
        best_set: tuple[float, int] | None = None
        for index, pick in enumerate(week.picks):
            if pick.candidate.role not in ("steady", "intervals") and \
                    pick.sets < pick.candidate.row.sets[1] and \
                    week.fits(pick.session, pick.candidate, 1, False):
                g = week.gain(pick.session, pick.candidate, 1, None, current=pick.sets)
                if g > 0 and (best_set is None or g > best_set[0]):
                    best_set = (g, index)
        if best_set is None:
            break
        week.more(best_set[1], 1)
    picks = sorted(week.picks, key=lambda p: (p.session, p.slot, -p.candidate.score))
    return Selection(picks, "GREEDY", (time.perf_counter() - start) * 1000,
                     objective=evaluate(problem, picks))
