"""Settings of the intensity metrics and alert rules, read from ``configs/*.toml``.

Thresholds are product decisions a studio may tune (zone bounds, points per zone, alert
cooldowns), so they live in TOML with their sources, and pydantic refuses a bad file with
a message that names the field instead of letting a typo silently change every summary.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile
from streams.zones import ZoneModel

ZONES_TOML = CONFIG_DIR / "zones.toml"
ALERTS_TOML = CONFIG_DIR / "alerts.toml"

Severity = Literal["info", "warning", "critical"]


class InsightConfigError(ValueError):
    """A zones/alerts TOML file is missing or invalid; the message says what to fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZonesSection(_Strict):
    basis: Literal["hrmax", "hrr"] = "hrmax"
    lower_bounds: tuple[float, float, float, float, float] = (0.50, 0.60, 0.70, 0.80, 0.90)

    @model_validator(mode="after")
    def _rising(self) -> ZonesSection:
        bounds = self.lower_bounds
        if bounds[0] <= 0 or any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
            raise ValueError(f"zone lower_bounds must be positive and rise strictly: {bounds}")
        return self

    def model(self) -> ZoneModel:
        return ZoneModel(lower_bounds=self.lower_bounds, basis=self.basis)


class PhysiologySection(_Strict):
    default_age: int = Field(default=35, ge=5, le=120)
    default_hr_rest: int = Field(default=60, ge=25, le=120)
    resting_percentile: float = Field(default=5.0, ge=0, le=50)
    resting_max_fraction: float = Field(default=0.50, gt=0, le=1)
    resting_min_samples: int = Field(default=60, ge=1)


class EffortSection(_Strict):
    points_per_minute: tuple[float, float, float, float, float, float] = (
        0.0, 1.0, 2.0, 3.0, 4.0, 4.0)

    @model_validator(mode="after")
    def _non_negative(self) -> EffortSection:
        if any(p < 0 for p in self.points_per_minute):
            raise ValueError("effort points_per_minute must not be negative")
        return self


class TrimpSection(_Strict):
    male_a: float = Field(default=0.64, gt=0)
    male_b: float = Field(default=1.92, gt=0)
    female_a: float = Field(default=0.86, gt=0)
    female_b: float = Field(default=1.67, gt=0)


class CaloriesSection(_Strict):
    min_fraction_hrmax: float = Field(default=0.50, ge=0, le=1)


class CoverageSection(_Strict):
    max_gap_s: float = Field(default=5.0, gt=0)
    gap_policy: Literal["no_data", "cap"] = "no_data"
    last_sample_s: float = Field(default=1.0, ge=0)
    grace_s: float = Field(default=2.0, ge=0)
    smoothing_tau_s: float = Field(default=5.0, gt=0)
    engaged_fraction_hrmax: float = Field(default=0.70, gt=0, le=1.5)


class HrvSection(_Strict):
    sources: tuple[str, ...] = ("chest", "replay")
    rr_min_ms: float = Field(default=300.0, gt=0)
    rr_max_ms: float = Field(default=2000.0, gt=0)
    max_deviation: float = Field(default=0.20, gt=0, lt=1)
    median_window: int = Field(default=5, ge=3, le=31)
    min_pairs: int = Field(default=20, ge=1)
    rolling_pairs: int = Field(default=60, ge=2, le=1000)

    @model_validator(mode="after")
    def _range(self) -> HrvSection:
        if self.rr_min_ms >= self.rr_max_ms:
            raise ValueError("hrv rr_min_ms must be below rr_max_ms")
        if self.median_window % 2 == 0:
            raise ValueError("hrv median_window must be odd (a centred neighbourhood)")
        return self


class RecoverySection(_Strict):
    after_s: float = Field(default=60.0, gt=0)
    work_fraction_hrmax: float = Field(default=0.80, gt=0, le=1.5)
    min_work_s: float = Field(default=60.0, ge=0)


class SummarySection(_Strict):
    target_engaged_share: float = Field(default=0.50, gt=0, le=1)
    max_top_zone_share: float = Field(default=0.25, gt=0, le=1)
    min_recovery_bpm: float = Field(default=12.0, ge=0)
    max_no_data_share: float = Field(default=0.10, gt=0, le=1)
    hr_max_margin_bpm: int = Field(default=2, ge=0)
    min_history_for_average: int = Field(default=3, ge=1)


class InsightConfig(ConfigFile):
    """Everything the per-member metrics need besides the member's profile:
    configs/zones.toml, each value overridable by SPOTTER_ZONES__<SECTION>__<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_ZONES__")
    TOML_FILE: ClassVar[Path] = ZONES_TOML

    zones: ZonesSection = ZonesSection()
    physiology: PhysiologySection = PhysiologySection()
    effort: EffortSection = EffortSection()
    trimp: TrimpSection = TrimpSection()
    calories: CaloriesSection = CaloriesSection()
    coverage: CoverageSection = CoverageSection()
    hrv: HrvSection = HrvSection()
    recovery: RecoverySection = RecoverySection()
    summary: SummarySection = SummarySection()


class SustainedHighRule(_Strict):
    enabled: bool = True
    severity: Severity = "warning"
    min_fraction_hrmax: float = Field(default=0.92, gt=0, le=1.5)
    min_duration_s: float = Field(default=60.0, gt=0)
    cooldown_s: float = Field(default=300.0, ge=0)


class ClassIntensityRule(_Strict):
    enabled: bool = True
    severity: Severity = "warning"
    min_pct_hrmax: float = Field(default=85.0, gt=0, le=150)
    min_duration_s: float = Field(default=120.0, gt=0)
    cooldown_s: float = Field(default=900.0, ge=0)
    min_members: int = Field(default=3, ge=1)
    fresh_s: float = Field(default=10.0, gt=0)


class DropoutRule(_Strict):
    enabled: bool = True
    severity: Severity = "info"
    silence_s: float = Field(default=15.0, gt=0)
    cooldown_s: float = Field(default=120.0, ge=0)


class UnderWorkingRule(_Strict):
    enabled: bool = True
    severity: Severity = "info"
    below_zone: int = Field(default=2, ge=1, le=5)
    min_duration_s: float = Field(default=300.0, gt=0)
    cooldown_s: float = Field(default=600.0, ge=0)
    assume_warmup_s: float = Field(default=600.0, ge=0)


class SpikeRule(_Strict):
    enabled: bool = True
    severity: Severity = "warning"
    jump_bpm: int = Field(default=40, gt=0)
    within_s: float = Field(default=5.0, gt=0)
    require_contact: bool = False
    cooldown_s: float = Field(default=120.0, ge=0)


class RepeatedFormFaultRule(_Strict):
    """The same form fault in ``min_faulty_reps`` of a member's last ``window_reps`` reps
    (camera stations, issue 5); evaluated by ``streams.form``."""

    enabled: bool = True
    severity: Severity = "warning"
    window_reps: int = Field(default=5, ge=2, le=50)
    min_faulty_reps: int = Field(default=3, ge=1)
    cooldown_s: float = Field(default=120.0, ge=0)
    set_gap_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _fits(self) -> RepeatedFormFaultRule:
        if self.min_faulty_reps > self.window_reps:
            raise ValueError("repeated_form_fault min_faulty_reps must not exceed window_reps")
        return self


class AlertRules(ConfigFile):
    """configs/alerts.toml, each value overridable by SPOTTER_ALERTS__<RULE>__<FIELD>; a
    whole other file (a studio's own, the demo's shortened one) by SPOTTER_ALERTS_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_ALERTS__")
    TOML_FILE: ClassVar[Path] = ALERTS_TOML
    FILE_ENV: ClassVar[str | None] = "SPOTTER_ALERTS_CONFIG"

    sustained_high: SustainedHighRule = SustainedHighRule()
    dropout: DropoutRule = DropoutRule()
    under_working: UnderWorkingRule = UnderWorkingRule()
    spike: SpikeRule = SpikeRule()
    repeated_form_fault: RepeatedFormFaultRule = RepeatedFormFaultRule()
    class_intensity: ClassIntensityRule = ClassIntensityRule()


def load_insight_config(path: Path | str | None = None) -> InsightConfig:
    """Read and validate ``configs/zones.toml`` (or ``path``) with its overrides."""
    if path is None:
        return default_insight_config()
    return InsightConfig.load(path, error=InsightConfigError)


def load_alert_rules(path: Path | str | None = None) -> AlertRules:
    """Read and validate ``configs/alerts.toml`` (or ``path``) with its overrides."""
    if path is None:
        return default_alert_rules()
    return AlertRules.load(path, error=InsightConfigError)


@lru_cache(maxsize=1)
def default_insight_config() -> InsightConfig:
    """configs/zones.toml with its SPOTTER_ZONES__* overrides, read once per process."""
    return InsightConfig.load(error=InsightConfigError)


@lru_cache(maxsize=1)
def default_alert_rules() -> AlertRules:
    """``$SPOTTER_ALERTS_CONFIG`` (a studio's own rules, or the demo's shortened ones),
    else configs/alerts.toml, with SPOTTER_ALERTS__* overrides; read once per process."""
    return AlertRules.load(error=InsightConfigError)
