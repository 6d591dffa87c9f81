"""Dose maths: %1RM charts, estimated 1RM, and one item's reps/rest/intensity.

Formulas carry their sources (see ``[sources]`` in configs/planner.toml):
Epley 1985 ``1RM = w (1 + r/30)``, Brzycki 1993 ``1RM = w * 36 / (37 - r)``, the NSCA
%1RM-repetition table, and the RIR-based RPE of Helms et al. 2016 (RPE = 10 - RIR), which
turns "r reps at RPE p" into "a set to failure at r + (10 - p) reps" on the chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from planner.config import ChartRules, DoseRow, OneRepMaxRules, PlannerConfig
from planner.errors import PlannerError
from planner.models import Exercise, Intensity, LoggedSet


def chart_percent(reps_to_failure: float, chart: ChartRules) -> float:
    """%1RM that allows exactly ``reps_to_failure`` reps (linear between table rows)."""
    table = chart.percent_by_reps
    r = max(1.0, reps_to_failure)
    if r <= len(table):
        lo = int(math.floor(r))
        frac = r - lo
        hi_value = table[lo] if lo < len(table) else table[-1]
        return table[lo - 1] + frac * (hi_value - table[lo - 1])
    return max(chart.floor, table[-1] - chart.slope_beyond * (r - len(table)))


def percent_for(reps: int, rpe: float, chart: ChartRules) -> float:
    """%1RM of ``reps`` at ``rpe`` (RIR-based RPE: the set could go ``10 - rpe`` reps more)."""
    return chart_percent(reps + (10.0 - rpe), chart)


def epley(load_kg: float, reps: int) -> float:
    """Epley (1985): 1RM = w (1 + r / 30); a single is its own 1RM."""
    return load_kg if reps == 1 else load_kg * (1.0 + reps / 30.0)


def brzycki(load_kg: float, reps: int) -> float:
    """Brzycki (1993): 1RM = w * 36 / (37 - r), defined below 37 reps."""
    if reps >= 37:
        raise PlannerError("Brzycki's formula needs fewer than 37 reps")
    return load_kg * 36.0 / (37.0 - reps)


@dataclass(frozen=True)
class OneRepMax:
    """An estimated 1RM and the logged set it came from (so a reason can cite it)."""

    exercise_id: str
    kg: float
    method: str
    from_set: LoggedSet


def estimate_set(logged: LoggedSet, rules: OneRepMaxRules, chart: ChartRules) -> float | None:
    """1RM from one set, or None when the set is too long to estimate from."""
    if logged.load_kg <= 0 or logged.reps > rules.max_reps:
        return None
    if logged.rpe is not None:  # not to failure: use the chart at reps + RIR
        return logged.load_kg * 100.0 / percent_for(logged.reps, logged.rpe, chart)
    return (epley if rules.formula == "epley" else brzycki)(logged.load_kg, logged.reps)


def estimate_one_rep_maxes(history: Iterable[LoggedSet], rules: OneRepMaxRules,
                           chart: ChartRules) -> dict[str, OneRepMax]:
    """Best recent estimate per exercise: sets within ``window_days`` of its last log."""
    by_ex: dict[str, list[LoggedSet]] = {}
    for s in history:
        by_ex.setdefault(s.exercise_id, []).append(s)
    out: dict[str, OneRepMax] = {}
    for ex_id, sets in by_ex.items():
        newest = max(s.date for s in sets)
        recent = [s for s in sets if s.date >= newest - timedelta(days=rules.window_days)]
        best: tuple[float, LoggedSet] | None = None
        for s in recent:
            value = estimate_set(s, rules, chart)
            if value is not None and (best is None or value > best[0]):
                best = (value, s)
        if best is not None:
            method = "RPE chart" if best[1].rpe is not None else rules.formula.capitalize()
            out[ex_id] = OneRepMax(ex_id, round(best[0], 1), method, best[1])
    return out


def round_load(kg: float, equipment: str, rounding: dict[str, float]) -> float:
    step = rounding.get(equipment, 2.5)
    return round(max(step, round(kg / step) * step), 2)


@dataclass(frozen=True)
class Dose:
    """What an item gets: the numbers and a note on where they come from."""

    reps: int | None
    seconds: int | None
    rest: int
    intensity: Intensity
    note: str


def reps_for(row: DoseRow, heaviness: float) -> int | None:
    """Reps across the row's range: heaviness 0 = top of range (light), 1 = bottom (heavy)."""
    if row.reps is None:
        return None
    lo, hi = row.reps
    return int(round(hi - max(0.0, min(1.0, heaviness)) * (hi - lo)))


def seconds_for(row: DoseRow, level_rank: int) -> int | None:
    """Work bout length: longer with training age, within the row."""
    if row.seconds is None:
        return None
    lo, hi = row.seconds
    return int(round((lo + (hi - lo) * level_rank / 2) / 5) * 5)


def _fit_chart(row: DoseRow, reps: int, rir: int, config: PlannerConfig) -> tuple[int, int]:
    """Reps and RIR whose chart %1RM lies in the row's %1RM range (reps x RPE must agree
    with the load guidance): first less in reserve, then fewer reps."""
    assert row.percent_1rm is not None and row.reps is not None
    lo = row.percent_1rm[0]
    while chart_percent(reps + rir, config.chart) < lo and rir > row.rir[0]:
        rir -= 1
    while chart_percent(reps + rir, config.chart) < lo and reps > row.reps[0]:
        reps -= 1
    return reps, rir


def prescribe(exercise: Exercise, row: DoseRow, *, heaviness: float, rir: int, level_rank: int,
              deload: bool, one_rm: OneRepMax | None, percent_mode: bool,
              config: PlannerConfig) -> Dose:
    """Reps (or seconds), rest and intensity of one item for one week."""
    per = config.periodization
    reps = reps_for(row, heaviness)
    seconds = seconds_for(row, level_rank)
    base_rir = max(row.rir[0], min(row.rir[1], rir))
    if row.percent_1rm is not None and reps is not None and exercise.loadable:
        reps, base_rir = _fit_chart(row, reps, base_rir, config)
    rir_out = base_rir + (per.deload_rir_add if deload else 0)
    rpe = 10.0 - rir_out
    if reps is None or row.percent_1rm is None or not exercise.loadable:
        note = f"RPE {rpe:g} ({rir_out} reps in reserve)"
        return Dose(reps, seconds, row.rest, Intensity(rpe=rpe), note)
    lo, hi = row.percent_1rm
    pct = min(hi, max(lo, percent_for(reps, 10.0 - base_rir, config.chart)))
    if deload:
        pct = max(config.chart.floor, pct - per.deload_percent_drop)
    pct = round(pct, 1)
    if one_rm is not None:
        load = round_load(one_rm.kg * pct / 100.0, exercise.equipment, config.loads.rounding_kg)
        src = one_rm.from_set
        note = (f"{load:g} kg = {pct:g} % of e1RM {one_rm.kg:g} kg ({one_rm.method}, "
                f"{src.reps}x{src.load_kg:g} kg on {src.date.isoformat()})")
        return Dose(reps, seconds, row.rest, Intensity(load_kg=load), note)
    if percent_mode:
        return Dose(reps, seconds, row.rest, Intensity(percent_1rm=pct), f"{pct:g} % 1RM")
    note = f"RPE {rpe:g} (~{pct:g} % 1RM by the RPE chart, no logged sets yet)"
    return Dose(reps, seconds, row.rest, Intensity(rpe=rpe), note)
