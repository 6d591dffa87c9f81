"""Heart-rate zone bands as plain facts both the live board and the planner can read.

The live board (``streams``) turns a heart rate into a zone; the planner prescribes
cardio blocks as zones and bpm. Both must mean the same zone, so the facts live at the
bottom layer: the zone bounds and basis from ``configs/zones.toml`` ([zones], read by
``streams.insight_config`` too), the defaults from its [physiology] section, and Tanaka's
HRmax formula (also in ``streams.zones``; ``tests/planner/test_planner_cardio.py`` checks
that the two agree). Pure apart from reading the TOML once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from configs.base import ConfigFile

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


class _Zones(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    basis: Literal["hrmax", "hrr"] = "hrmax"
    lower_bounds: tuple[float, float, float, float, float] = (0.50, 0.60, 0.70, 0.80, 0.90)


class _Physiology(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    default_age: int = Field(default=35, ge=5, le=120)
    default_hr_rest: int = Field(default=60, ge=25, le=120)


class ZoneFacts(ConfigFile):
    """The [zones] and [physiology] facts of configs/zones.toml with the same
    SPOTTER_ZONES__* overrides ``streams.insight_config`` applies to the whole file, so
    the planner and the live board read the same values."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_ZONES__", extra="ignore")
    TOML_FILE: ClassVar[Path] = ZONES_TOML

    zones: _Zones = _Zones()
    physiology: _Physiology = _Physiology()


def read_zone_bands(path: Path = ZONES_TOML) -> ZoneBands:
    """The zone facts of ``path`` (default ``configs/zones.toml``) with their overrides."""
    facts = ZoneFacts.load(path)
    return ZoneBands(basis=facts.zones.basis, lower_bounds=facts.zones.lower_bounds,
                     default_age=facts.physiology.default_age,
                     default_hr_rest=facts.physiology.default_hr_rest)


@lru_cache(maxsize=1)
def default_zone_bands() -> ZoneBands:
    return read_zone_bands()
