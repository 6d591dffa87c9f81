"""Instance parsing: the example round-trips, and bad input yields one error type listing
every problem with advice."""

from __future__ import annotations

import json

import pytest

from scheduler.errors import SchedulerInputError
from scheduler.instances import example_instance, generate_instance
from scheduler.schemas import Instance
from scheduler.validation import parse_instance, parse_schedule


def test_example_round_trips_through_json() -> None:
    inst = example_instance()
    again = parse_instance(inst.model_dump_json())
    assert again == inst


@pytest.mark.parametrize("size", ["tiny", "small", "medium"])
def test_generated_instances_are_valid(size: str) -> None:
    inst = generate_instance(size, seed=3)
    assert parse_instance(inst.model_dump()) == inst


def test_json_schema_documents_the_fields() -> None:
    schema = Instance.model_json_schema()
    assert {"opening_hours", "rooms", "class_types", "trainers", "pinned", "demand"} <= set(
        schema["properties"])


BAD = [
    ("not json", "{", "not valid JSON"),
    ("unknown key", {"rooms": []}, "opening_hours"),
    ("bad time", {"opening_hours": [{"day": "Mon", "start": "8am", "end": "11:00"}]},
     "HH:MM"),
    ("end before start", {"opening_hours": [{"day": "Mon", "start": "11:00", "end": "08:00"}]},
     "ends before it starts"),
    ("min > max", {"class_types": [{"id": "X", "duration_min": 60, "min_sessions": 4,
                                    "max_sessions": 2}]}, "min_sessions 4 > max_sessions 2"),
    ("unknown day", {"opening_hours": [{"day": "Funday", "start": "08:00", "end": "11:00"}]},
     "day"),
]


@pytest.mark.parametrize(("name", "change", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_instances_raise_one_error_type_with_advice(name: str, change: object,
                                                        expected: str) -> None:
    base = example_instance().model_dump()
    data = change if isinstance(change, str) else {**base, **change}
    if name == "unknown key":
        data = {**base, "typo_field": 1}
        expected = "typo_field"
    with pytest.raises(SchedulerInputError) as err:
        parse_instance(data if isinstance(data, str) else json.dumps(data))
    assert expected in str(err.value)
    assert err.value.advice


def test_cross_references_are_checked(tiny) -> None:  # type: ignore[no-untyped-def]
    inst = tiny(pinned=[{"class_type": "Nope", "room": "A", "trainer": "Ghost", "day": "Mon",
                         "start": "08:00"}],
                rooms=[{"id": "A", "capacity": 5}, {"id": "A", "capacity": 6}])
    with pytest.raises(SchedulerInputError) as err:
        parse_instance(inst.model_dump())
    text = str(err.value)
    assert "duplicate room id 'A'" in text
    assert "unknown class type 'Nope'" in text and "unknown trainer 'Ghost'" in text


def test_schedule_accepts_solve_output_shape() -> None:
    out = {"status": "OPTIMAL", "classes": [{"class_type": "Yoga", "room": "A",
                                             "trainer": "Tara", "day": "Mon", "start": "08:00",
                                             "end": "09:00", "predicted_attendance": 5}]}
    assert parse_schedule(out).classes[0].trainer == "Tara"
