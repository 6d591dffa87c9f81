"""Repair after a trainer drops out or a room closes: valid, minimal, explained."""

from __future__ import annotations

import pytest

from scheduler.diff import diff_schedules
from scheduler.instances import example_instance
from scheduler.repair import RoomClosed, TrainerUnavailable, apply_change, repair
from scheduler.schemas import Schedule, ScheduledClass, Window
from scheduler.solve import solve
from scheduler.validation import validate_schedule

from .conftest import make_instance

DAY = [{"day": "Mon", "start": "08:00", "end": "12:00"}]


def studio() -> object:
    return make_instance(
        slot_minutes=60, changeover_min=15, opening_hours=DAY, rooms=[{"id": "A", "capacity": 20},
                                                   {"id": "B", "capacity": 12}],
        class_types=[{"id": "Yoga", "duration_min": 60, "qualification": "yoga",
                      "min_sessions": 2, "max_sessions": 2}],
        trainers=[{"id": "Tara", "qualifications": ["yoga"], "availability": DAY},
                  {"id": "Sam", "qualifications": ["yoga"], "availability": DAY},
                  {"id": "Uma", "qualifications": ["yoga"], "availability": DAY,
                   "popularity": 0.8}],
        demand=[{"class_type": "Yoga", "day": "Mon", "start": s, "expected": 10.0}
                for s in ("08:00", "09:00", "10:00", "11:00")])


PUBLISHED = Schedule(classes=[
    ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon", start="09:00",
                   end="10:00"),
    ScheduledClass(class_type="Yoga", room="A", trainer="Sam", day="Mon", start="10:00",
                   end="11:00"),
])


def test_sick_trainer_is_swapped_not_moved() -> None:
    inst = studio()
    result = repair(inst, PUBLISHED, TrainerUnavailable(trainer="Tara"), time_limit_s=5,
                    workers=1)
    assert result.status == "OPTIMAL"
    assert result.violations == []
    assert result.change_cost == 1  # one trainer swap, nothing else touched
    assert [c.kind for c in result.changes] == ["trainer_changed"]
    (sub,) = result.substitutes
    assert sub.affected.trainer == "Tara"
    assert sub.trainers == ["Uma"]  # Sam teaches at 10:00 right after: only Uma is free
    assert sub.chosen is not None and sub.chosen.trainer == "Uma"
    assert sub.chosen.start == "09:00"


def test_room_closure_moves_to_the_other_room() -> None:
    inst = studio()
    change = RoomClosed(room="A", day="Mon", start="10:00", end="11:00")
    result = repair(inst, PUBLISHED, change, time_limit_s=5, workers=1)
    changed = apply_change(inst, change)
    assert validate_schedule(changed, Schedule(classes=result.classes)) == []
    kinds = sorted(c.kind for c in result.changes)
    assert kinds == ["room_changed"]
    assert result.substitutes[0].rooms == ["B"]


def test_repair_of_an_impossible_week_is_explained() -> None:
    inst = studio()
    result = repair(inst, PUBLISHED, RoomClosed(room="A"), time_limit_s=5, workers=1)
    assert result.status == "OPTIMAL"  # B still hosts both classes
    for r in ("A", "B"):
        inst = apply_change(inst, RoomClosed(room=r))
    broken = repair(inst, PUBLISHED, TrainerUnavailable(trainer="Uma"), time_limit_s=5,
                    workers=1)
    assert broken.status == "INFEASIBLE"
    assert broken.explanation


@pytest.mark.parametrize(("windows", "cut", "expected"), [
    ([("08:00", "12:00")], ("09:00", "10:00"), [("08:00", "09:00"), ("10:00", "12:00")]),
    ([("08:00", "12:00")], ("07:00", "13:00"), []),
    ([("08:00", "10:00"), ("14:00", "16:00")], ("09:00", "15:00"),
     [("08:00", "09:00"), ("15:00", "16:00")]),
])
def test_availability_cut(windows: list[tuple[str, str]], cut: tuple[str, str],
                          expected: list[tuple[str, str]]) -> None:
    inst = make_instance(trainers=[{"id": "Tara", "availability": [
        {"day": "Mon", "start": s, "end": e} for s, e in windows]}])
    new = apply_change(inst, TrainerUnavailable(trainer="Tara", day="Mon", start=cut[0],
                                                end=cut[1]))
    assert [(w.start, w.end) for w in new.trainers[0].availability] == expected
    assert inst.trainers[0].availability[0] == Window(day="Mon", start=windows[0][0],
                                                      end=windows[0][1])


def test_repair_on_the_example_keeps_most_classes() -> None:
    inst = example_instance()
    published = solve(inst, time_limit_s=3, workers=1).classes
    result = repair(inst, Schedule(classes=published),
                    TrainerUnavailable(trainer="Cleo", day="Tue"), time_limit_s=5, workers=1)
    assert result.violations == []
    diff = diff_schedules(published, result.classes)
    hit = sum(1 for c in published if c.trainer == "Cleo" and c.day == "Tue")
    assert diff.unchanged >= len(published) - 2 * hit
    assert len(result.substitutes) == hit
