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
# Fixtures: kit the dataset does not name (it files a pull-up as "body only"), which a
# member may or may not have. A profile lists them beside its equipment.
Fixture = Literal["pull-up bar", "dip station", "bench", "box or step",
                  "rings or suspension trainer"]
# Anything a profile's ``equipment`` may list.
Kit = Literal[
    "barbell", "dumbbell", "other", "body only", "cable", "machine", "kettlebells",
    "bands", "medicine ball", "exercise ball", "foam roll", "e-z curl bar",
    "pull-up bar", "dip station", "bench", "box or step", "rings or suspension trainer",
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
# Joint positions and loads an exercise involves; injury rules (configs/injury_rules.toml)
# are written against these, not against names.
Position = Literal[
    "overhead_loaded",          # loaded shoulder flexion above 90 degrees
    "shoulder_end_range",       # dips, behind-the-neck, upright rows: loaded end range
    "hanging",                  # body weight hanging from the hands
    "deep_knee_flexion",        # knee bent past about 90 degrees under load
    "open_chain_knee_extension",  # leg extensions: shear on the knee, load at the shin
    "loaded_spinal_flexion",    # trunk flexes or leans forward against a load
    "loaded_spinal_extension",  # trunk extends against a load (back extensions)
    "axial_spinal_load",        # a bar on the back, in the rack or overhead
    "loaded_wrist_extension",   # body weight or a bar on an extended wrist
    "elbow_loaded_end_range",   # elbow loaded at full flexion or extension
    "impact",                   # jumping, landing, running
    "deep_hip_flexion",         # hip bent past about 90 degrees under load
    "wide_hip_abduction",       # sumo and wide stances, adductor/abductor work
    "loaded_plantarflexion",    # calf raises: load through the ankle and Achilles
    "cervical_load",            # load on the neck or heavy shrugging
]
InjuryArea = Literal["knee", "shoulder", "lower_back", "wrist", "elbow", "hip", "ankle", "neck"]
Goal = Literal["strength", "hypertrophy", "endurance", "fat_loss", "general_fitness"]
Sex = Literal["female", "male", "other"]
Split = Literal["full_body", "upper_lower", "push_pull_legs"]
ProgressionModel = Literal["linear", "dup", "block"]
Direction = Literal["easier", "harder", "same"]
# How a set is dosed: main compound lifts, accessories, rep-based core, timed holds and
# carries, conditioning intervals. Each has its own row in the guidance table.
# "steady" and "intervals" are the cardio blocks of conditioning goals (heart-rate zones).
Role = Literal["main", "accessory", "core", "timed", "conditioning", "steady", "intervals"]

MUSCLES: tuple[str, ...] = get_args(Muscle)
CATEGORIES: tuple[str, ...] = get_args(Category)
EQUIPMENT: tuple[str, ...] = get_args(Equipment)
FIXTURES: tuple[str, ...] = get_args(Fixture)
KIT: tuple[str, ...] = get_args(Kit)
POSITIONS: tuple[str, ...] = get_args(Position)
LEVELS: tuple[str, ...] = get_args(Level)
PATTERNS: tuple[str, ...] = get_args(Pattern)
INJURY_AREAS: tuple[str, ...] = get_args(InjuryArea)
GOALS: tuple[str, ...] = get_args(Goal)
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
ALWAYS_AVAILABLE: frozenset[str] = frozenset({"body only"})
