"""The CP-SAT selection model, one constraint at a time (feasible and infeasible cases)."""

from __future__ import annotations

import pytest

from planner.candidates import Candidate
from planner.config import PlannerConfig
from planner.greedy import greedy_selection
from planner.models import Exercise
from planner.selection import (
    SelectionProblem,
    TargetSets,
    evaluate,
    frequency_misses,
    short_targets,
    solve_selection,
)
from planner.split import SessionSpec, Slot


def ex(ex_id: str, primary: str, secondary: tuple[str, ...] = (),
       pattern: str = "squat") -> Exercise:
    return Exercise(id=ex_id, name=ex_id, primary_muscles=(primary,),
                    secondary_muscles=secondary, equipment="body only", level="beginner",  # type: ignore[arg-type]
                    category="strength", mechanic="compound", pattern=pattern)  # type: ignore[arg-type]


def cand(e: Exercise, config: PlannerConfig, seconds: int = 120, score: float = 1.0
         ) -> Candidate:
    weights = {m: 1 for m in e.secondary_muscles} | {m: 2 for m in e.primary_muscles}
    return Candidate(e, "main", config.dose_row("hypertrophy", "main", "intermediate"),
                     seconds, score, weights)


def problem(config: PlannerConfig, sessions: list[list[list[Candidate]]], *,
            days: list[int] | None = None, budget: int = 3600, targets: dict[str, float]
            | None = None, required: bool = True, conflicts: tuple[tuple[int, int], ...] = (),
            flag: float = 22, frequency: bool = False) -> SelectionProblem:
    specs = tuple(SessionSpec(i, (days or list(range(1, 8, 2)))[i], "full_body",
                              tuple(Slot(f"s{k}", ("squat",), required=required)
                                    for k in range(len(slots))))
                  for i, slots in enumerate(sessions))
    return SelectionProblem(
        sessions=specs, choices=tuple(tuple(tuple(c) for c in s) for s in sessions),
        budget_seconds=budget, transition_seconds=0, max_exercises=8,
        targets={m: TargetSets(v, v, 20) for m, v in (targets or {}).items()},
        flag_above=flag, min_sessions=2, hit_half_sets=4, conflicts=conflicts,
        frequency_applies=frequency)


def test_meets_a_reachable_minimum(config: PlannerConfig) -> None:
    squat = cand(ex("squat", "quadriceps"), config)
    p = problem(config, [[[squat]], [[squat]]], targets={"quadriceps": 6})
    sel = solve_selection(p, effort=2.0)
    assert sel.status == "OPTIMAL" and not short_targets(sel, p.targets)
    assert sum(pk.sets for pk in sel.picks) >= 6


def test_time_budget_caps_sets_and_the_shortfall_is_reported(config: PlannerConfig) -> None:
    squat = cand(ex("squat", "quadriceps"), config, seconds=300)
    p = problem(config, [[[squat]]], budget=900, targets={"quadriceps": 10})
    sel = solve_selection(p, effort=2.0)
    assert [pk.sets for pk in sel.picks] == [3]               # 3 x 300 s = the budget
    assert short_targets(sel, p.targets) == {"quadriceps": 7}


def test_a_required_slot_that_cannot_fit_makes_the_model_infeasible(config: PlannerConfig
                                                                    ) -> None:
    squat = cand(ex("squat", "quadriceps"), config, seconds=600)
    p = problem(config, [[[squat]]], budget=900)             # min 2 sets = 1200 s
    assert solve_selection(p, effort=2.0).status == "INFEASIBLE"
    optional = problem(config, [[[squat]]], budget=900, required=False)
    assert solve_selection(optional, effort=2.0).picks == []


def test_48_hours_keep_a_prime_mover_off_consecutive_days(config: PlannerConfig) -> None:
    squat, press = cand(ex("squat", "quadriceps"), config), cand(
        ex("press", "shoulders", pattern="vertical_push"), config)
    p = problem(config, [[[squat, press]], [[squat, press]]], days=[1, 2],
                conflicts=((0, 1),), targets={"quadriceps": 4, "shoulders": 4})
    sel = solve_selection(p, effort=2.0)
    by_day = [{pk.candidate.exercise.id for pk in sel.picks if pk.session == s} for s in (0, 1)]
    assert by_day[0] != by_day[1] and all(len(d) == 1 for d in by_day)
    both_required = problem(config, [[[squat]], [[squat]]], days=[1, 2], conflicts=((0, 1),))
    assert solve_selection(both_required, effort=2.0).status == "INFEASIBLE"


def test_the_flag_line_is_a_hard_cap_for_targets(config: PlannerConfig) -> None:
    squat = cand(ex("squat", "quadriceps"), config)
    p = problem(config, [[[squat]], [[squat]]], targets={"quadriceps": 10}, flag=6)
    sel = solve_selection(p, effort=2.0)
    assert sum(pk.sets for pk in sel.picks) <= 6
    assert short_targets(sel, p.targets) == {"quadriceps": 4}


def test_indirect_sets_count_half(config: PlannerConfig) -> None:
    row = cand(ex("row", "middle back", ("biceps",), pattern="horizontal_pull"), config)
    p = problem(config, [[[row]]], targets={"biceps": 2})
    sel = solve_selection(p, effort=2.0)
    assert sel.half_sets()["biceps"] == sel.picks[0].sets >= 4   # 4 sets -> 2 biceps sets


def test_frequency_prefers_two_days(config: PlannerConfig) -> None:
    squat = cand(ex("squat", "quadriceps"), config)
    p = problem(config, [[[squat]], [[squat]]], targets={"quadriceps": 4}, required=False,
                frequency=True)
    sel = solve_selection(p, effort=2.0)
    assert {pk.session for pk in sel.picks} == {0, 1}
    assert frequency_misses(sel, p) == []


def test_solver_never_does_worse_than_its_greedy_start(config: PlannerConfig) -> None:
    a = cand(ex("a", "quadriceps", ("glutes",)), config, score=3)
    b = cand(ex("b", "glutes", pattern="hinge"), config, score=1)
    c = cand(ex("c", "hamstrings", pattern="hinge"), config, score=2)
    p = problem(config, [[[a, b], [c, b]], [[a, b], [c, b]]],
                targets={"quadriceps": 6, "glutes": 6, "hamstrings": 6}, frequency=True)
    greedy = greedy_selection(p)
    solved = solve_selection(p, effort=2.0, hint=greedy)
    assert solved.objective is not None and greedy.objective is not None
    assert solved.objective >= greedy.objective
    assert solved.objective == pytest.approx(evaluate(p, solved.picks))
