"""Infeasible weeks come with a small conflicting set in plain words, naming the class
types, trainers and pins involved."""

from __future__ import annotations

from scheduler.demand import demand_for
from scheduler.explain import explain_infeasible, precheck
from scheduler.options import build_options
from scheduler.solve import solve
from scheduler.studio import Studio

from .conftest import make_instance

DAY = [{"day": "Mon", "start": "08:00", "end": "11:00"}]


def test_room_conflict_names_both_class_types() -> None:
    """Two types each need two 1-h sessions; one room is open 3 h: the core is exactly the
    two minimum-session rules (the pre-checks cannot see it, CP-SAT's core does)."""
    inst = make_instance(
        opening_hours=DAY, rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Yoga", "duration_min": 60, "min_sessions": 2, "max_sessions": 2},
                     {"id": "Barre", "duration_min": 60, "min_sessions": 2, "max_sessions": 2}],
        trainers=[{"id": "Tara", "availability": DAY}, {"id": "Sam", "availability": DAY}])
    studio = Studio.build(inst)
    options = build_options(studio, demand_for(inst))
    assert precheck(studio, options) == []
    lines = explain_infeasible(studio, options, time_s=5)
    text = "\n".join(lines)
    assert "Yoga must run at least 2 times" in text
    assert "Barre must run at least 2 times" in text
    assert len(lines) == 3  # summary + the two rules: nothing irrelevant
    result = solve(inst, time_limit_s=5, workers=1)
    assert result.status == "INFEASIBLE" and result.explanation == lines


def test_pins_and_trainer_hours_conflict() -> None:
    inst = make_instance(
        opening_hours=DAY, rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Yoga", "duration_min": 60, "min_sessions": 0, "max_sessions": 3}],
        trainers=[{"id": "Tara", "availability": DAY, "max_hours": 1},
                  {"id": "Sam", "availability": DAY}],
        pinned=[{"class_type": "Yoga", "room": "A", "trainer": "Tara", "day": "Mon",
                 "start": s} for s in ("08:00", "10:00")])
    result = solve(inst, time_limit_s=5, workers=1)
    text = "\n".join(result.explanation)
    assert result.status == "INFEASIBLE"
    assert "Tara may teach at most 1 h a week" in text
    assert text.count("is pinned") == 2


def test_changeover_gap_is_a_named_rule() -> None:
    inst = make_instance(
        changeover_min=30, opening_hours=[{"day": "Mon", "start": "08:00", "end": "10:00"}],
        rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Yoga", "duration_min": 60, "min_sessions": 2, "max_sessions": 2}],
        trainers=[{"id": "Tara", "availability": DAY}])
    text = "\n".join(solve(inst, time_limit_s=5, workers=1).explanation)
    assert "Tara needs 30 min between classes" in text
    assert "Yoga must run at least 2 times" in text


def test_precheck_qualified_trainer_hours() -> None:
    inst = make_instance(
        opening_hours=DAY, rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Reformer", "duration_min": 60, "qualification": "reformer",
                      "min_sessions": 3, "max_sessions": 3}],
        trainers=[{"id": "Rita", "qualifications": ["reformer"], "availability": DAY,
                   "max_hours": 2}, {"id": "Sam", "availability": DAY}])
    result = solve(inst, time_limit_s=5, workers=1)
    assert result.status == "INFEASIBLE"
    assert any("'reformer'" in line and "Rita" in line and "3 h" in line
               for line in result.explanation)


def test_precheck_pin_breaking_a_single_class_rule() -> None:
    inst = make_instance(
        opening_hours=DAY, rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Spin", "duration_min": 45, "qualification": "spin",
                      "max_sessions": 2}],
        trainers=[{"id": "Tara", "availability": DAY, "qualifications": ["yoga"]},
                  {"id": "Sam", "availability": DAY, "qualifications": ["spin"]}],
        pinned=[{"class_type": "Spin", "room": "A", "trainer": "Tara", "day": "Mon",
                 "start": "08:00"}])
    result = solve(inst, time_limit_s=5, workers=1)
    assert result.status == "INFEASIBLE"
    assert any("Tara lacks qualification 'spin'" in line for line in result.explanation)


def test_precheck_no_room_with_features() -> None:
    inst = make_instance(
        opening_hours=DAY, rooms=[{"id": "A", "capacity": 9}],
        class_types=[{"id": "Aqua", "duration_min": 45, "required_features": ["pool"],
                      "min_sessions": 1, "max_sessions": 2}],
        trainers=[{"id": "Tara", "availability": DAY}])
    result = solve(inst, time_limit_s=5, workers=1)
    assert any("no room has features ['pool']" in line for line in result.explanation)
