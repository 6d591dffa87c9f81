"""Input checks and the independent checker of every hard constraint.

This module deliberately imports nothing from the solver side (no OR-Tools, no option
builder): it re-reads the rules from the instance, so a modelling bug in the CP-SAT model
shows up as a named violation here instead of being trusted twice.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel, ValidationError

from scheduler.config import SchedulerSettings
from scheduler.errors import SchedulerInputError
from scheduler.schemas import Instance, Schedule, ScheduledClass, Violation
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, MINUTES_PER_DAY, to_minutes


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        problems.append(f"{where}: {err['msg']}")
    return problems


def _load(data: Any, model: type[BaseModel], what: str) -> BaseModel:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise SchedulerInputError(
                [f"{what} is not valid JSON: {exc}"], advice=f"pass a JSON {what}"
            ) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SchedulerInputError(
            _pydantic_problems(exc),
            advice=f"compare with `spotter schedule example`; fix the {what} fields listed",
        ) from exc


def parse_instance(data: Any) -> Instance:
    """Instance from a dict or JSON text; every schema or cross-reference problem at once."""
    instance = _load(data, Instance, "instance")
    assert isinstance(instance, Instance)
    problems = check_instance(instance)
    if problems:
        raise SchedulerInputError(problems, advice="fix the references and retry")
    return instance


def parse_schedule(data: Any) -> Schedule:
    schedule = _load(data, Schedule, "schedule")
    assert isinstance(schedule, Schedule)
    return schedule


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def check_instance(instance: Instance) -> list[str]:
    """Cross-reference problems the schema alone cannot see (ids, grid, pins, demand)."""
    problems: list[str] = []
    for what, ids in (
        ("room", [r.id for r in instance.rooms]),
        ("class type", [c.id for c in instance.class_types]),
        ("trainer", [t.id for t in instance.trainers]),
    ):
        problems += [f"duplicate {what} id {i!r}" for i in _duplicates(ids)]
    slot = instance.slot_minutes
    if slot is not None and MINUTES_PER_DAY % slot:
        problems.append(f"slot_minutes {slot} does not divide a day (use 5, 10, 15, 30 or 60)")
    rooms = {r.id for r in instance.rooms}
    types = {c.id for c in instance.class_types}
    trainers = {t.id for t in instance.trainers}
    for i, pin in enumerate(instance.pinned):
        for value, known, what in (
            (pin.class_type, types, "class type"),
            (pin.room, rooms, "room"),
            (pin.trainer, trainers, "trainer"),
        ):
            if value not in known:
                problems.append(f"pinned[{i}]: unknown {what} {value!r}")
    for i, entry in enumerate(instance.demand or []):
        if entry.class_type not in types:
            problems.append(f"demand[{i}]: unknown class type {entry.class_type!r}")
    return problems


class _Rules:
    """Collects violations of one schedule; one method per hard-constraint family."""

    def __init__(self, studio: Studio, classes: list[ScheduledClass]) -> None:
        self.studio = studio
        self.classes = classes
        self.found: list[Violation] = []

    def add(self, constraint: str, message: str, *idx: int) -> None:
        self.found.append(Violation(constraint=constraint, message=message, classes=list(idx)))

    def per_class(self) -> None:
        s = self.studio
        for i, c in enumerate(self.classes):
            ctype, room, trainer = (
                s.class_types.get(c.class_type), s.rooms.get(c.room), s.trainers.get(c.trainer)
            )
            label = f"{c.class_type} {c.day} {c.start}"
            missing = [n for n, v in (("class type", ctype), ("room", room), ("trainer", trainer))
                       if v is None]
            if missing:
                self.add("unknown_reference", f"{label}: unknown {', '.join(missing)}", i)
                continue
            assert ctype is not None and room is not None and trainer is not None
            day, start, end = DAY_INDEX[c.day], to_minutes(c.start), to_minutes(c.end)
            if end - start != ctype.duration_min:
                self.add("duration", f"{label}: lasts {end - start} min, "
                         f"class type needs {ctype.duration_min}", i)
            if start % s.slot:
                self.add("slot_alignment", f"{label}: start is off the {s.slot}-min grid", i)
            if not s.is_open(day, start, end):
                self.add("opening_hours", f"{label}-{c.end}: studio is not open then", i)
            if not s.room_fits(ctype, room):
                self.add("room_fit", f"{label}: room {room.id} lacks "
                         f"{sorted(set(ctype.required_features) - set(room.features))} or "
                         f"capacity {room.capacity} < {ctype.min_capacity}", i)
            if not s.room_open(room.id, day, start, end):
                self.add("room_closed", f"{label}: room {room.id} is closed then", i)
            if not s.qualified(ctype, trainer):
                self.add("trainer_qualification",
                         f"{label}: {trainer.id} lacks qualification {ctype.qualification!r}", i)
            if not s.trainer_available(trainer.id, day, start, end):
                self.add("trainer_availability",
                         f"{label}-{c.end}: {trainer.id} is not available then", i)

    def pairs(self) -> None:
        gap = self.studio.changeover
        by_room: dict[tuple[str, str], list[int]] = defaultdict(list)
        by_trainer: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, c in enumerate(self.classes):
            by_room[(c.room, c.day)].append(i)
            by_trainer[(c.trainer, c.day)].append(i)
        for (room, day), idx in by_room.items():
            for a, b in _ordered_pairs(self.classes, idx):
                if to_minutes(self.classes[b].start) < to_minutes(self.classes[a].end):
                    self.add("room_double_booked", f"room {room} on {day}: "
                             f"{self._label(a)} overlaps {self._label(b)}", a, b)
        for (trainer, day), idx in by_trainer.items():
            for a, b in _ordered_pairs(self.classes, idx):
                wait = to_minutes(self.classes[b].start) - to_minutes(self.classes[a].end)
                if wait < 0:
                    self.add("trainer_double_booked", f"{trainer} on {day}: "
                             f"{self._label(a)} overlaps {self._label(b)}", a, b)
                elif wait < gap:
                    self.add("changeover_gap", f"{trainer} on {day}: only {wait} min between "
                             f"{self._label(a)} and {self._label(b)} (needs {gap})", a, b)

    def totals(self) -> None:
        s = self.studio
        minutes: Counter[str] = Counter()
        count: Counter[str] = Counter()
        per_day: Counter[tuple[str, str]] = Counter()
        for c in self.classes:
            minutes[c.trainer] += to_minutes(c.end) - to_minutes(c.start)
            count[c.class_type] += 1
            per_day[(c.trainer, c.day)] += 1
        cap = s.instance.max_classes_per_trainer_day
        for (trainer, day), n in sorted(per_day.items()):
            if cap is not None and n > cap:
                self.add("trainer_day_cap", f"{trainer} teaches {n} classes on {day}, "
                         f"more than {cap}")
        for trainer, used in minutes.items():
            if trainer in s.max_minutes and used > s.max_minutes[trainer]:
                self.add("trainer_max_hours", f"{trainer} teaches {used / 60:g} h, "
                         f"more than {s.max_minutes[trainer] / 60:g} h")
        for ctype in s.class_types.values():
            n = count[ctype.id]
            if n < ctype.min_sessions:
                self.add("min_sessions",
                         f"{ctype.id}: {n} sessions, needs >= {ctype.min_sessions}")
            if n > ctype.max_sessions:
                self.add("max_sessions",
                         f"{ctype.id}: {n} sessions, allows <= {ctype.max_sessions}")
        present = Counter((c.class_type, c.room, c.trainer, c.day, to_minutes(c.start))
                          for c in self.classes)
        for pin in s.instance.pinned:
            key = (pin.class_type, pin.room, pin.trainer, pin.day, to_minutes(pin.start))
            if present[key] < 1:
                self.add("pinned_missing", f"pinned {pin.class_type} {pin.day} {pin.start} in "
                         f"{pin.room} with {pin.trainer} is not in the schedule")
            else:
                present[key] -= 1

    def _label(self, i: int) -> str:
        c = self.classes[i]
        return f"{c.class_type} {c.start}-{c.end}"


def _ordered_pairs(classes: list[ScheduledClass], idx: list[int]) -> list[tuple[int, int]]:
    """Pairs (a, b) with a starting no later than b, for every two classes of one group."""
    order = sorted(idx, key=lambda i: (to_minutes(classes[i].start), i))
    return [(a, b) for k, a in enumerate(order) for b in order[k + 1:]]


def validate_schedule(
    instance: Instance, schedule: Schedule, settings: SchedulerSettings | None = None
) -> list[Violation]:
    """Every hard-constraint violation of ``schedule``, named by family; [] when valid."""
    rules = _Rules(Studio.build(instance, settings), list(schedule.classes))
    rules.per_class()
    rules.pairs()
    rules.totals()
    return rules.found
