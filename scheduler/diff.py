"""Differences between a published timetable and a new draft, as a manager reads them:
unchanged, trainer changed, room changed, moved (same class type, other time), added, removed.

The details read like a timetable ("Yoga Mon 17:15 in Studio A with Sam Coach"): given the
studio's display names, no internal id appears in them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from scheduler.schemas import ScheduledClass
from scheduler.timegrid import DAY_INDEX, to_minutes

ChangeKind = Literal["added", "removed", "moved", "trainer_changed", "room_changed"]


class ClassChange(BaseModel):
    kind: ChangeKind
    before: ScheduledClass | None = None
    after: ScheduledClass | None = None
    detail: str


class ScheduleDiff(BaseModel):
    unchanged: int
    changes: list[ClassChange]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


Names = Mapping[str, Mapping[str, str]]  # "rooms" / "trainers" / "class_types": id -> name


def _n(names: Names, kind: str, key: str) -> str:
    return names.get(kind, {}).get(key, key)


def _short(c: ScheduledClass, names: Names) -> str:
    return (f"{_n(names, 'class_types', c.class_type)} {c.day} {c.start} in "
            f"{_n(names, 'rooms', c.room)} with {_n(names, 'trainers', c.trainer)}")


def describe(kind: ChangeKind, before: ScheduledClass | None, after: ScheduledClass | None,
             names: Names | None = None) -> str:
    """One change in words, with display names."""
    names = names or {}
    if kind == "added" and after is not None:
        return f"added {_short(after, names)}"
    if kind == "removed" and before is not None:
        return f"removed {_short(before, names)}"
    assert before is not None and after is not None
    if kind == "trainer_changed":
        return (f"{_short(before, names)}: now with {_n(names, 'trainers', after.trainer)}")
    if kind == "room_changed":
        return f"{_short(before, names)}: now in {_n(names, 'rooms', after.room)}"
    return (f"{_short(before, names)} -> {after.day} {after.start} in "
            f"{_n(names, 'rooms', after.room)} with {_n(names, 'trainers', after.trainer)}")


def _when(c: ScheduledClass) -> int:
    return DAY_INDEX[c.day] * 24 * 60 + to_minutes(c.start)


def _pair(before: list[ScheduledClass], after: list[ScheduledClass], key: object
          ) -> list[tuple[ScheduledClass, ScheduledClass]]:
    """Match classes with equal ``key(c)``, removing the matched ones from both lists."""
    pairs = []
    for b in list(before):
        for a in after:
            if key(b) == key(a):  # type: ignore[operator]
                pairs.append((b, a))
                before.remove(b)
                after.remove(a)
                break
    return pairs


def diff_schedules(published: list[ScheduledClass], draft: list[ScheduledClass],
                   names: Names | None = None) -> ScheduleDiff:
    """Match draft classes to published ones, most specific match first."""
    before, after = list(published), list(draft)
    unchanged = len(_pair(before, after, lambda c: (c.class_type, c.day, c.start, c.room,
                                                    c.trainer)))
    changes: list[ClassChange] = []
    for b, a in _pair(before, after, lambda c: (c.class_type, c.day, c.start, c.room)):
        changes.append(ClassChange(kind="trainer_changed", before=b, after=a,
                                   detail=describe("trainer_changed", b, a, names)))
    for b, a in _pair(before, after, lambda c: (c.class_type, c.day, c.start, c.trainer)):
        changes.append(ClassChange(kind="room_changed", before=b, after=a,
                                   detail=describe("room_changed", b, a, names)))
    for b in sorted(before, key=_when):
        same = [a for a in after if a.class_type == b.class_type]
        if not same:
            continue
        a = min(same, key=lambda c: (c.trainer != b.trainer, abs(_when(c) - _when(b))))
        after.remove(a)
        before.remove(b)
        changes.append(ClassChange(kind="moved", before=b, after=a,
                                   detail=describe("moved", b, a, names)))
    changes += [ClassChange(kind="removed", before=b, detail=describe("removed", b, None, names))
                for b in before]
    changes += [ClassChange(kind="added", after=a, detail=describe("added", None, a, names))
                for a in after]
    return ScheduleDiff(unchanged=unchanged, changes=changes)
