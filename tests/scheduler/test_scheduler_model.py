"""Feasible/infeasible assertions per constraint family (cpsat-primer style): each case
changes one thing of a tiny studio and states whether a week can still be planned; every
feasible answer is re-checked by the independent validator."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.schemas import Schedule
from scheduler.solve import solve
from scheduler.validation import validate_schedule

from .conftest import make_instance

MON = [{"day": "Mon", "start": "08:00", "end": "10:00"}]
TWO_TYPES = [
    {"id": "Yoga", "duration_min": 60, "qualification": "yoga", "min_sessions": 1,
     "max_sessions": 1},
    {"id": "Pilates", "duration_min": 60, "qualification": "yoga", "min_sessions": 1,
     "max_sessions": 1},
]
TARA = {"id": "Tara", "qualifications": ["yoga"], "availability": MON}
SAM = {"id": "Sam", "qualifications": ["yoga"], "availability": MON}


def one_hour(**extra: Any) -> dict[str, Any]:
    return {"opening_hours": [{"day": "Mon", "start": "08:00", "end": "09:00"}], **extra}


CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("room: two classes, one room, one hour", one_hour(
        class_types=TWO_TYPES, rooms=[{"id": "A", "capacity": 9}], trainers=[TARA, SAM]), False),
    ("room: a second room makes it fit", one_hour(
        class_types=TWO_TYPES, rooms=[{"id": "A", "capacity": 9}, {"id": "B", "capacity": 9}],
        trainers=[TARA, SAM]), True),
    ("trainer: one trainer, two rooms, one hour", one_hour(
        class_types=TWO_TYPES, rooms=[{"id": "A", "capacity": 9}, {"id": "B", "capacity": 9}],
        trainers=[TARA]), False),
    ("changeover: back-to-back needs 0 min gap", {
        "class_types": TWO_TYPES, "rooms": [{"id": "A", "capacity": 9}], "trainers": [TARA],
        "opening_hours": MON, "changeover_min": 0}, True),
    ("changeover: 15 min gap does not fit in 2 h", {
        "class_types": TWO_TYPES, "rooms": [{"id": "A", "capacity": 9}], "trainers": [TARA],
        "opening_hours": MON, "changeover_min": 15}, False),
    ("max hours: 2 classes, 1 h allowed", {
        "class_types": TWO_TYPES, "rooms": [{"id": "A", "capacity": 9}], "opening_hours": MON,
        "trainers": [{**TARA, "max_hours": 1}]}, False),
    ("min sessions: 3 one-hour classes in a 3 h day", {
        "class_types": [{**TWO_TYPES[0], "min_sessions": 3, "max_sessions": 3}],
        "opening_hours": [{"day": "Mon", "start": "08:00", "end": "11:00"}],
        "rooms": [{"id": "A", "capacity": 9}],
        "trainers": [{**TARA, "availability": [{"day": "Mon", "start": "08:00",
                                                "end": "11:00"}]}]}, True),
    ("min sessions: 4 do not fit in 3 h", {
        "class_types": [{**TWO_TYPES[0], "min_sessions": 4, "max_sessions": 4}],
        "opening_hours": [{"day": "Mon", "start": "08:00", "end": "11:00"}],
        "rooms": [{"id": "A", "capacity": 9}],
        "trainers": [{**TARA, "availability": [{"day": "Mon", "start": "08:00",
                                                "end": "11:00"}]}]}, False),
    ("max sessions: two pins exceed max 1", {
        "class_types": [TWO_TYPES[0]], "rooms": [{"id": "A", "capacity": 9}],
        "trainers": [TARA, SAM], "opening_hours": MON, "pinned": [
            {"class_type": "Yoga", "room": "A", "trainer": "Tara", "day": "Mon",
             "start": "08:00"},
            {"class_type": "Yoga", "room": "A", "trainer": "Sam", "day": "Mon",
             "start": "09:00"}]}, False),
    ("qualification: nobody teaches it", {
        "class_types": [{**TWO_TYPES[0], "qualification": "aerial"}], "opening_hours": MON,
        "rooms": [{"id": "A", "capacity": 9}], "trainers": [TARA]}, False),
    ("availability: trainer only after closing", {
        "class_types": [TWO_TYPES[0]], "opening_hours": MON, "rooms": [{"id": "A", "capacity": 9}],
        "trainers": [{**TARA, "availability": [{"day": "Mon", "start": "18:00",
                                                "end": "20:00"}]}]}, False),
    ("room fit: needs bikes", {
        "class_types": [{**TWO_TYPES[0], "required_features": ["bikes"]}], "opening_hours": MON,
        "rooms": [{"id": "A", "capacity": 9}], "trainers": [TARA]}, False),
    ("room closed all morning", {
        "class_types": [TWO_TYPES[0]], "opening_hours": MON, "trainers": [TARA],
        "rooms": [{"id": "A", "capacity": 9, "closed": MON}]}, False),
    ("pinned class is kept", {
        "class_types": [{**TWO_TYPES[0], "min_sessions": 0}], "opening_hours": MON,
        "rooms": [{"id": "A", "capacity": 9}], "trainers": [TARA],
        "pinned": [{"class_type": "Yoga", "room": "A", "trainer": "Tara", "day": "Mon",
                    "start": "09:00"}]}, True),
]


@pytest.mark.parametrize(("name", "change", "feasible"), CASES, ids=[c[0] for c in CASES])
def test_constraint_family(name: str, change: dict[str, Any], feasible: bool) -> None:
    inst = make_instance(**change)
    result = solve(inst, time_limit_s=5, workers=1, seed=0)
    if feasible:
        assert result.status in ("OPTIMAL", "FEASIBLE"), result.explanation
        assert validate_schedule(inst, Schedule(classes=result.classes)) == []
        assert result.violations == []
        for pin in inst.pinned:
            assert any(c.start == pin.start and c.trainer == pin.trainer for c in result.classes)
    else:
        assert result.status == "INFEASIBLE"
        assert result.explanation, "an infeasible week must come with an explanation"
        assert result.classes == []
