"""An instance with every default resolved and lookups built once.

The option builder, validator, scorer and greedy baseline all need the same derived facts
(minutes instead of strings, default max hours, the changeover gap); computing them in one
place keeps the independent validator honest about *what* the rules are while still not
sharing any solver code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.config import ObjectiveWeights, SchedulerSettings, load_settings
from scheduler.schemas import ClassType, Instance, Room, Trainer, Window
from scheduler.timegrid import DAY_INDEX, to_minutes

Span = tuple[int, int]


def _by_day(windows: list[Window]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = defaultdict(list)
    for w in windows:
        out[DAY_INDEX[w.day]].append((to_minutes(w.start), to_minutes(w.end)))
    for spans in out.values():
        spans.sort()
    return out


def inside_any(spans: list[Span], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def touches_any(spans: list[Span], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


@dataclass
class Studio:
    instance: Instance
    settings: SchedulerSettings
    slot: int
    changeover: int
    weights: ObjectiveWeights
    rooms: dict[str, Room]
    class_types: dict[str, ClassType]
    trainers: dict[str, Trainer]
    max_minutes: dict[str, int]
    day_cap: int | None
    opening: dict[int, list[Span]]
    availability: dict[str, dict[int, list[Span]]]
    room_closed: dict[str, dict[int, list[Span]]]
    avoid: dict[str, dict[int, list[Span]]]
    open_days: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, instance: Instance, settings: SchedulerSettings | None = None) -> Studio:
        settings = settings or load_settings()
        d = settings.defaults
        opening = _by_day(instance.opening_hours)
        return cls(
            instance=instance,
            settings=settings,
            slot=instance.slot_minutes or d.slot_minutes,
            changeover=d.changeover_minutes
            if instance.changeover_min is None
            else instance.changeover_min,
            weights=instance.weights or settings.weights,
            rooms={r.id: r for r in instance.rooms},
            class_types={c.id: c for c in instance.class_types},
            trainers={t.id: t for t in instance.trainers},
            max_minutes={
                t.id: round(60 * (t.max_hours if t.max_hours is not None else d.max_trainer_hours))
                for t in instance.trainers
            },
            day_cap=instance.max_classes_per_trainer_day,
            opening=opening,
            availability={t.id: _by_day(t.availability) for t in instance.trainers},
            room_closed={r.id: _by_day(r.closed) for r in instance.rooms},
            avoid={t.id: _by_day(t.preferences.avoid) for t in instance.trainers},
            open_days=sorted(opening),
        )

    def room_fits(self, class_type: ClassType, room: Room) -> bool:
        return set(class_type.required_features) <= set(room.features) and (
            room.capacity >= class_type.min_capacity
        )

    def qualified(self, class_type: ClassType, trainer: Trainer) -> bool:
        need = class_type.qualification
        return need is None or need in trainer.qualifications

    def is_open(self, day: int, start: int, end: int) -> bool:
        return inside_any(self.opening.get(day, []), start, end)

    def trainer_available(self, trainer: str, day: int, start: int, end: int) -> bool:
        return inside_any(self.availability[trainer].get(day, []), start, end)

    def room_open(self, room: str, day: int, start: int, end: int) -> bool:
        return not touches_any(self.room_closed[room].get(day, []), start, end)

    def in_avoid_window(self, trainer: str, day: int, start: int, end: int) -> bool:
        return touches_any(self.avoid[trainer].get(day, []), start, end)
