"""The manager's draft baseline: valid, blind to demand, filled from the template grid; and
the per-day class cap a studio admin sets (solver, greedy, validator, explanation)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler.demand import PriorDemand
from scheduler.greedy import greedy_schedule
from scheduler.instances import generate_instance
from scheduler.manager import manager_schedule
from scheduler.options import OptionSet, build_options
from scheduler.schemas import Schedule, ScheduledClass
from scheduler.solve import solve, to_classes
from scheduler.studio import Studio
from scheduler.timegrid import to_minutes
from scheduler.validation import validate_schedule

from .conftest import make_instance


@pytest.mark.parametrize(("size", "seed"), [("tiny", 0), ("small", 0), ("small", 3)])
def test_manager_draft_is_valid_and_meets_minimums(size: str, seed: int) -> None:
    inst = generate_instance(size, seed)
    studio = Studio.build(inst)
    options = build_options(studio, PriorDemand())
    chosen = manager_schedule(studio, options)
    classes = to_classes(options, chosen)
    assert len(set(chosen)) == len(chosen)
    assert validate_schedule(inst, Schedule(classes=classes)) == []


def test_manager_draft_ignores_demand_and_uses_the_template_first() -> None:
    inst = generate_instance("small", 1)
    studio = Studio.build(inst)
    options = build_options(studio, PriorDemand())
    # the same options with reversed values: a demand-aware method would change its mind
    flipped = OptionSet([replace(o, value=10**6 - o.value, attendance=99 - o.attendance)
                         for o in options.options])
    flipped.pinned = options.pinned
    picked = manager_schedule(studio, options)
    assert picked == manager_schedule(studio, flipped)
    assert greedy_schedule(studio, options) != greedy_schedule(studio, flipped)
    template = {to_minutes(t) for t in studio.settings.manager.weekday_times
                + studio.settings.manager.weekend_times}
    on_grid = sum(1 for i in picked if options.options[i].start in template)
    assert on_grid >= 0.8 * len(picked)
    days = {options.options[i].day for i in picked}
    assert len(days) == len(studio.open_days)  # sessions spread over the week


def test_optimiser_and_greedy_beat_the_manager_on_predicted_attendance() -> None:
    inst = generate_instance("small", 0)
    studio = Studio.build(inst)
    options = build_options(studio, PriorDemand())

    def attendance(idx: list[int]) -> float:
        return sum(options.options[i].attendance for i in idx)

    manager, greedy = manager_schedule(studio, options), greedy_schedule(studio, options)
    assert attendance(greedy) > attendance(manager)


DAY = [{"day": "Mon", "start": "08:00", "end": "12:00"}]


def test_day_cap_limits_solver_and_greedy_and_is_checked() -> None:
    inst = make_instance(opening_hours=DAY, slot_minutes=60, max_classes_per_trainer_day=2,
                         trainers=[{"id": "Tara", "qualifications": ["yoga"],
                                    "availability": DAY}])
    result = solve(inst, time_limit_s=5, workers=1)
    assert result.status == "OPTIMAL" and len(result.classes) == 2
    assert result.violations == []
    studio = Studio.build(inst)
    options = build_options(studio, PriorDemand())
    assert len(greedy_schedule(studio, options)) == 2
    three = [ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon",
                            start=f"{h:02d}:00", end=f"{h + 1:02d}:00") for h in (8, 9, 10)]
    found = validate_schedule(inst, Schedule(classes=three))
    assert [v.constraint for v in found] == ["trainer_day_cap"]


def test_day_cap_is_named_when_it_makes_the_week_impossible() -> None:
    inst = make_instance(
        opening_hours=DAY, slot_minutes=60, max_classes_per_trainer_day=2,
        class_types=[{"id": "Yoga", "duration_min": 60, "qualification": "yoga",
                      "min_sessions": 3, "max_sessions": 3}],
        trainers=[{"id": "Tara", "qualifications": ["yoga"], "availability": DAY}])
    result = solve(inst, time_limit_s=5, workers=1)
    assert result.status == "INFEASIBLE"
    text = "\n".join(result.explanation)
    assert "Tara may teach at most 2 classes a day" in text
    assert "Yoga must run at least 3 times" in text
