"""The planner's fixed vocabularies.

Muscles, equipment, levels and categories are the free-exercise-db's own value sets
(so an imported record needs no translation, except ``expert`` -> ``advanced``). Movement
patterns and injury areas are the planner's own: the dataset has neither, and a coach
thinks in patterns ("a hinge, a squat, a push, a pull") rather than in 870 names.
"""

from __future__ import annotations

from typing import Literal, get_args

Muscle = Literal[
    "abdominals", "abductors", "adductors", "biceps", "calves", "chest", "forearms",
    "glutes", "hamstrings", "lats", "lower back", "middle back", "neck", "quadriceps",
    "shoulders", "traps", "triceps",
]
Equipment = Literal[
    "barbell", "dumbbell", "other", "body only", "cable", "machine", "kettlebells",
    "bands", "medicine ball", "exercise ball", "foam roll", "e-z curl bar",
]
Level = Literal["beginner", "intermediate", "advanced"]
Category = Literal[
    "strength", "stretching", "plyometrics", "powerlifting", "olympic weightlifting",
    "strongman", "cardio",
]
Mechanic = Literal["compound", "isolation"]
Force = Literal["push", "pull", "static"]

# The patterns plus three the dataset forces on us: single-joint work
# ("isolation"), explosive skill lifts and throws ("power") and stretches ("mobility").
# Plans use the first eleven; power and mobility stay in the library for find_alternative.
Pattern = Literal[
    "squat", "hinge", "lunge", "horizontal_push", "vertical_push", "horizontal_pull",
    "vertical_pull", "carry", "core", "conditioning", "isolation", "power", "mobility",
]
InjuryArea = Literal["knee", "shoulder", "lower_back", "wrist", "elbow", "hip", "ankle", "neck"]
Goal = Literal["strength", "hypertrophy", "endurance", "fat_loss", "general_fitness"]
Sex = Literal["female", "male", "other"]
Split = Literal["full_body", "upper_lower", "push_pull_legs"]
ProgressionModel = Literal["linear", "dup", "block"]
Direction = Literal["easier", "harder", "same"]
# How a set is dosed: main compound lifts, accessories, rep-based core, timed holds and
# carries, conditioning intervals. Each has its own row in the guidance table.
Role = Literal["main", "accessory", "core", "timed", "conditioning"]

MUSCLES: tuple[str, ...] = get_args(Muscle)
CATEGORIES: tuple[str, ...] = get_args(Category)
EQUIPMENT: tuple[str, ...] = get_args(Equipment)
LEVELS: tuple[str, ...] = get_args(Level)
PATTERNS: tuple[str, ...] = get_args(Pattern)
INJURY_AREAS: tuple[str, ...] = get_args(InjuryArea)
GOALS: tuple[str, ...] = get_args(Goal)
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
ALWAYS_AVAILABLE: frozenset[str] = frozenset({"body only"})
