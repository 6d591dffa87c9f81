"""Example and generated studio weeks (for ``spotter schedule example``, tests and bench).

The generator builds plausible studios of a given size: rooms with equipment features,
a catalogue of class types needing those features and trainer qualifications, trainers
with 2-4 qualifications, shift-like availability and part-time hour caps.
"""

from __future__ import annotations

import random
from typing import Any

from scheduler.schemas import Instance
from scheduler.timegrid import DAYS

# (id, minutes, features, qualification, price, base demand, GoalZone category)
CATALOGUE: list[tuple[str, int, list[str], str, float, float, str]] = [
    ("HIIT", 45, ["mirrors"], "hiit", 18.0, 15.0, "HIIT"),
    ("Cycling", 45, ["bikes"], "spin", 20.0, 14.0, "Cycling"),
    ("Yoga", 60, ["mats"], "yoga", 16.0, 12.0, "Yoga"),
    ("Strength", 60, ["weights"], "strength", 18.0, 11.0, "Strength"),
    ("Reformer", 50, ["reformers"], "reformer", 30.0, 8.0, "Strength"),
    ("Boxing", 45, ["bags"], "boxing", 20.0, 10.0, "HIIT"),
    ("Barre", 45, ["barre"], "barre", 18.0, 9.0, "Strength"),
    ("Mat Pilates", 45, ["mats"], "pilates", 16.0, 10.0, "Yoga"),
    ("Aqua", 45, ["pool"], "aqua", 14.0, 9.0, "Aqua"),
    ("Stretch", 30, ["mats"], "yoga", 10.0, 7.0, "Yoga"),
    ("Bootcamp", 60, ["weights"], "hiit", 18.0, 12.0, "HIIT"),
    ("Spin Express", 30, ["bikes"], "spin", 14.0, 10.0, "Cycling"),
    ("Dance", 60, ["mirrors"], "dance", 15.0, 10.0, "HIIT"),
    ("Power Yoga", 60, ["mats"], "yoga", 18.0, 10.0, "Yoga"),
]
ROOM_KINDS: list[tuple[list[str], int]] = [
    (["mirrors", "mats", "barre"], 24), (["bikes"], 20), (["mats", "mirrors"], 20),
    (["weights", "mirrors"], 16), (["reformers"], 10), (["bags", "weights"], 18),
    (["pool"], 15), (["mats"], 14),
]
SIZES: dict[str, tuple[int, int, int, int]] = {
    # rooms, trainers, class types, target sessions per week
    "tiny": (2, 3, 3, 10),
    "small": (3, 8, 6, 45),
    "medium": (8, 25, 12, 150),
    "large": (20, 60, 14, 400),
}
SHIFTS = [("06:00", "13:00"), ("11:00", "20:00"), ("15:00", "22:00"), ("06:00", "21:00")]


def _opening() -> list[dict[str, str]]:
    week = [{"day": d, "start": "06:00", "end": "22:00"} for d in DAYS[:5]]
    return week + [{"day": d, "start": "08:00", "end": "18:00"} for d in DAYS[5:]]


def generate_instance(size: str = "medium", seed: int = 0) -> Instance:
    """A studio week of the named size ("tiny", "small", "medium", "large")."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    n_rooms, n_trainers, n_types, target = SIZES[size]
    rng = random.Random(seed)
    rooms: list[dict[str, Any]] = []
    for i in range(n_rooms):
        features, cap = ROOM_KINDS[i % len(ROOM_KINDS)]
        rooms.append({"id": f"R{i + 1}", "capacity": cap + rng.choice((-2, 0, 2)),
                      "features": features})
    present = {f for r in rooms for f in r["features"]}
    catalogue = [c for c in CATALOGUE if set(c[2]) <= present][:n_types]
    per_type = max(2, target // len(catalogue))
    types = [{"id": cid, "duration_min": mins, "required_features": feats,
              "qualification": qual, "revenue_weight": price, "base_demand": demand,
              "category": cat, "min_sessions": per_type // 2,
              "max_sessions": per_type + rng.choice((-1, 0, 1))}
             for cid, mins, feats, qual, price, demand, cat in catalogue]
    quals = sorted({c[3] for c in catalogue})
    trainers = []
    for i in range(n_trainers):
        own = rng.sample(quals, k=min(len(quals), rng.choice((2, 3, 3, 4))))
        if i < len(quals):
            own = sorted(set(own) | {quals[i]})  # every qualification has someone
        days = sorted(rng.sample(range(7), k=rng.choice((4, 5, 5, 6))))
        shift = rng.choice(SHIFTS)
        trainers.append({
            "id": f"T{i + 1:02d}", "qualifications": own,
            "availability": [{"day": DAYS[d], "start": shift[0], "end": shift[1]} for d in days],
            "max_hours": float(rng.choice((12, 16, 20, 25, 30))),
            "popularity": round(rng.lognormvariate(0.0, 0.15), 3),
            "preferences": {"avoid": [{"day": DAYS[days[0]], "start": shift[0],
                                       "end": "09:00"}] if shift[0] < "09:00" else []},
        })
    data: dict[str, Any] = {"name": f"generated {size} studio (seed {seed})",
                            "opening_hours": _opening(), "rooms": rooms, "class_types": types,
                            "trainers": trainers}
    return Instance.model_validate(data)


def example_instance() -> Instance:
    """The small documented example printed by ``spotter schedule example``."""
    week = [{"day": d, "start": "07:00", "end": "21:00"} for d in DAYS[:5]]
    data: dict[str, Any] = {
        "name": "example boutique studio",
        "slot_minutes": 15,
        "changeover_min": 15,
        "opening_hours": week + [{"day": "Sat", "start": "08:00", "end": "14:00"}],
        "rooms": [
            {"id": "Studio A", "capacity": 20, "features": ["mirrors", "mats"]},
            {"id": "Cycle Room", "capacity": 16, "features": ["bikes"]},
        ],
        "class_types": [
            {"id": "HIIT", "duration_min": 45, "required_features": ["mirrors"],
             "qualification": "hiit", "revenue_weight": 18, "min_sessions": 3,
             "max_sessions": 6, "base_demand": 15, "category": "HIIT"},
            {"id": "Yoga", "duration_min": 60, "required_features": ["mats"],
             "qualification": "yoga", "revenue_weight": 16, "min_sessions": 3,
             "max_sessions": 5, "base_demand": 12, "category": "Yoga"},
            {"id": "Cycling", "duration_min": 45, "required_features": ["bikes"],
             "qualification": "spin", "revenue_weight": 20, "min_sessions": 3,
             "max_sessions": 6, "base_demand": 14, "category": "Cycling"},
        ],
        "trainers": [
            {"id": "Ana", "qualifications": ["hiit", "spin"], "max_hours": 8,
             "availability": [{"day": d, "start": "07:00", "end": "13:00"} for d in DAYS[:5]],
             "preferences": {"avoid": [{"day": "Mon", "start": "07:00", "end": "09:00"}]}},
            {"id": "Ben", "qualifications": ["yoga", "hiit"], "max_hours": 6,
             "availability": [{"day": d, "start": "16:00", "end": "21:00"} for d in DAYS[:5]]
             + [{"day": "Sat", "start": "08:00", "end": "14:00"}], "popularity": 1.15},
            {"id": "Cleo", "qualifications": ["spin", "yoga"], "max_hours": 6,
             "availability": [{"day": d, "start": "12:00", "end": "21:00"} for d in DAYS[1:5]]},
        ],
        "pinned": [{"class_type": "Yoga", "room": "Studio A", "trainer": "Ben", "day": "Sat",
                    "start": "09:00"}],
    }
    return Instance.model_validate(data)
