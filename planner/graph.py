"""The regression/progression graph: one answer to "what can this member do instead?".

Alternatives (``spotter exercises alternative``, ``/api/exercises/{id}/alternative``), the
plan editor's swap list, in-session modifications, adaptation after pain or poor form and
the validator's repairs all ask this module, so they can never disagree.

An *easier* variant stays on the same movement pattern and prime mover, sits lower in the
difficulty order, is no higher in level, and never asks for more load kit than the
original: a body-weight squat is regressed to a shorter body-weight squat, never to a leg
press or a hack squat. A *harder* one mirrors that. *Same* is within a small difficulty
band. Each candidate falls in exactly one of the three, and every answer respects the
member's kit (fixtures included), injuries, level and dislikes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from planner.errors import PlannerError
from planner.library import NOT_PLANNED, ExerciseLibrary, allowed
from planner.models import Exercise, MemberProfile
from planner.vocab import INJURY_AREAS, LEVEL_RANK

DIRECTIONS = ("easier", "same", "harder")
SAME_BAND = 0.25   # difficulty points within which two variants count as the same (ours)


def _assisted_or_bodyweight(ex: Exercise) -> bool:
    """Kit that helps rather than loads: body weight (with fixtures) or an assisted variant."""
    return ex.equipment == "body only" or "assisted" in ex.id.lower()


def step_allowed(ex: Exercise, cand: Exercise, direction: str) -> bool:
    """Whether ``cand`` may be filed as ``direction`` (easier/harder) of ``ex``."""
    if cand.pattern != ex.pattern or cand.id == ex.id:
        return False
    if direction == "easier":
        return cand.difficulty < ex.difficulty and LEVEL_RANK[cand.level] <= \
            LEVEL_RANK[ex.level] and (ex.equipment != "body only"
                                      or _assisted_or_bodyweight(cand))
    if cand.difficulty <= ex.difficulty or LEVEL_RANK[cand.level] < LEVEL_RANK[ex.level]:
        return False
    if cand.equipment == "machine" and ex.equipment != "machine":
        return False  # a guided path is no progression of a free lift
    # unloading a loaded lift is a progression only when the body-weight move is rated harder
    return ex.equipment == "body only" or cand.equipment != "body only" or \
        LEVEL_RANK[cand.level] > LEVEL_RANK[ex.level]


def direction_of(ex: Exercise, cand: Exercise) -> str | None:
    """easier / same / harder, or None when ``cand`` is no variant of ``ex`` at all."""
    if cand.id in ex.regressions:
        return "easier"
    if cand.id in ex.progressions:
        return "harder"
    delta = cand.difficulty - ex.difficulty
    if abs(delta) <= SAME_BAND:
        return "same"
    way = "easier" if delta < 0 else "harder"
    return way if step_allowed(ex, cand, way) else None


@dataclass(frozen=True)
class Limits:
    """What a member can be given: kit (None = any), injured areas, level, ids to avoid."""

    kit: frozenset[str] | None = None
    areas: frozenset[str] = frozenset()
    level: str | None = None
    avoid_ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, profile: MemberProfile, *, extra_areas: Iterable[str] = (),
           avoid_ids: Iterable[str] = (), kit: Iterable[str] | None = None) -> Limits:
        return cls(kit=frozenset(kit) if kit is not None else profile.available_equipment,
                   areas=profile.injury_areas | frozenset(extra_areas),
                   level=profile.fitness_level,
                   avoid_ids=frozenset(profile.preferences.disliked) | frozenset(avoid_ids))

    @classmethod
    def parse(cls, equipment: Iterable[str] | None, avoid: Iterable[str] | None,
              level: str | None) -> Limits:
        """From the CLI/API words: ``avoid`` mixes injury areas and exercise ids."""
        items = set(avoid or ())
        areas = frozenset(a for a in items if a in INJURY_AREAS)
        return cls(kit=frozenset(equipment) if equipment is not None else None, areas=areas,
                   level=level, avoid_ids=frozenset(items - areas))


def alternatives(exercise: Exercise, direction: str, library: ExerciseLibrary,
                 limits: Limits = Limits()) -> list[Exercise]:
    """Every substitute in ``direction`` the member can do, best first."""
    if direction not in DIRECTIONS:
        raise PlannerError(f"direction must be easier, harder or same, not {direction!r}")
    linked = exercise.regressions if direction == "easier" else (
        exercise.progressions if direction == "harder" else ())
    prime = exercise.primary_muscles[0]
    worked = set(exercise.primary_muscles) | set(exercise.secondary_muscles)
    ranked: list[tuple[tuple[float, ...], str, Exercise]] = []
    for cand in library.by_pattern(exercise.pattern):
        if cand.id == exercise.id or cand.specialty:
            continue
        if cand.pattern in NOT_PLANNED and exercise.pattern not in NOT_PLANNED:
            continue
        if not allowed(cand, equipment=limits.kit, avoid_areas=limits.areas,
                       avoid_ids=limits.avoid_ids, level=limits.level):
            continue
        if direction_of(exercise, cand) != direction:
            continue
        is_linked = cand.id in linked
        same_prime = cand.primary_muscles[0] == prime
        if not same_prime and cand.primary_muscles[0] not in worked and not is_linked:
            continue
        overlap = len(worked & (set(cand.primary_muscles) | set(cand.secondary_muscles)))
        delta = cand.difficulty - exercise.difficulty
        rank = float(linked.index(cand.id) if is_linked else len(linked))
        key: tuple[float, ...]
        if direction == "same":  # closest in what it trains, then in difficulty
            key = (0.0 if same_prime else 1.0, -float(overlap), round(abs(delta), 2),
                   -float(cand.staple))
        else:  # links in their order, then same prime mover at the nearest difficulty
            key = (rank, 0.0 if same_prime else 1.0, round(abs(delta), 2),
                   -float(cand.staple), -float(overlap))
        ranked.append((key, cand.id, cand))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [cand for _, _, cand in ranked]


def find_alternative(exercise: Exercise | str, direction: str, *, library: ExerciseLibrary,
                     equipment: Iterable[str] | None = None, avoid: Iterable[str] | None = None,
                     level: str | None = None, limits: Limits | None = None
                     ) -> Exercise | None:
    """The best easier / harder / same substitute, or None when nothing fits.

    Either ``limits`` or the CLI words: ``equipment`` is the kit on hand (body-only work
    always fits; None = any), ``avoid`` takes injury areas and exercise ids alike, ``level``
    caps the difficulty label."""
    ex = library.get(exercise) if isinstance(exercise, str) else exercise
    found = alternatives(ex, direction, library,
                         limits or Limits.parse(equipment, avoid, level))
    return found[0] if found else None


def swap_options(exercise: Exercise, library: ExerciseLibrary, limits: Limits,
                 per_direction: int = 3) -> list[tuple[Exercise, str]]:
    """The plan editor's list: up to ``per_direction`` easier, same and harder variants,
    each exercise once (the directions partition the candidates)."""
    out: list[tuple[Exercise, str]] = []
    seen: set[str] = set()
    for direction in DIRECTIONS:
        for alt in alternatives(exercise, direction, library, limits)[:per_direction]:
            if alt.id not in seen:
                seen.add(alt.id)
                out.append((alt, direction))
    return out
