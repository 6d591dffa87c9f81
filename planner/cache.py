"""The week stage of a plan, keyed by what it depends on, and a memo of it for batches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from planner.config import PlannerConfig
from planner.errors import PlanInfeasible
from planner.library import ExerciseLibrary
from planner.models import MemberProfile
from planner.selection import Selection
from planner.split import WeekLayout


@dataclass(frozen=True)
class WeekChoice:
    """The week stage of a plan: everything that depends only on the profile's signature."""

    layout: WeekLayout
    selection: Selection
    warnings: tuple[str, ...]


def signature(profile: MemberProfile, one_rms: Mapping[str, object]) -> tuple[object, ...]:
    """What the week stage depends on: two profiles with equal signatures get the same week.

    Loads, age, body weight, the member id and the intensity mode only shape the weeks
    built from it (and the order of goals matters: the first one drives the doses)."""
    prefs = profile.preferences
    return (profile.days_per_week, profile.fitness_level, tuple(profile.goals),
            tuple(sorted(set(profile.equipment))), tuple(sorted(profile.injury_areas)),
            profile.minutes_per_session, tuple(sorted(set(prefs.liked))),
            tuple(sorted(set(prefs.disliked))), tuple(sorted(one_rms)),
            tuple(profile.class_days))


class SelectionCache:
    """Memo of the week stage by profile signature, for batches of many members.

    A studio's members share its kit and cluster on a few goals, levels and week shapes;
    each distinct signature is solved once and every other member with it reuses the week
    (the weeks, loads and the rule check are still made per member). Bounded (LRU);
    ``hits``/``misses`` say how much it saved. Entries remember the library and guidance
    table they were made with and never answer for another one."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[object, ...], tuple[object, object, object]] = \
            OrderedDict()

    def lookup(self, key: tuple[object, ...], library: ExerciseLibrary,
               config: PlannerConfig) -> WeekChoice | PlanInfeasible | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] is not library or entry[1] is not config:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[2]  # type: ignore[return-value]

    def store(self, key: tuple[object, ...], library: ExerciseLibrary, config: PlannerConfig,
              value: WeekChoice | PlanInfeasible) -> None:
        self._entries[key] = (library, config, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
