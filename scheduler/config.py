"""Scheduler settings from ``configs/scheduler.toml``, validated by pydantic.

Weights and thresholds live in the TOML file (and later the admin page) rather than in code
so a studio can re-balance attendance against trainer comfort without a release.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile
from scheduler.errors import SchedulerInputError
from scheduler.timegrid import to_minutes

DEFAULT_PATH = CONFIG_DIR / "scheduler.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Defaults(_Strict):
    slot_minutes: int = Field(default=15, gt=0, le=60)
    max_trainer_hours: float = Field(default=40.0, gt=0)
    changeover_minutes: int = Field(default=15, ge=0)
    base_demand: float = Field(default=12.0, ge=0)


# Upper bound of every weight: 1000x the attendance term already drowns every other term,
# and a bounded weight keeps the scaled integer objective far from overflow.
MAX_WEIGHT = 1000.0


class ObjectiveWeights(_Strict):
    """Weights of the objective terms; stage 2 uses the first two, stage 3 the rest. The
    one definition: configs/scheduler.toml sets the defaults, the admin page, the API's
    scenario overrides and the timetable pages read names, bounds and words from here."""

    attendance: float = Field(default=1.0, ge=0, le=MAX_WEIGHT, title="Attendance",
                              description="points for each expected attendee")
    revenue: float = Field(default=0.05, ge=0, le=MAX_WEIGHT, title="Revenue",
                           description="points per unit of revenue (price x attendees)")
    idle_minute: float = Field(default=0.02, ge=0, le=MAX_WEIGHT, title="Trainer waiting",
                               description="cost per minute a trainer waits between "
                                           "classes in a day")
    imbalance: float = Field(default=2.0, ge=0, le=MAX_WEIGHT, title="Uneven week",
                             description="cost per class of spread between a class type's "
                                         "busiest and quietest day")
    change: float = Field(default=5.0, ge=0, le=MAX_WEIGHT,
                          title="Changes to the published week",
                          description="cost per change: another trainer or room 1, a "
                                      "dropped class 2, a new time 1")
    preference: float = Field(default=3.0, ge=0, le=MAX_WEIGHT, title="Trainer preferences",
                              description="cost per class in a time a trainer asked to "
                                          "avoid")


class SolverSettings(_Strict):
    scale: int = Field(default=100, ge=1)
    stage_tolerance: float = Field(default=0.002, ge=0, lt=1)
    feasibility_share: float = Field(default=0.2, gt=0, lt=1)
    value_share: float = Field(default=0.85, gt=0, lt=1)
    workers: int = Field(default=2, ge=1)
    seed: int = 0
    explain_time_s: float = Field(default=5.0, gt=0)
    lns_min_options: int = Field(default=3000, ge=0)
    lns_share: float = Field(default=0.5, ge=0, lt=1)
    no_overlap_max_options: int = Field(default=10000, ge=0)
    bound_share: float = Field(default=0.5, gt=0, le=1)
    bound: Literal["lp", "cpsat"] = "lp"
    lp_share: float = Field(default=0.5, gt=0, lt=1)
    lp_max_options: int = Field(default=100000, ge=0)
    dual_share: float = Field(default=0.6, gt=0, lt=1)
    cg_per_slot: int = Field(default=2, ge=1)
    cg_per_trainer: int = Field(default=60, ge=0)
    cg_chunk: int = Field(default=6000, ge=1)
    cg_tolerance: float = Field(default=5e-4, ge=0)


class SlotPrior(_Strict):
    table: list[list[float]]

    @field_validator("table")
    @classmethod
    def _seven_by_24(cls, table: list[list[float]]) -> list[list[float]]:
        if len(table) != 7 or any(len(row) != 24 for row in table):
            raise ValueError("slot_prior.table must have 7 rows (Mon..Sun) of 24 hourly values")
        if any(v < 0 for row in table for v in row):
            raise ValueError("slot_prior.table values must be >= 0")
        return table


class DemandSettings(_Strict):
    slot_effect_prior: float = Field(default=40.0, gt=0)
    glm_alpha: float = Field(default=0.001, ge=0)
    studio_show_rate: float = Field(default=0.85, gt=0, lt=1)
    level_weeks: int = Field(default=2, ge=1)
    level_prior: float = Field(default=40.0, gt=0)
    show_up_prior: dict[str, float]
    slot_prior: SlotPrior


class AdjustSettings(_Strict):
    under_utilised_fraction: float = Field(default=0.4, gt=0, lt=1)
    lookback_weeks: int = Field(default=4, ge=1)
    sold_out_share: float = Field(default=0.5, gt=0, le=1)


class FeedbackSettings(_Strict):
    """When members' class ratings turn into a timetable suggestion (``scheduler.feedback``)."""

    min_ratings: int = Field(default=5, ge=1)
    low_rating: float = Field(default=3.0, ge=1, le=5)
    time_share: float = Field(default=0.3, gt=0, le=1)
    lookback_weeks: int = Field(default=6, ge=1)


class LookaheadSettings(_Strict):
    days: int = Field(default=14, ge=1, le=90)


class ManagerSettings(_Strict):
    """The hand-made baseline's template grid (see ``scheduler.manager``)."""

    weekday_times: list[str] = ["18:30", "17:30", "19:30", "07:00", "12:15", "09:30", "06:15",
                                "20:30"]
    weekend_times: list[str] = ["09:30", "10:30", "08:30", "11:30"]

    @field_validator("weekday_times", "weekend_times")
    @classmethod
    def _clock(cls, times: list[str]) -> list[str]:
        for t in times:
            to_minutes(t)
        return times


class StudioSettings(_Strict):
    """How a studio's database becomes an instance (``api.schedules``)."""

    timezone: str = "UTC"
    min_sessions: int = Field(default=1, ge=0)
    max_sessions: int = Field(default=5, ge=0)
    history_weeks: int = Field(default=12, ge=1)
    time_limit_s: float = Field(default=20.0, gt=0)
    max_time_limit_s: float = Field(default=120.0, gt=0)


class SchedulerSettings(ConfigFile):
    """configs/scheduler.toml, each value overridable by SPOTTER_SCHEDULER__<SECTION>__<FIELD>
    (e.g. SPOTTER_SCHEDULER__WEIGHTS__REVENUE=0.1); a whole other file by
    SPOTTER_SCHEDULER_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_SCHEDULER__")
    TOML_FILE: ClassVar[Path] = DEFAULT_PATH
    FILE_ENV: ClassVar[str | None] = "SPOTTER_SCHEDULER_CONFIG"

    defaults: Defaults = Defaults()
    weights: ObjectiveWeights = ObjectiveWeights()
    solver: SolverSettings = SolverSettings()
    demand: DemandSettings
    adjust: AdjustSettings = AdjustSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    lookahead: LookaheadSettings = LookaheadSettings()
    manager: ManagerSettings = ManagerSettings()
    studio: StudioSettings = StudioSettings()


class _SettingsFileError(ValueError):
    pass


def load_settings_file(path: Path | None = None) -> SchedulerSettings:
    """Read and validate a scheduler TOML file (default: the file in force) with its
    SPOTTER_SCHEDULER__* overrides; errors name the file and the bad key."""
    try:
        return SchedulerSettings.load(path, error=_SettingsFileError)
    except _SettingsFileError as exc:
        raise SchedulerInputError(
            [str(exc)], advice="fix the scheduler settings file (see configs/scheduler.toml)",
        ) from exc


@lru_cache(maxsize=1)
def load_settings() -> SchedulerSettings:
    """configs/scheduler.toml (or SPOTTER_SCHEDULER_CONFIG) with its overrides (cached)."""
    return load_settings_file()


def studio_zone() -> ZoneInfo:
    """The studio's time zone ([studio] timezone): class times, calendar days and every
    time people read are on its clock; stored moments are UTC."""
    return ZoneInfo(load_settings().studio.timezone)
