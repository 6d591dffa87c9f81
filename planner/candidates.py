"""Which exercises may fill which slot, how each is dosed, and how much a coach likes it.

The optimizer only sees a short, ranked list per slot: every exercise on it already fits
the member's kit, injuries, level and dislikes, so the solver's job is the weekly trade-off
(volume, time, recovery, variety), not filtering 870 names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from planner.config import DoseRow, PlannerConfig
from planner.library import ExerciseLibrary
from planner.models import Exercise, MemberProfile
from planner.prescription import OneRepMax, seconds_for
from planner.split import Slot
from planner.vocab import LEVEL_RANK

COMPOUND_PATTERNS = frozenset({"squat", "hinge", "lunge", "horizontal_push", "vertical_push",
                               "horizontal_pull", "vertical_pull"})
PER_SLOT = {"main": 5, "core": 3, "conditioning": 3, "carry": 2}
PER_ISOLATION_MUSCLE = 2
# the muscle a main lift of each pattern is meant for (a close-grip bench is a triceps lift)
PRIME_MOVERS = {"squat": ("quadriceps",), "lunge": ("quadriceps", "glutes"),
                "hinge": ("hamstrings", "glutes", "lower back"), "horizontal_push": ("chest",),
                "vertical_push": ("shoulders",), "horizontal_pull": ("middle back", "lats"),
                "vertical_pull": ("lats",)}


@dataclass(frozen=True)
class Candidate:
    """One exercise as the optimizer sees it in one slot."""

    exercise: Exercise
    role: str
    row: DoseRow
    seconds_per_set: int          # worst case over the plan: most reps plus rest
    score: float
    half_sets: Mapping[str, int] = field(default_factory=dict)  # muscle -> 2 primary, 1 indirect


def role_of(exercise: Exercise, slot: Slot) -> str:
    """The guidance row an item takes: main lifts, accessories, core, holds, intervals."""
    if exercise.pattern == "conditioning":
        return slot.role or "conditioning"
    if exercise.timed:
        return "timed"
    if exercise.pattern == "core":
        return "core"
    compound = exercise.mechanic == "compound" or (
        exercise.mechanic is None and exercise.pattern in COMPOUND_PATTERNS)
    return "main" if slot.main and compound else "accessory"


def allowed_roles(exercise: Exercise) -> tuple[str, ...]:
    """Roles the validator accepts for an exercise (a compound may be dosed as accessory)."""
    role = role_of(exercise, Slot("any", (exercise.pattern,), main=True))
    if role == "conditioning":  # a finisher, a steady block or intervals
        return ("conditioning", "steady", "intervals")
    return ("main", "accessory") if role == "main" else (role,)


def member_pool(library: ExerciseLibrary, profile: MemberProfile) -> list[Exercise]:
    """Every exercise this member may be given at all."""
    return list(_pool(library, profile.available_equipment, profile.injury_areas,
                      profile.fitness_level, frozenset(profile.preferences.liked),
                      frozenset(profile.preferences.disliked)))


@lru_cache(maxsize=256)
def _pool(library: ExerciseLibrary, kit: frozenset[str], areas: frozenset[str], level: str,
          liked: frozenset[str], disliked: frozenset[str]) -> tuple[Exercise, ...]:
    """Memoised: generation and the rule check ask for the same pools several times a plan
    (with and without the injuries), and a batch's members share kits and levels."""
    rank = LEVEL_RANK[level]
    return tuple(ex for ex in library.plannable
                 if ex.fits_kit(kit) and LEVEL_RANK[ex.level] <= rank
                 and ex.id not in disliked and (not ex.specialty or ex.id in liked)
                 and not (areas and areas.intersection(ex.contraindications)))


def preference_score(ex: Exercise, slot: Slot, profile: MemberProfile,
                     one_rms: Mapping[str, OneRepMax], targets: frozenset[str]) -> float:
    """How much a coach would prefer this exercise here (higher is better)."""
    score = 3.0 * ex.staple + 4.0 * (ex.id in profile.preferences.liked)
    score += 1.5 * (ex.id in one_rms)
    gap = LEVEL_RANK[profile.fitness_level] - LEVEL_RANK[ex.level]
    # an easier label costs a little, except on staples: a back squat is never outgrown
    score += 0.5 if ex.staple else 0.5 - 0.5 * gap
    score += 0.5 * (ex.primary_muscles[0] in targets)
    if slot.main:
        score += 1.0 * (ex.mechanic == "compound")
        score += 1.0 * (ex.primary_muscles[0] in PRIME_MOVERS.get(ex.pattern, ()))
        if profile.primary_goal == "strength" and ex.equipment == "barbell" \
                and (gap <= 1 or ex.staple):
            score += 1.0
    if profile.fitness_level == "beginner" and ex.equipment in ("machine", "cable"):
        score += 0.5  # guided paths are easier to learn (acsm2009 novice machine work)
    return score


def half_sets(ex: Exercise) -> dict[str, int]:
    """Volume per set in half-sets: 2 for a prime mover, 1 for a helper (indirect = 0.5)."""
    if ex.pattern == "conditioning":
        return {}
    weights: dict[str, int] = {m: 1 for m in ex.secondary_muscles}
    weights.update({m: 2 for m in ex.primary_muscles})
    return weights


def seconds_per_set(ex: Exercise, row: DoseRow, level: str, config: PlannerConfig,
                    role: str = "") -> int:
    """Worst-case seconds of one set; a cardio block counts its shortest bout (the build
    lengthens it only into time the session has left)."""
    if role in ("steady", "intervals") and row.seconds is not None:
        return row.seconds[0] + row.rest
    work = seconds_for(row, LEVEL_RANK[level])
    if work is None:
        assert row.reps is not None
        work = int(round(row.reps[1] * config.session.seconds_per_rep))
    return work + row.rest


def slot_candidates(pool: list[Exercise], slot: Slot, profile: MemberProfile,
                    one_rms: Mapping[str, OneRepMax], targets: frozenset[str],
                    config: PlannerConfig) -> list[Candidate]:
    """The ranked shortlist for one slot."""
    fits = [ex for ex in pool if ex.pattern in slot.patterns
            and (not slot.muscles or ex.primary_muscles[0] in slot.muscles)
            and (not slot.categories or ex.category in slot.categories)]
    if slot.muscles:  # isolation: useful muscles only, when there are any
        useful = [ex for ex in fits if ex.primary_muscles[0] in targets]
        fits = useful or fits
    scores = {ex.id: preference_score(ex, slot, profile, one_rms, targets) for ex in fits}
    ranked = sorted(fits, key=lambda ex: (-scores[ex.id], ex.id))
    if slot.muscles:
        per_muscle: dict[str, int] = {}
        short = []
        for ex in ranked:
            muscle = ex.primary_muscles[0]
            if per_muscle.get(muscle, 0) < PER_ISOLATION_MUSCLE:
                per_muscle[muscle] = per_muscle.get(muscle, 0) + 1
                short.append(ex)
    else:
        short = ranked[:PER_SLOT.get(slot.patterns[0], PER_SLOT["main"])]
    if slot.role == "steady":  # a long block wants a machine or a route, not star jumps
        short = [ex for ex in short if not ex.positions or ex.category == "cardio"] or short
    out = []
    for ex in short:
        role = role_of(ex, slot)
        row = config.dose_row(profile.primary_goal, role, profile.fitness_level)
        out.append(Candidate(ex, role, row,
                             seconds_per_set(ex, row, profile.fitness_level, config, role),
                             scores[ex.id], half_sets(ex)))
    return out


def injury_limited(profile: MemberProfile, library: ExerciseLibrary) -> set[str]:
    """Muscles for which the member's injuries rule out some of the direct exercises.

    Their weekly minimum is pursued but not enforced: training around an injury is the
    member's physio's call, not the planner's (the plan says so in a warning).
    """
    if not profile.injuries:
        return set()
    hurt = member_pool(library, profile)
    unhurt = member_pool(library, profile.model_copy(update={"injuries": []}))

    def direct(pool: list[Exercise]) -> dict[str, int]:
        out: dict[str, int] = {}
        for ex in pool:
            out[ex.primary_muscles[0]] = out.get(ex.primary_muscles[0], 0) + 1
        return out

    before, after = direct(unhurt), direct(hurt)
    return {m for m, n in before.items() if after.get(m, 0) < n}
