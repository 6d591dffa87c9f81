"""Cardio blocks in the member's heart-rate zones: steady blocks, intervals, finishers.

A conditioning goal gets real cardio sessions (``planner.split``): a steady block (one
long bout in zones 2-3) or intervals (work bouts in zone 4, or 4-5 for the advanced, with
easy recoveries in zone 2), prescribed as zones and the member's own bpm. Zones are the
live board's (``configs/zones.toml`` through :mod:`configs.hr_zones`), so "zone 4" in a
plan is the colour the member sees on the studio screen. Blocks start at the bottom of
their guidance row and lengthen week by week (garber2011: progress duration first;
helgerud2007 for the 4 x 4 interval target); deload weeks are shorter and a zone lower.
"""

from __future__ import annotations

import math

from configs.hr_zones import ZoneBands, default_zone_bands
from planner.config import DoseRow, PlannerConfig
from planner.models import HeartRateTarget, MemberProfile, PlanItem

CARDIO_ROLES = frozenset({"steady", "intervals"})
HR_ROLES = CARDIO_ROLES | {"conditioning"}
ROUND_SECONDS = 60      # steady blocks are written in whole minutes


def target_zones(role: str, level: str, deload: bool, config: PlannerConfig
                 ) -> tuple[int, int]:
    rules = config.cardio
    if role == "steady":
        lo, hi = rules.steady_zones
    elif role == "conditioning":
        lo, hi = rules.finisher_zones
    else:
        lo, hi = next(z for lv, z in rules.interval_zones.items() if lv == level)
    if deload:
        lo, hi = max(1, lo - rules.deload_zone_drop), max(1, hi - rules.deload_zone_drop)
    return int(lo), int(hi)


def heart_rate(profile: MemberProfile, role: str, deload: bool, config: PlannerConfig,
               bands: ZoneBands | None = None) -> HeartRateTarget:
    """The zones and the member's bpm for one block."""
    bands = bands or default_zone_bands()
    hr_max = bands.hr_max(profile.age, profile.hr_max)
    rest = profile.hr_rest
    lo, hi = target_zones(role, profile.fitness_level, deload, config)
    bpm = (bands.bpm_range(lo, hr_max, rest)[0], bands.bpm_range(hi, hr_max, rest)[1])
    recovery = None if role == "steady" else config.cardio.recovery_zone
    return HeartRateTarget(
        zones=(lo, hi), bpm=bpm, recovery_zone=recovery,
        recovery_bpm=bands.bpm_range(recovery, hr_max, rest) if recovery else None,
        hr_max=hr_max, hr_rest=rest if bands.basis == "hrr" else None)


def block(role: str, row: DoseRow, progress: float, free_seconds: float,
          transition_seconds: float, level_rank: int) -> tuple[int, int, int]:
    """(sets, seconds per bout, rest) of a steady block or intervals at ``progress``
    (0 = first loading week, 1 = last), within the session's ``free_seconds``."""
    assert row.seconds is not None
    lo, hi = row.seconds
    progress = max(0.0, min(1.0, progress))
    room = free_seconds - transition_seconds
    if role == "steady":
        want = lo + (hi - lo) * progress
        seconds = max(lo, min(want, room))
        seconds = max(lo, int(seconds // ROUND_SECONDS) * ROUND_SECONDS)
        return 1, int(min(seconds, hi)), row.rest
    work = int(round((lo + (hi - lo) * level_rank / 2) / 30) * 30)
    work = max(lo, min(hi, work))
    while work > lo and row.sets[0] * (work + row.rest) > room:  # shorter bouts to fit
        work = max(lo, work - 30)
    want = row.sets[0] + round((row.sets[1] - row.sets[0]) * progress)
    fits = math.floor(room / (work + row.rest)) if work + row.rest else want
    return max(row.sets[0], min(want, fits)), work, row.rest


def infer_role(sets: int, seconds: int | None, goal: str, level: str,
               config: PlannerConfig) -> str:
    """The cardio block an item is, from its bouts (plans made before zones existed)."""
    for role in ("steady", "intervals", "conditioning"):
        row = config.dose_row(goal, role, level)
        if row.seconds and seconds is not None and row.seconds[0] <= seconds <= row.seconds[1] \
                and sets <= row.sets[1]:
            return role
    return "conditioning"


def with_zones(item: PlanItem, profile: MemberProfile, deload: bool, config: PlannerConfig,
               role: str | None = None) -> PlanItem:
    """A cardio item with the member's zones (kept when already right)."""
    role = role or infer_role(item.sets, item.duration_seconds, profile.primary_goal,
                              profile.fitness_level, config)
    return item.model_copy(update={"heart_rate": heart_rate(profile, role, deload, config)})


def work_minutes(sets: int, seconds: int | None) -> float:
    return sets * (seconds or 0) / 60.0
