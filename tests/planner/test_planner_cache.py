"""The batch speed-ups change nothing a member gets: cached weeks, bound refusals."""

from __future__ import annotations

import contextlib

import pytest

from planner import generator
from planner.bounds import unreachable_targets
from planner.cache import SelectionCache, signature
from planner.config import PlannerConfig
from planner.errors import PlanInfeasible
from planner.generator import generate_plan
from planner.library import ExerciseLibrary
from planner.models import LoggedSet, MemberProfile
from planner.prescription import estimate_one_rep_maxes
from planner.validation import check_plan


def test_a_cached_week_gives_the_same_plan_as_a_fresh_solve(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    cache = SelectionCache()
    first = generate_plan(gym_profile, 6, library=library, config=config, cache=cache)
    twin = gym_profile.model_copy(update={"member_id": "twin", "age": 61,
                                          "body_weight_kg": 90.0})
    cached = generate_plan(twin, 6, library=library, config=config, cache=cache)
    fresh = generate_plan(twin, 6, library=library, config=config)
    assert (cache.hits, cache.misses) == (1, 1)
    assert cached == fresh and cached.member_id == "twin"
    assert [i.exercise_id for s in first.weeks[0].sessions for i in s.exercises] == \
        [i.exercise_id for s in cached.weeks[0].sessions for i in s.exercises]
    assert not check_plan(cached, twin, library, config)


def test_loads_stay_personal_when_the_week_is_shared(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    """Same logged lifts, other weights: same signature, own loads."""
    stronger = gym_profile.model_copy(update={"member_id": "strong", "training_history": [
        s.model_copy(update={"load_kg": s.load_kg * 1.5})
        for s in gym_profile.training_history]})
    cache = SelectionCache()
    a = generate_plan(gym_profile, 2, library=library, config=config, cache=cache)
    b = generate_plan(stronger, 2, library=library, config=config, cache=cache)
    assert cache.hits == 1
    load = {i.exercise_id: i.intensity.load_kg for i in a.weeks[0].sessions[0].exercises
            if i.intensity.load_kg}
    heavier = {i.exercise_id: i.intensity.load_kg for i in b.weeks[0].sessions[0].exercises
               if i.intensity.load_kg}
    assert load and all(heavier[k] > v for k, v in load.items())


@pytest.mark.parametrize("update", [
    {"goals": ["strength"]}, {"days_per_week": 3}, {"minutes_per_session": 45},
    {"equipment": ["dumbbell"]}, {"fitness_level": "beginner"},
    {"training_history": [LoggedSet(exercise_id="Barbell_Squat", date="2025-01-02",
                                    load_kg=80, reps=5)]},
])
def test_what_shapes_the_week_is_in_the_signature(gym_profile: MemberProfile,
                                                  config: PlannerConfig,
                                                  update: dict[str, object]) -> None:
    other = gym_profile.model_copy(update=update)

    def sig(p: MemberProfile) -> tuple[object, ...]:
        return signature(p, estimate_one_rep_maxes(p.training_history, config.one_rep_max,
                                                   config.chart))

    assert sig(other) != sig(gym_profile)


def test_a_cache_entry_never_answers_for_another_library(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    cache = SelectionCache()
    generate_plan(gym_profile, 1, library=library, config=config, cache=cache)
    other = ExerciseLibrary(list(library))
    generate_plan(gym_profile, 1, library=other, config=config, cache=cache)
    assert cache.hits == 0 and cache.misses == 2


def test_out_of_reach_minimums_are_refused_without_a_search(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypertrophy in 2 x 30 min: the relaxation proves it; the solver is never asked."""
    profile = gym_profile.model_copy(update={"goals": ["hypertrophy"], "days_per_week": 2,
                                             "minutes_per_session": 30})

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("the solver ran on a provably unservable profile")

    monkeypatch.setattr(generator, "_select", no_search)
    with pytest.raises(PlanInfeasible) as info:
        generate_plan(profile, 4, library=library, config=config)
    assert any("need at least" in r and "more minutes a week" in r
               for r in info.value.reasons), info.value.reasons


def test_the_bound_never_refuses_a_week_the_solver_serves(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The relaxation is an upper bound: a served profile's problem shows nothing out of reach."""
    seen: list[object] = []
    original = generator._select

    def spy(problem, effort):  # type: ignore[no-untyped-def]
        seen.append(problem)
        return original(problem, effort)

    monkeypatch.setattr(generator, "_select", spy)
    generate_plan(gym_profile, 1, library=library, config=config)
    assert seen and unreachable_targets(seen[0], set()) == ({}, [])  # type: ignore[arg-type]


def test_the_session_bound_counts_a_slow_prime_mover_not_only_the_fastest_helper(
        config: PlannerConfig) -> None:
    """A slot whose best half-sets-per-second exercise only helps the muscle (1 per set)
    must still allow the slower prime mover's 2 per set when the place count binds."""
    from planner.bounds import session_volume_bounds
    from planner.candidates import Candidate
    from planner.models import Exercise
    from planner.selection import SelectionProblem, TargetSets
    from planner.split import SessionSpec, Slot

    def cand(ex_id: str, weight: int, seconds: int) -> Candidate:
        ex = Exercise(id=ex_id, name=ex_id, primary_muscles=("chest",), equipment="body only",
                      level="beginner", category="strength", mechanic="compound",
                      pattern="horizontal_push")
        return Candidate(ex, "main", config.dose_row("hypertrophy", "main", "intermediate"),
                         seconds, 1.0, {"triceps": weight})

    helper, prime = cand("helper", 1, 60), cand("prime", 2, 150)
    spec = SessionSpec(0, 1, "full_body", (Slot("push", ("horizontal_push",), required=True),))
    problem = SelectionProblem(
        sessions=(spec,), choices=(((helper, prime),),), budget_seconds=3600,
        transition_seconds=0, max_exercises=8, targets={"triceps": TargetSets(4, 6, 10)},
        flag_above=22, min_sessions=2, hit_half_sets=4, conflicts=())
    most_sets = prime.row.sets[1]
    assert session_volume_bounds(problem, "triceps")[0] >= 2 * most_sets


def test_bounds_dominate_every_week_the_greedy_builds(library: ExerciseLibrary,
                                                      config: PlannerConfig,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On seeded random profiles the relaxations never undercut a feasible week."""
    import random

    from planner.bounds import session_volume_bounds, weekly_work_bound
    from planner.examples import random_profile
    from planner.greedy import greedy_selection

    problems: list[object] = []

    def record(problem, effort):  # type: ignore[no-untyped-def]
        problems.append(problem)
        return greedy_selection(problem)

    monkeypatch.setattr(generator, "unreachable_targets", lambda p, e: ({}, []))
    monkeypatch.setattr(generator, "weekly_work_bound", lambda p, e: (0.0, 1.0))
    monkeypatch.setattr(generator, "_select", record)
    monkeypatch.setattr(generator, "_required_overflow", lambda p: False)
    rng = random.Random(11)
    for i in range(40):
        profile = random_profile(rng, f"r{i}")
        with contextlib.suppress(PlanInfeasible):
            generator._week_choice(profile, library, config, {}, 0.05, True)
    checked = 0
    for problem in problems:
        week = greedy_selection(problem)  # type: ignore[arg-type]
        if not week.picks:
            continue
        for muscle in problem.targets:  # type: ignore[attr-defined]
            bounds = session_volume_bounds(problem, muscle)  # type: ignore[arg-type]
            for s, bound in enumerate(bounds):
                assert week.half_sets(s).get(muscle, 0) <= bound + 1e-9
                checked += 1
        if not any(week.half_sets().get(m, 0) < 2 * t.min
                   for m, t in problem.targets.items()):  # type: ignore[attr-defined]
            needed, held = weekly_work_bound(problem, set())  # type: ignore[arg-type]
            assert needed <= held
    assert checked > 100
