"""Heart-rate zone bands as plain facts both the live board and the planner can read.

The live board (``streams``) turns a heart rate into a zone; the planner prescribes
cardio blocks as zones and bpm. Both must mean the same zone, so the facts live at the
bottom layer: the zone bounds and basis from ``configs/zones.toml`` ([zones], read by
``streams.insight_config`` too), the defaults from its [physiology] section, and Tanaka's
HRmax formula (also in ``streams.zones``; ``tests/planner/test_planner_cardio.py`` checks
that the two agree). Pure apart from reading the TOML once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ZONES_TOML = Path(__file__).resolve().parent / "zones.toml"
# Tanaka, Monahan & Seals (2001), J Am Coll Cardiol 37:153-156: HRmax = 208 - 0.7 * age.
TANAKA_INTERCEPT = 208.0
TANAKA_SLOPE = 0.7


@dataclass(frozen=True)
class ZoneBands:
    """Lower bounds of zones 1..5 as fractions of HRmax ("hrmax") or of heart-rate reserve
    ("hrr", Karvonen), and the defaults used when a member's numbers are unknown."""

    basis: str = "hrmax"
    lower_bounds: tuple[float, ...] = (0.50, 0.60, 0.70, 0.80, 0.90)
    default_age: int = 35
    default_hr_rest: int = 60

    def hr_max(self, age: int | None, measured: int | None = None) -> int:
        """Measured HRmax, else Tanaka from age, else Tanaka at the default age."""
        if measured:
            return int(measured)
        years = age if age is not None else self.default_age
        return round(TANAKA_INTERCEPT - TANAKA_SLOPE * years)

    def fraction_to_bpm(self, fraction: float, hr_max: int, hr_rest: int | None) -> int:
        if self.basis == "hrr":
            rest = hr_rest if hr_rest is not None else self.default_hr_rest
            return round(rest + fraction * (hr_max - rest))
        return round(fraction * hr_max)

    def bpm_range(self, zone: int, hr_max: int, hr_rest: int | None) -> tuple[int, int]:
        """The heart rates of one zone (1-5): from its lower bound to the next zone's
        (zone 5 runs to HRmax)."""
        if not 1 <= zone <= len(self.lower_bounds):
            raise ValueError(f"zone must be 1-{len(self.lower_bounds)}, got {zone}")
        lo = self.lower_bounds[zone - 1]
        hi = self.lower_bounds[zone] if zone < len(self.lower_bounds) else 1.0
        return (self.fraction_to_bpm(lo, hr_max, hr_rest),
                self.fraction_to_bpm(hi, hr_max, hr_rest))


def read_zone_bands(path: Path = ZONES_TOML) -> ZoneBands:
    """The [zones] and [physiology] facts of ``configs/zones.toml`` (defaults when absent);
    ``streams.insight_config`` validates the same file in full."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    zones = data.get("zones", {})
    body = data.get("physiology", {})
    bands = ZoneBands(basis=str(zones.get("basis", "hrmax")),
                      lower_bounds=tuple(float(b) for b in zones.get(
                          "lower_bounds", ZoneBands.lower_bounds)),
                      default_age=int(body.get("default_age", 35)),
                      default_hr_rest=int(body.get("default_hr_rest", 60)))
    if bands.basis not in ("hrmax", "hrr") or len(bands.lower_bounds) != 5:
        raise ValueError(f"{path}: [zones] needs basis hrmax|hrr and five lower_bounds")
    return bands


@lru_cache(maxsize=1)
def default_zone_bands() -> ZoneBands:
    return read_zone_bands()
