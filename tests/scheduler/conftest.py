"""Tiny studio instances for the scheduler tests, built from a dict so each test states
only what it changes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from scheduler.schemas import Instance

BASE: dict[str, Any] = {
    "name": "tiny",
    "slot_minutes": 30,
    "changeover_min": 0,
    "opening_hours": [{"day": "Mon", "start": "08:00", "end": "11:00"}],
    "rooms": [{"id": "A", "capacity": 10, "features": ["mats"]}],
    "class_types": [{"id": "Yoga", "duration_min": 60, "required_features": ["mats"],
                     "qualification": "yoga", "min_sessions": 0, "max_sessions": 3,
                     "base_demand": 8.0, "revenue_weight": 10.0}],
    "trainers": [{"id": "Tara", "qualifications": ["yoga"],
                  "availability": [{"day": "Mon", "start": "08:00", "end": "11:00"}]}],
}


def make_instance(**changes: Any) -> Instance:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return Instance.model_validate(data)


@pytest.fixture
def tiny() -> Callable[..., Instance]:
    """``tiny(rooms=[...], ...)``: the base instance with top-level keys replaced."""
    return make_instance
