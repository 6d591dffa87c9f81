"""Differences between a published timetable and a new draft, as a manager reads them:
unchanged, trainer changed, room changed, moved (same class type, other time), added, removed.
"""

from __future__ import annotations

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


def _short(c: ScheduledClass) -> str:
    return f"{c.class_type} {c.day} {c.start} in {c.room} with {c.trainer}"


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


def diff_schedules(published: list[ScheduledClass], draft: list[ScheduledClass]) -> ScheduleDiff:
    """Match draft classes to published ones, most specific match first."""
    before, after = list(published), list(draft)
    unchanged = len(_pair(before, after, lambda c: (c.class_type, c.day, c.start, c.room,
                                                    c.trainer)))
    changes: list[ClassChange] = []
    for b, a in _pair(before, after, lambda c: (c.class_type, c.day, c.start, c.room)):
        changes.append(ClassChange(kind="trainer_changed", before=b, after=a,
                                   detail=f"{_short(b)}: trainer {b.trainer} -> {a.trainer}"))
    for b, a in _pair(before, after, lambda c: (c.class_type, c.day, c.start, c.trainer)):
        changes.append(ClassChange(kind="room_changed", before=b, after=a,
                                   detail=f"{_short(b)}: room {b.room} -> {a.room}"))
    for b in sorted(before, key=_when):
        same = [a for a in after if a.class_type == b.class_type]
        if not same:
            continue
        a = min(same, key=lambda c: (c.trainer != b.trainer, abs(_when(c) - _when(b))))
        after.remove(a)
        before.remove(b)
        changes.append(ClassChange(kind="moved", before=b, after=a,
                                   detail=f"{_short(b)} -> {a.day} {a.start} in {a.room} "
                                          f"with {a.trainer}"))
    changes += [ClassChange(kind="removed", before=b, detail=f"removed {_short(b)}")
                for b in before]
    changes += [ClassChange(kind="added", after=a, detail=f"added {_short(a)}") for a in after]
    return ScheduleDiff(unchanged=unchanged, changes=changes)
