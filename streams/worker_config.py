"""How the stream worker moves data: ``configs/worker.toml``, validated.

Kept apart from the insight settings (zones, alert rules) because these are operational
knobs (batching, waits) that change latency and throughput, not what a number means.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile

WORKER_TOML = CONFIG_DIR / "worker.toml"


class WorkerConfigError(ValueError):
    """configs/worker.toml is missing or invalid; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BatchSection(_Strict):
    max_samples: int = Field(default=1000, ge=1, le=100_000)


class ProfilesSection(_Strict):
    wait_s: float = Field(default=5.0, ge=0)
    max_waiting_samples: int = Field(default=600, ge=1)


class TilesSection(_Strict):
    stale_after_s: float = Field(default=5.0, gt=0)


class SeriesSection(_Strict):
    bucket_s: float = Field(default=10.0, gt=0)


class ClassEndSection(_Strict):
    catch_up_s: float = Field(default=5.0, ge=0)
    grace_s: float = Field(default=120.0, ge=0, le=3600)
    keep_finished_s: float = Field(default=21600.0, ge=0)


class FaustSection(_Strict):
    eager_delivery: bool = True
    verify_end_offsets: bool = True
    fetch_max_wait_ms: int = Field(default=100, ge=5, le=5000)
    stream_buffer_maxsize: int = Field(default=32768, ge=100, le=1_000_000)


class WatchSection(_Strict):
    check_every_s: float = Field(default=5.0, gt=0)
    stall_after_s: float = Field(default=20.0, gt=0)
    resume_paused: bool = True


class ArrivalSection(_Strict):
    max_ahead_s: float = Field(default=120.0, ge=0, le=86_400)
    max_behind_s: float = Field(default=86_400.0, ge=60, le=30 * 86_400)


class WorkerConfig(ConfigFile):
    """configs/worker.toml, each value overridable by SPOTTER_WORKER__<SECTION>__<FIELD>
    (e.g. SPOTTER_WORKER__BATCH__MAX_SAMPLES=500); a whole other file by
    SPOTTER_WORKER_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_WORKER__")
    TOML_FILE: ClassVar[Path] = WORKER_TOML
    FILE_ENV: ClassVar[str | None] = "SPOTTER_WORKER_CONFIG"

    batch: BatchSection = BatchSection()
    profiles: ProfilesSection = ProfilesSection()
    tiles: TilesSection = TilesSection()
    series: SeriesSection = SeriesSection()
    class_end: ClassEndSection = ClassEndSection()
    faust: FaustSection = FaustSection()
    watch: WatchSection = WatchSection()
    arrival: ArrivalSection = ArrivalSection()


def load_worker_config(path: Path | str | None = None) -> WorkerConfig:
    """Read and validate ``path``, else ``$SPOTTER_WORKER_CONFIG``, else
    ``configs/worker.toml`` (a deployment or a benchmark may point at its own file)."""
    return WorkerConfig.load(path, error=WorkerConfigError)


@lru_cache(maxsize=1)
def default_worker_config() -> WorkerConfig:
    return load_worker_config()
