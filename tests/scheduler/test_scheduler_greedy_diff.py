"""The greedy baseline keeps every hard rule; the diff reads like a manager's change list."""

from __future__ import annotations

import pytest

from scheduler.demand import demand_for
from scheduler.diff import diff_schedules
from scheduler.greedy import greedy_schedule
from scheduler.instances import generate_instance
from scheduler.options import build_options
from scheduler.schemas import Schedule, ScheduledClass
from scheduler.solve import to_classes
from scheduler.studio import Studio
from scheduler.validation import validate_schedule


@pytest.mark.parametrize(("size", "seed"), [("tiny", 0), ("small", 1), ("small", 2)])
def test_greedy_is_valid(size: str, seed: int) -> None:
    inst = generate_instance(size, seed)
    studio = Studio.build(inst)
    options = build_options(studio, demand_for(inst))
    chosen = greedy_schedule(studio, options)
    assert len(set(chosen)) == len(chosen)
    assert validate_schedule(inst, Schedule(classes=to_classes(options, chosen))) == []


def c(ctype: str, day: str, start: str, room: str = "A", trainer: str = "Tara"
      ) -> ScheduledClass:
    h, m = start.split(":")
    return ScheduledClass(class_type=ctype, room=room, trainer=trainer, day=day,  # type: ignore[arg-type]
                          start=start, end=f"{int(h) + 1:02d}:{m}")


DIFFS = [
    ("unchanged", [c("Yoga", "Mon", "08:00")], [c("Yoga", "Mon", "08:00")], []),
    ("trainer", [c("Yoga", "Mon", "08:00")], [c("Yoga", "Mon", "08:00", trainer="Sam")],
     ["trainer_changed"]),
    ("room", [c("Yoga", "Mon", "08:00")], [c("Yoga", "Mon", "08:00", room="B")],
     ["room_changed"]),
    ("moved", [c("Yoga", "Mon", "08:00")], [c("Yoga", "Tue", "18:00")], ["moved"]),
    ("added+removed", [c("Yoga", "Mon", "08:00")], [c("HIIT", "Mon", "08:00")],
     ["removed", "added"]),
]


@pytest.mark.parametrize(("name", "before", "after", "kinds"), DIFFS, ids=[d[0] for d in DIFFS])
def test_diff(name: str, before: list[ScheduledClass], after: list[ScheduledClass],
              kinds: list[str]) -> None:
    diff = diff_schedules(before, after)
    assert [ch.kind for ch in diff.changes] == kinds
    assert diff.unchanged == (1 if not kinds else 0)
    assert all(ch.detail for ch in diff.changes)


def test_diff_details_read_with_display_names_not_ids() -> None:
    from scheduler.diff import diff_schedules
    from scheduler.schemas import ScheduledClass

    def c(day: str, start: str, trainer: str) -> ScheduledClass:
        return ScheduledClass(class_type="demo-hiit", room="demo-room", trainer=trainer,
                              day=day, start=start, end="18:00" if start == "17:15" else "19:00")

    names = {"class_types": {"demo-hiit": "HIIT"}, "rooms": {"demo-room": "Studio A"},
             "trainers": {"demo-trainer": "Sam Coach", "sub": "Alex Sub"}}
    diff = diff_schedules([c("Mon", "17:15", "demo-trainer"), c("Tue", "18:15", "demo-trainer")],
                          [c("Mon", "17:15", "sub"), c("Wed", "18:15", "demo-trainer")], names)
    details = [ch.detail for ch in diff.changes]
    assert details == ["HIIT Mon 17:15 in Studio A with Sam Coach: now with Alex Sub",
                       "HIIT Tue 18:15 in Studio A with Sam Coach -> Wed 18:15 in Studio A "
                       "with Sam Coach"]
    assert not any("demo-" in d for d in details)
