"""The solver against brute force on tiny weeks, the validator on every output, the score
breakdown against the solver's own objective, and the quality stage doing its job."""

from __future__ import annotations

import random
from typing import Any

import pytest

from scheduler.config import load_settings
from scheduler.demand import demand_for
from scheduler.options import Option, build_options
from scheduler.schemas import Instance, Schedule
from scheduler.scoring import primary_value
from scheduler.solve import solve
from scheduler.studio import Studio
from scheduler.validation import validate_schedule

from .conftest import make_instance


def random_tiny(seed: int) -> Instance:
    """Two rooms, two class types, two trainers, one or two short days: ~10-20 options."""
    rng = random.Random(seed)
    days = ["Mon"] if rng.random() < 0.5 else ["Mon", "Sat"]
    hours = [{"day": d, "start": "17:00", "end": rng.choice(["19:00", "20:00"])} for d in days]
    return make_instance(
        slot_minutes=30, changeover_min=rng.choice([0, 30]), opening_hours=hours,
        rooms=[{"id": "A", "capacity": rng.randint(6, 14), "features": ["mats"]},
               {"id": "B", "capacity": rng.randint(6, 14), "features": ["mats", "bikes"]}],
        class_types=[
            {"id": "Yoga", "duration_min": 60, "required_features": ["mats"],
             "qualification": "yoga", "min_sessions": rng.randint(0, 1), "max_sessions": 3,
             "base_demand": rng.uniform(5, 15), "revenue_weight": rng.choice([0, 10, 20])},
            {"id": "Spin", "duration_min": rng.choice([30, 60]), "required_features": ["bikes"],
             "qualification": "spin", "min_sessions": 0, "max_sessions": 2,
             "base_demand": rng.uniform(5, 15), "revenue_weight": 15},
        ],
        trainers=[
            {"id": "Tara", "qualifications": ["yoga", "spin"], "availability": hours,
             "max_hours": rng.choice([1, 2, 3]), "popularity": rng.uniform(0.8, 1.2)},
            {"id": "Sam", "qualifications": ["spin"], "availability": hours[:1]},
        ],
    )


def brute_force(inst: Instance, options: list[Option], studio: Studio) -> int:
    """Best total value over all option subsets meeting the rules, by plain search."""
    gap = studio.changeover
    best = -1

    def clash(a: Option, b: Option) -> bool:
        if a.day != b.day:
            return False
        if a.room == b.room and a.start < b.end and b.start < a.end:
            return True
        return a.trainer == b.trainer and a.start < b.end + gap and b.start < a.end + gap

    def ok(chosen: list[Option]) -> bool:
        for ct in inst.class_types:
            n = sum(1 for o in chosen if o.class_type == ct.id)
            if not ct.min_sessions <= n <= ct.max_sessions:
                return False
        return all(sum(o.duration for o in chosen if o.trainer == t) <= studio.max_minutes[t]
                   for t in studio.trainers)

    def go(k: int, chosen: list[Option]) -> None:
        nonlocal best
        if k == len(options):
            if ok(chosen):
                best = max(best, sum(o.value for o in chosen))
            return
        go(k + 1, chosen)
        o = options[k]
        if not any(clash(o, c) for c in chosen):
            go(k + 1, chosen + [o])

    go(0, [])
    return best


def solve_is_valid_and_bounded(inst: Instance, settings: Any, time_limit_s: float) -> Any:
    """Solve ``inst`` and check it against the brute-force optimum: no violations, the
    objective at most the optimum, the optimum at most the reported bound, and the gap
    computed from the two. Returns the result (None when the instance is infeasible)."""
    studio = Studio.build(inst, settings)
    best = brute_force(inst, build_options(studio, demand_for(inst)).options, studio)
    result = solve(inst, time_limit_s=time_limit_s, workers=1, seed=0, settings=settings)
    if best < 0:
        assert result.status == "INFEASIBLE"
        return None
    scale = settings.solver.scale
    assert result.violations == []
    assert result.objective is not None and result.best_bound is not None
    assert result.objective <= best / scale + 1e-9 <= result.best_bound + 1e-9
    assert result.gap == pytest.approx(
        (result.best_bound - result.objective) / result.objective, abs=1e-6)
    return result


@pytest.mark.parametrize("intervals", [True, False], ids=["no_overlap", "cliques_only"])
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_optimum(seed: int, intervals: bool) -> None:
    inst = random_tiny(seed)
    settings = load_settings()
    if not intervals:  # the large-model formulation: slot cliques without NoOverlap
        solver = settings.solver.model_copy(update={"no_overlap_max_options": 0})
        settings = settings.model_copy(update={"solver": solver})
    studio = Studio.build(inst, settings)
    options = build_options(studio, demand_for(inst)).options
    assert 4 <= len(options) <= 40
    best = brute_force(inst, options, studio)
    result = solve(inst, time_limit_s=10, workers=1, seed=0, settings=settings)
    if best < 0:
        assert result.status == "INFEASIBLE" and result.explanation
        return
    value_stage = next(s for s in result.stages if s.name == "attendance_revenue")
    assert value_stage.status == "OPTIMAL"
    scale = studio.settings.solver.scale
    assert value_stage.objective == pytest.approx(best / scale)
    assert value_stage.best_bound == pytest.approx(best / scale)
    tol = studio.settings.solver.stage_tolerance
    assert result.objective is not None
    assert best / scale * (1 - tol) - 1e-9 <= result.objective <= best / scale + 1e-9
    assert result.violations == []
    assert validate_schedule(inst, Schedule(classes=result.classes)) == []


def test_breakdown_matches_solver_objective() -> None:
    from scheduler.instances import example_instance

    result = solve(example_instance(), time_limit_s=4, workers=1, seed=0)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.violations == []
    # predicted attendance is rounded to 0.01 per class in the output
    assert primary_value(result.objective_breakdown) == pytest.approx(
        result.objective, abs=0.01 * len(result.classes) * 2)
    assert result.gap is not None and result.best_bound is not None
    assert result.gap == pytest.approx(
        (result.best_bound - result.objective) / result.objective, abs=1e-3)
    for name in ("attendance", "revenue", "idle_time", "imbalance", "trainer_preferences"):
        assert name in result.objective_breakdown
    for item in result.objective_breakdown["idle_time"].items:
        assert item.involves and "waits" in item.detail


def test_quality_stage_removes_idle_time() -> None:
    """Equal demand at every start: the value stage is indifferent, so stage 3 must pack
    the trainer's two classes back to back (idle 0) and spread nothing needlessly."""
    starts = ["08:00", "09:00", "10:00", "11:00"]
    inst = make_instance(
        slot_minutes=60, opening_hours=[{"day": "Mon", "start": "08:00", "end": "12:00"}],
        class_types=[{"id": "Yoga", "duration_min": 60, "qualification": "yoga",
                      "min_sessions": 2, "max_sessions": 2}],
        rooms=[{"id": "A", "capacity": 20}],
        trainers=[{"id": "Tara", "qualifications": ["yoga"],
                   "availability": [{"day": "Mon", "start": "08:00", "end": "12:00"}]}],
        demand=[{"class_type": "Yoga", "day": "Mon", "start": s, "expected": 5.0}
                for s in starts])
    result = solve(inst, time_limit_s=5, workers=1, seed=0)
    assert result.status == "OPTIMAL"
    assert result.objective == pytest.approx(10.0)
    assert result.objective_breakdown["idle_time"].value == 0
    quality = next(s for s in result.stages if s.name == "quality")
    assert quality.status == "OPTIMAL"


def test_trainer_preference_is_respected_when_free() -> None:
    data: dict[str, Any] = {
        "slot_minutes": 60, "opening_hours": [{"day": "Mon", "start": "08:00",
                                               "end": "10:00"}],
        "class_types": [{"id": "Yoga", "duration_min": 60, "qualification": "yoga",
                         "min_sessions": 1, "max_sessions": 1}],
        "rooms": [{"id": "A", "capacity": 20}],
        "trainers": [{"id": "Tara", "qualifications": ["yoga"],
                      "availability": [{"day": "Mon", "start": "08:00", "end": "10:00"}],
                      "preferences": {"avoid": [{"day": "Mon", "start": "08:00",
                                                 "end": "09:00"}]}}],
        "demand": [{"class_type": "Yoga", "day": "Mon", "start": s, "expected": 5.0}
                   for s in ("08:00", "09:00")],
    }
    result = solve(make_instance(**data), time_limit_s=5, workers=1, seed=0)
    assert [c.start for c in result.classes] == ["09:00"]
    assert result.objective_breakdown["trainer_preferences"].value == 0


def test_stays_close_to_published_schedule() -> None:
    """Flat demand: any two back-to-back classes are equally good, so the quality stage
    must pick exactly the published pair (zero change points)."""
    from scheduler.schemas import ScheduledClass

    inst = make_instance(
        slot_minutes=60, opening_hours=[{"day": "Mon", "start": "08:00", "end": "12:00"}],
        class_types=[{"id": "Yoga", "duration_min": 60, "qualification": "yoga",
                      "min_sessions": 2, "max_sessions": 2}],
        rooms=[{"id": "A", "capacity": 20}],
        trainers=[{"id": "Tara", "qualifications": ["yoga"],
                   "availability": [{"day": "Mon", "start": "08:00", "end": "12:00"}]}],
        demand=[{"class_type": "Yoga", "day": "Mon", "start": s, "expected": 5.0}
                for s in ("08:00", "09:00", "10:00", "11:00")])
    published = [ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon",
                                start=s, end=e) for s, e in (("10:00", "11:00"),
                                                             ("11:00", "12:00"))]
    result = solve(inst, published=published, time_limit_s=5, workers=1, seed=0)
    assert [c.start for c in result.classes] == ["10:00", "11:00"]
    assert result.objective_breakdown["changes"].value == 0
    moved = solve(inst, published=published[:1], time_limit_s=5, workers=1, seed=0)
    assert "10:00" in [c.start for c in moved.classes]
    assert moved.objective_breakdown["changes"].value == 1  # one class added


def test_status_is_optimal_only_when_every_stage_proved_it() -> None:
    from scheduler.solve import proven
    from scheduler.stage import StageOutcome

    def stage(name: str, status: str) -> StageOutcome:
        return StageOutcome(name, status, [0], 500, 400 if name == "quality" else 510, 1.0)

    first = StageOutcome("required_sessions", "FEASIBLE", [0], None, None, 0.1)
    done, words = proven([first, stage("attendance_revenue", "OPTIMAL"),
                          stage("quality", "OPTIMAL")], 0.002, 100)
    assert done == "OPTIMAL" and all("proved optimal" in w for w in words)
    half, words = proven([first, stage("attendance_revenue", "OPTIMAL"),
                          stage("quality", "FEASIBLE")], 0.002, 100)
    assert half == "FEASIBLE"
    assert words[1].endswith("not proved optimal (penalties 5.00; no timetable can go below "
                             "4.00)")
    skipped, words = proven([first, stage("attendance_revenue", "OPTIMAL"),
                             StageOutcome("quality", "SKIPPED", None, None, None, 0.0)],
                            0.002, 100)
    assert skipped == "FEASIBLE" and "not optimised" in words[1]


def test_the_breakdown_total_adds_the_value_terms_and_subtracts_the_penalties() -> None:
    from scheduler.instances import example_instance
    from scheduler.scoring import reweigh, signed, total_score

    result = solve(example_instance(), time_limit_s=3, workers=1, seed=0)
    terms = result.objective_breakdown
    value = terms["attendance"].weighted + terms["revenue"].weighted
    penalties = sum(t.weighted for t in terms.values() if t.stage == "quality")
    assert result.score == pytest.approx(value - penalties, abs=1e-3)
    assert result.score == pytest.approx(sum(signed(t) for t in terms.values()), abs=1e-3)
    doubled = reweigh(terms, {"idle_minute": 2 * terms["idle_time"].weight})
    assert doubled["idle_time"].weighted == pytest.approx(2 * terms["idle_time"].weighted)
    assert total_score(doubled) == pytest.approx(
        result.score - terms["idle_time"].weighted, abs=1e-3)
