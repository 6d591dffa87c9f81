"""The independent checker names each hard-constraint family it catches."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.schemas import Instance, Schedule
from scheduler.validation import validate_schedule

STUDIO: dict[str, Any] = {
    "slot_minutes": 15, "changeover_min": 15,
    "opening_hours": [{"day": "Mon", "start": "08:00", "end": "12:00"}],
    "rooms": [{"id": "A", "capacity": 10, "features": ["mats"]},
              {"id": "B", "capacity": 8, "features": ["bikes"],
               "closed": [{"day": "Mon", "start": "11:00", "end": "12:00"}]}],
    "class_types": [
        {"id": "Yoga", "duration_min": 60, "required_features": ["mats"], "qualification": "yoga",
         "min_sessions": 1, "max_sessions": 2},
        {"id": "Spin", "duration_min": 45, "required_features": ["bikes"], "qualification": "spin",
         "min_sessions": 0, "max_sessions": 2, "min_capacity": 6},
    ],
    "trainers": [
        {"id": "Tara", "qualifications": ["yoga"],
         "availability": [{"day": "Mon", "start": "08:00", "end": "12:00"}]},
        {"id": "Sam", "qualifications": ["spin", "yoga"], "max_hours": 2,
         "availability": [{"day": "Mon", "start": "08:00", "end": "11:00"}]},
    ],
    "pinned": [{"class_type": "Yoga", "room": "A", "trainer": "Tara", "day": "Mon",
                "start": "08:00"}],
}


def cls(ctype: str, room: str, trainer: str, start: str, end: str, day: str = "Mon"
        ) -> dict[str, str]:
    return {"class_type": ctype, "room": room, "trainer": trainer, "day": day, "start": start,
            "end": end}


VALID = [cls("Yoga", "A", "Tara", "08:00", "09:00"), cls("Spin", "B", "Sam", "08:00", "08:45")]

CASES: list[tuple[str, list[dict[str, str]]]] = [
    ("unknown_reference", VALID + [cls("Zumba", "A", "Tara", "10:00", "11:00")]),
    ("duration", [VALID[0], cls("Spin", "B", "Sam", "08:00", "09:00")]),
    ("slot_alignment", [VALID[0], cls("Spin", "B", "Sam", "08:10", "08:55")]),
    ("opening_hours", [VALID[0], cls("Yoga", "A", "Tara", "11:30", "12:30")]),
    ("room_fit", [VALID[0], cls("Spin", "A", "Sam", "09:00", "09:45")]),
    ("room_closed", [VALID[0], cls("Spin", "B", "Sam", "10:45", "11:30")]),
    ("trainer_qualification", [VALID[0], cls("Spin", "B", "Tara", "09:30", "10:15")]),
    ("trainer_availability", [VALID[0], cls("Yoga", "A", "Sam", "10:30", "11:30")]),
    ("room_double_booked", VALID + [cls("Yoga", "A", "Sam", "08:30", "09:30")]),
    ("trainer_double_booked", VALID + [cls("Yoga", "A", "Tara", "08:30", "09:30")]),
    ("changeover_gap", VALID + [cls("Yoga", "A", "Tara", "09:00", "10:00")]),
    ("trainer_max_hours", [VALID[0], cls("Spin", "B", "Sam", "08:00", "08:45"),
                           cls("Spin", "B", "Sam", "09:00", "09:45"),
                           cls("Yoga", "A", "Sam", "10:00", "11:00")]),
    ("min_sessions", [VALID[1]]),
    ("max_sessions", VALID + [cls("Yoga", "A", "Tara", "09:15", "10:15"),
                              cls("Yoga", "A", "Tara", "10:30", "11:30")]),
    ("pinned_missing", [cls("Yoga", "A", "Tara", "09:00", "10:00"), VALID[1]]),
]


def check(classes: list[dict[str, str]]) -> set[str]:
    inst = Instance.model_validate(STUDIO)
    return {v.constraint for v in validate_schedule(inst, Schedule.model_validate(
        {"classes": classes}))}


def test_valid_schedule_has_no_violations() -> None:
    assert check(VALID) == set()


@pytest.mark.parametrize(("family", "classes"), CASES, ids=[c[0] for c in CASES])
def test_each_family_is_named(family: str, classes: list[dict[str, str]]) -> None:
    assert family in check(classes)


def test_violation_points_at_the_classes() -> None:
    inst = Instance.model_validate(STUDIO)
    found = validate_schedule(inst, Schedule.model_validate(
        {"classes": VALID + [cls("Yoga", "A", "Sam", "08:30", "09:30")]}))
    room = next(v for v in found if v.constraint == "room_double_booked")
    assert sorted(room.classes) == [0, 2]
    assert "room A" in room.message
