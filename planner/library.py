"""The exercise library: an indexed, immutable set of exercises, and the member-limits
test every selection, swap and check shares (:func:`allowed`).

Substitutes (easier, same, harder) are :mod:`planner.graph`'s job.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from planner.errors import PlannerError, UnknownExercise
from planner.models import Exercise
from planner.vocab import ALWAYS_AVAILABLE, LEVEL_RANK

NOT_PLANNED = frozenset({"mobility", "power"})
PLANNED_CATEGORIES = frozenset({"strength", "powerlifting", "cardio", "plyometrics", "strongman"})


class ExerciseLibrary:
    """An immutable, indexed set of exercises."""

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self._by_id: dict[str, Exercise] = {}
        for ex in exercises:
            if ex.id in self._by_id:
                raise PlannerError(f"duplicate exercise id {ex.id!r} in library")
            self._by_id[ex.id] = ex
        self._by_pattern: dict[str, list[Exercise]] = {}
        for ex in self._by_id.values():
            self._by_pattern.setdefault(ex.pattern, []).append(ex)
        self.plannable: tuple[Exercise, ...] = tuple(
            ex for ex in self._by_id.values()
            if ex.pattern not in NOT_PLANNED and ex.category in PLANNED_CATEGORIES)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._by_id.values())

    def __contains__(self, ex_id: object) -> bool:
        return ex_id in self._by_id

    def get(self, ex_id: str) -> Exercise:
        try:
            return self._by_id[ex_id]
        except KeyError:
            close = difflib.get_close_matches(ex_id, list(self._by_id), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownExercise(f"unknown exercise id {ex_id!r}{hint}") from None

    def by_pattern(self, pattern: str) -> list[Exercise]:
        return list(self._by_pattern.get(pattern, ()))


def allowed(ex: Exercise, *, equipment: frozenset[str] | None = None,
            avoid_areas: frozenset[str] = frozenset(), avoid_ids: frozenset[str] = frozenset(),
            level: str | None = None) -> bool:
    """Whether an exercise fits the kit on hand (equipment and fixtures), the injuries and
    the member's level. ``equipment=None`` means any kit."""
    if ex.id in avoid_ids or avoid_areas & set(ex.contraindications):
        return False
    if equipment is not None and not ex.fits_kit(equipment | ALWAYS_AVAILABLE):
        return False
    return level is None or LEVEL_RANK[ex.level] <= LEVEL_RANK[level]
