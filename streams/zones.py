"""Heart-rate zones: how hard a member is working relative to their own ceiling.

Pure functions over numbers; the worker, the batch summary and the pages all call these
so a zone means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Tanaka, Monahan & Seals (2001), J Am Coll Cardiol 37:153-156: HRmax = 208 - 0.7 * age.
TANAKA_INTERCEPT = 208.0
TANAKA_SLOPE = 0.7
# HRmax and resting HR themselves are resolved once per member and session by
# ``streams.physiology.resolve_physiology`` (profile, learned, configured defaults).


@dataclass(frozen=True, slots=True)
class ZoneModel:
    """Lower bounds of zones 1..5 as fractions of HRmax (or of HR reserve for Karvonen).

    Default: the common 5-zone %HRmax model, 50-60, 60-70, 70-80, 80-90, 90-100 %.
    """

    lower_bounds: tuple[float, float, float, float, float] = (0.50, 0.60, 0.70, 0.80, 0.90)
    basis: Literal["hrmax", "hrr"] = "hrmax"

    def __post_init__(self) -> None:
        bounds = self.lower_bounds
        if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)) or bounds[0] <= 0:
            raise ValueError(f"zone bounds must rise strictly and be positive, got {bounds}")


def intensity(hr: float, hr_max: int, hr_rest: int,
              basis: Literal["hrmax", "hrr"] = "hrmax") -> float:
    """Fraction of HRmax, or of heart-rate reserve (Karvonen) when ``basis='hrr'``."""
    if basis == "hrr":
        reserve = max(hr_max - hr_rest, 1)
        return (hr - hr_rest) / reserve
    return hr / hr_max


def zone_for(fraction: float, model: ZoneModel = ZoneModel()) -> int:
    """Zone 1..5 for an intensity fraction; 0 below zone 1 (resting, warming up)."""
    zone = 0
    for index, bound in enumerate(model.lower_bounds, start=1):
        if fraction >= bound:
            zone = index
    return zone
