"""Week-to-week dose: progression models and deload weeks.

Linear (acsm2009, novices): within each mesocycle reps fall and effort rises week by week.
Daily undulating (rhea2002): each occurrence of a session in the week has its own zone
(heavy / light / moderate) while effort ramps across the weeks. Block (issurin2010):
accumulation (more reps), then intensification, then realization (fewest reps, hardest).
Deload (bell2023): every 4-6 weeks, about half the sets at lighter loads, same exercises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.config import PlannerConfig
from planner.models import MemberProfile

DUP_ZONES = (1.0, 0.0, 0.5)  # heavy, light, moderate


@dataclass(frozen=True)
class Phase:
    """Where a session sits: heaviness 0 (top of the rep range) .. 1 (bottom), target RIR."""

    heaviness: float
    rir: int
    deload: bool
    label: str


def progression_model(profile: MemberProfile, config: PlannerConfig) -> str:
    chosen = profile.preferences.progression_model
    return chosen or config.periodization.model_by_level[profile.fitness_level]


def deload_every(profile: MemberProfile, config: PlannerConfig) -> int:
    return config.periodization.deload_every_weeks[profile.fitness_level]


def is_deload(week: int, every: int) -> bool:
    return week % every == 0


def deload_sets(sets: int, fraction: float) -> int:
    """About ``fraction`` of the sets, rounded down, never fewer than one (3 -> 1, 4 -> 2)."""
    return max(1, math.floor(sets * fraction))


def phase(model: str, week: int, weeks: int, every: int, occurrence: int) -> Phase:
    """Dose position of one session: ``occurrence`` counts earlier same-focus sessions."""
    if is_deload(week, every):
        return Phase(0.5, 3, True, "deload")
    block = (week - 1) // every
    pos = (week - 1) % every
    loading = min(every - 1, weeks - block * every)  # loading weeks in this mesocycle
    ramp = pos / (loading - 1) if loading > 1 else 1.0
    rir = int(round(3 - 2 * ramp))
    if model == "linear":
        return Phase(ramp, rir, False, f"linear week {pos + 1} of {loading}")
    if model == "dup":
        zone = DUP_ZONES[occurrence % len(DUP_ZONES)]
        name = {1.0: "heavy", 0.0: "light", 0.5: "moderate"}[zone]
        return Phase(zone, rir, False, f"{name} day")
    stage = min(2, pos * 3 // max(1, loading))
    label = ("accumulation", "intensification", "realization")[stage]
    return Phase(stage / 2, 3 - stage, False, f"{label} block")
