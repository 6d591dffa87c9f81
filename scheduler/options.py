"""Candidate classes (class type, day, start, room, trainer) enumerated *outside* the solver.

Every rule that depends on one class alone (opening hours, room features and capacity,
room closures, trainer qualification and availability, the slot grid) is applied here, so
the CP-SAT model only carries the rules that couple classes. Each option carries its
predicted attendance (capped by the room's capacity) and its integer-scaled value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.demand import DemandEstimate, DemandPredictor
from scheduler.schemas import ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, DAYS, to_hhmm, to_minutes

OptionKey = tuple[str, int, int, str, str]  # class type, day, start, room, trainer


@dataclass(frozen=True)
class Option:
    class_type: str
    day: int
    start: int
    end: int
    room: str
    trainer: str
    attendance: float
    demand_sd: float
    revenue: float
    value: int
    avoid: bool

    @property
    def key(self) -> OptionKey:
        return (self.class_type, self.day, self.start, self.room, self.trainer)

    @property
    def duration(self) -> int:
        return self.end - self.start

    def to_class(self) -> ScheduledClass:
        return ScheduledClass(
            class_type=self.class_type, room=self.room, trainer=self.trainer,
            day=DAYS[self.day], start=to_hhmm(self.start),  # type: ignore[arg-type]
            end=to_hhmm(self.end), predicted_attendance=round(self.attendance, 2),
        )


@dataclass
class OptionSet:
    options: list[Option]
    by_key: dict[OptionKey, int] = field(default_factory=dict)
    by_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_room: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_trainer: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_trainer_day: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    by_type_day: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    pinned: list[int | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, o in enumerate(self.options):
            self.by_key[o.key] = i
            self.by_type[o.class_type].append(i)
            self.by_room[o.room].append(i)
            self.by_trainer[o.trainer].append(i)
            self.by_trainer_day[(o.trainer, o.day)].append(i)
            self.by_type_day[(o.class_type, o.day)].append(i)

    def __len__(self) -> int:
        return len(self.options)

    def index_of(self, c: ScheduledClass) -> int | None:
        return self.by_key.get(
            (c.class_type, DAY_INDEX[c.day], to_minutes(c.start), c.room, c.trainer))


def option_value(studio: Studio, attendance: float, price: float) -> int:
    """Stage-2 value of a class in integer units (CP-SAT objectives must be integers)."""
    w = studio.weights
    return round(studio.settings.solver.scale * (w.attendance + w.revenue * price) * attendance)


def build_options(studio: Studio, demand: DemandPredictor) -> OptionSet:
    """All allowed candidate classes, plus the option index of each pinned class."""
    options: list[Option] = []
    cache: dict[tuple[str, int, int, str], DemandEstimate] = {}
    for ctype in studio.class_types.values():
        if ctype.max_sessions == 0:
            continue
        rooms = [r for r in studio.rooms.values() if studio.room_fits(ctype, r)]
        trainers = [t for t in studio.trainers.values() if studio.qualified(ctype, t)]
        dur = ctype.duration_min
        seen: set[tuple[int, int]] = set()  # overlapping opening windows share starts
        for day in studio.open_days:
            for open_start, open_end in studio.opening[day]:
                first = -(-open_start // studio.slot) * studio.slot
                for start in range(first, open_end - dur + 1, studio.slot):
                    end = start + dur
                    if (day, start) in seen:
                        continue
                    seen.add((day, start))
                    free = [t for t in trainers if studio.trainer_available(t.id, day, start, end)]
                    if not free:
                        continue
                    for room in rooms:
                        if not studio.room_open(room.id, day, start, end):
                            continue
                        for t in free:
                            key = (ctype.id, day, start, t.id)
                            if key not in cache:
                                cache[key] = demand.predict(ctype, day, start, t)
                            est = cache[key]
                            att = min(est.mean, float(room.capacity))
                            options.append(Option(
                                class_type=ctype.id, day=day, start=start, end=end,
                                room=room.id, trainer=t.id, attendance=att,
                                demand_sd=est.std, revenue=att * ctype.revenue_weight,
                                value=option_value(studio, att, ctype.revenue_weight),
                                avoid=studio.in_avoid_window(t.id, day, start, end),
                            ))
    result = OptionSet(options)
    result.pinned = [
        result.by_key.get((p.class_type, DAY_INDEX[p.day], to_minutes(p.start), p.room, p.trainer))
        for p in studio.instance.pinned
    ]
    return result
