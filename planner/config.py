"""The planner's settings: the guidance table in ``configs/planner.toml``, validated.

Loading is the only I/O in the planner package and happens once; every function takes the
validated :class:`PlannerConfig` so a test (or a studio) can pass its own table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile
from planner.errors import ConfigError
from planner.vocab import Goal, Level, Muscle, ProgressionModel, Role


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionRules(_Strict):
    warmup_minutes: float = Field(ge=0)
    transition_seconds: float = Field(ge=0)
    seconds_per_rep: float = Field(gt=0)
    max_exercises: int = Field(ge=1)


class VolumeTarget(_Strict):
    min: float = Field(ge=0)
    typical: float = Field(ge=0)
    max: float = Field(ge=0)
    muscles: tuple[Muscle, ...]
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> VolumeTarget:
        if not self.min <= self.typical <= self.max:
            raise ValueError("volume target needs min <= typical <= max")
        return self


class VolumeRules(_Strict):
    indirect_weight: float = Field(ge=0, le=1)
    flag_above: float = Field(gt=0)
    min_sessions_per_muscle: int = Field(ge=1)
    session_hit_sets: float = Field(gt=0)
    hard_gap_hours: float = Field(ge=0)
    targets: dict[Goal, VolumeTarget]


class DoseRow(_Strict):
    """One row of the guidance table."""

    goals: tuple[Goal, ...]
    roles: tuple[Role, ...]
    levels: tuple[Level, ...]
    reps: tuple[int, int] | None = None
    seconds: tuple[int, int] | None = None
    percent_1rm: tuple[float, float] | None = None
    rest_seconds: tuple[int, int]
    rest: int
    sets: tuple[int, int]
    rir: tuple[int, int]
    source: str

    @model_validator(mode="after")
    def _consistent(self) -> DoseRow:
        if (self.reps is None) == (self.seconds is None):
            raise ValueError("a dose row needs exactly one of reps or seconds")
        if not self.rest_seconds[0] <= self.rest <= self.rest_seconds[1]:
            raise ValueError("rest must lie inside rest_seconds")
        for pair in (self.reps, self.seconds, self.percent_1rm, self.rest_seconds, self.sets,
                     self.rir):
            if pair is not None and pair[0] > pair[1]:
                raise ValueError(f"range {pair} is reversed")
        return self

    @property
    def rpe_range(self) -> tuple[float, float]:
        return 10.0 - self.rir[1], 10.0 - self.rir[0]


class ChartRules(_Strict):
    percent_by_reps: tuple[float, ...] = Field(min_length=2)
    slope_beyond: float = Field(gt=0)
    floor: float = Field(gt=0)


class OneRepMaxRules(_Strict):
    formula: str = Field(pattern="^(epley|brzycki)$")
    max_reps: int = Field(ge=1, le=12)
    window_days: int = Field(ge=1)


class PeriodizationRules(_Strict):
    model_by_level: dict[Level, ProgressionModel]
    deload_every_weeks: dict[Level, int]
    deload_set_fraction: float = Field(gt=0, lt=1)
    deload_percent_drop: float = Field(ge=0)
    deload_rir_add: int = Field(ge=0)

    @model_validator(mode="after")
    def _deload_every(self) -> PeriodizationRules:
        if any(not 4 <= n <= 6 for n in self.deload_every_weeks.values()):
            raise ValueError("deload_every_weeks must be 4-6 (bell2023)")
        return self


class LoadRules(_Strict):
    rounding_kg: dict[str, float]
    load_tolerance_percent: float = Field(ge=0)


class AdaptRules(_Strict):
    small_step_percent: float = Field(gt=0)
    large_step_percent: float = Field(gt=0)
    max_step_percent: float = Field(gt=0, le=10)
    beat_reps_margin: int = Field(ge=1)
    easy_rpe_margin: float = Field(gt=0)
    hard_rpe_margin: float = Field(gt=0)
    reduce_percent: float = Field(gt=0, le=20)


class ReadinessRules(_Strict):
    train_at: float
    reduce_at: float
    pain_stop: int = Field(ge=1, le=5)


class LiveRules(_Strict):
    fatigue_intensity_cut_percent: float = Field(gt=0, lt=100)
    fatigue_volume_cut_fraction: float = Field(gt=0, lt=1)
    hr_alerts_for_cut: int = Field(ge=1)
    faster_rpe_margin: float = Field(gt=0)


class CardioRules(_Strict):
    """Which heart-rate zones each cardio block aims for (zones as in configs/zones.toml)."""

    steady_zones: tuple[int, int]
    interval_zones: dict[Level, tuple[int, int]]
    finisher_zones: tuple[int, int]
    recovery_zone: int = Field(ge=1, le=5)
    deload_zone_drop: int = Field(ge=0, le=2)
    weekly_minutes: dict[Goal, int]

    @model_validator(mode="after")
    def _zones(self) -> CardioRules:
        for lo, hi in (self.steady_zones, self.finisher_zones, *self.interval_zones.values()):
            if not 1 <= lo <= hi <= 5:
                raise ValueError(f"cardio zones must be 1 <= low <= high <= 5, got {lo}-{hi}")
        return self


class PlannerConfig(ConfigFile):
    """configs/planner.toml, each value overridable by SPOTTER_PLANNER__<SECTION>__<FIELD>;
    a whole other guidance table by SPOTTER_PLANNER_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_PLANNER__")
    TOML_FILE: ClassVar[Path] = CONFIG_DIR / "planner.toml"
    FILE_ENV: ClassVar[str | None] = "SPOTTER_PLANNER_CONFIG"

    sources: dict[str, str]
    session: SessionRules
    volume: VolumeRules
    dose: tuple[DoseRow, ...] = Field(min_length=1)
    chart: ChartRules
    one_rep_max: OneRepMaxRules
    periodization: PeriodizationRules
    loads: LoadRules
    adapt: AdaptRules
    readiness: ReadinessRules
    live: LiveRules
    cardio: CardioRules

    @model_validator(mode="after")
    def _sources_named(self) -> PlannerConfig:
        cited = {s.strip() for row in self.dose for s in row.source.split(",")}
        cited |= {s.strip() for t in self.volume.targets.values() for s in t.source.split(",")}
        unknown = sorted(cited - set(self.sources))
        if unknown:
            raise ValueError(f"cited sources missing from [sources]: {unknown}")
        return self

    def dose_row(self, goal: str, role: str, level: str) -> DoseRow:
        """The guidance row for one item; the table must cover every combination."""
        for row in self.dose:
            if goal in row.goals and role in row.roles and level in row.levels:
                return row
        raise ConfigError(f"no dose row for goal={goal} role={role} level={level}; "
                          "add one to configs/planner.toml")


def default_config_path() -> Path:
    return PlannerConfig.file_in_force()


def parse_config(data: dict[str, Any]) -> PlannerConfig:
    """Validate a config mapping (as read from TOML) or raise :class:`ConfigError`."""
    try:
        return PlannerConfig.from_mapping(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:8])
        raise ConfigError(f"invalid planner config: {problems}") from exc


def load_config(path: Path | None = None) -> PlannerConfig:
    """Read and validate a planner TOML file (default: the file in force) with its
    SPOTTER_PLANNER__* overrides."""
    return PlannerConfig.load(path, error=ConfigError)


@lru_cache(maxsize=1)
def default_config() -> PlannerConfig:
    return load_config()
