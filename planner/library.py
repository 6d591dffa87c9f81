"""The exercise library and ``find_alternative``: the planner's lookup of what to swap in.

A substitute keeps the movement pattern and the prime mover where it can (a squat stays a
squat, a chest press stays a chest press), moves along the difficulty order for easier or
harder, and never breaks the member's equipment or injury limits.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from planner.errors import PlannerError, UnknownExercise
from planner.models import Exercise
from planner.vocab import ALWAYS_AVAILABLE, INJURY_AREAS, LEVEL_RANK

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
    """Whether an exercise fits the kit on hand, the injuries and the member's level."""
    if ex.id in avoid_ids or avoid_areas & set(ex.contraindications):
        return False
    if equipment is not None and ex.equipment not in equipment | ALWAYS_AVAILABLE:
        return False
    return level is None or LEVEL_RANK[ex.level] <= LEVEL_RANK[level]


def _split_avoid(avoid: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    items = set(avoid or ())
    areas = frozenset(a for a in items if a in INJURY_AREAS)
    return areas, frozenset(items - areas)


def alternatives(exercise: Exercise, direction: str, library: ExerciseLibrary, *,
                 equipment: Iterable[str] | None = None, avoid: Iterable[str] | None = None,
                 level: str | None = None) -> list[Exercise]:
    """Every acceptable substitute, best first (see :func:`find_alternative`)."""
    if direction not in ("easier", "harder", "same"):
        raise PlannerError(f"direction must be easier, harder or same, not {direction!r}")
    areas, ids = _split_avoid(avoid)
    kit = frozenset(equipment) if equipment is not None else None
    linked = exercise.regressions if direction == "easier" else (
        exercise.progressions if direction == "harder" else ())
    prime = exercise.primary_muscles[0]
    worked = set(exercise.primary_muscles) | set(exercise.secondary_muscles)
    ranked: list[tuple[tuple[float, ...], str, Exercise]] = []
    key: tuple[float, ...]
    pool = library.by_pattern(exercise.pattern)
    pool += [library.get(i) for i in linked if i in library and library.get(i) not in pool]
    for cand in pool:
        if cand.id == exercise.id or cand.specialty:
            continue
        if cand.pattern in NOT_PLANNED and exercise.pattern not in NOT_PLANNED:
            continue
        if not allowed(cand, equipment=kit, avoid_areas=areas, avoid_ids=ids | {exercise.id},
                       level=level):
            continue
        delta = cand.difficulty - exercise.difficulty
        is_linked = cand.id in linked  # a curated/derived link is easier/harder by definition
        if not is_linked and ((direction == "easier" and delta >= 0)
                              or (direction == "harder" and delta <= 0)):
            continue
        same_prime = cand.primary_muscles[0] == prime
        if not same_prime and cand.primary_muscles[0] not in worked and not is_linked:
            continue
        overlap = len(worked & (set(cand.primary_muscles) | set(cand.secondary_muscles)))
        rank = float(linked.index(cand.id) if is_linked else len(linked))
        if direction == "same":  # closest in what it trains, then in difficulty
            key = (0.0 if same_prime else 1.0, -float(overlap), round(abs(delta), 2),
                   -float(cand.staple))
        else:  # links in their order, then same prime mover at the nearest difficulty
            key = (rank, 0.0 if same_prime else 1.0, round(abs(delta), 2),
                   -float(cand.staple), -float(overlap))
        ranked.append((key, cand.id, cand))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [cand for _, _, cand in ranked]


def find_alternative(exercise: Exercise | str, direction: str, *,
                     library: ExerciseLibrary,
                     equipment: Iterable[str] | None = None,
                     avoid: Iterable[str] | None = None,
                     level: str | None = None) -> Exercise | None:
    """The best easier / harder / same-level substitute, or None when nothing fits.

    ``avoid`` takes injury areas (``knee``) and exercise ids alike; ``equipment`` is the kit
    on hand (body-only work always fits); ``level`` caps the difficulty label.
    """
    ex = library.get(exercise) if isinstance(exercise, str) else exercise
    found = alternatives(ex, direction, library, equipment=equipment, avoid=avoid, level=level)
    return found[0] if found else None
