"""Validated vision settings, loaded from ``configs/vision.toml``.

Thresholds live in the TOML with their sources; this module only checks them, so a
typo or an impossible value (enter above exit, a negative range) stops the process at
start-up with a message naming the key, instead of silently miscounting reps.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import SettingsConfigDict

from configs.base import CONFIG_DIR, ConfigFile
from vision.errors import ConfigError
from vision.pose_models import PoseModel
from vision.reps import CounterParams

DEFAULT_PATH = CONFIG_DIR / "vision.toml"
EXERCISES = ("squat", "push-up", "lunge", "jumping-jack", "biceps-curl", "overhead-press",
             "plank")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoseConfig(_Strict):
    model: PoseModel = "full"  # vision.pose_models
    min_detection_confidence: Annotated[float, Field(ge=0, le=1)] = 0.5
    min_tracking_confidence: Annotated[float, Field(ge=0, le=1)] = 0.5
    smooth_landmarks: bool = True
    min_visibility: Annotated[float, Field(ge=0, le=1)] = 0.5
    track_min_visibility: Annotated[float, Field(ge=0, le=1)] = 0.2
    max_fps: Annotated[float, Field(ge=0)] = 0.0

    @model_validator(mode="after")
    def _tiers(self) -> PoseConfig:
        if self.track_min_visibility > self.min_visibility:
            raise ValueError("pose.track_min_visibility must not exceed pose.min_visibility")
        return self


class TrackConfig(_Strict):
    confirm_s: Annotated[float, Field(ge=0)] = 0.5
    max_gap_s: Annotated[float, Field(gt=0)] = 1.0


class GlitchConfig(_Strict):
    max_speed_deg_s: Annotated[float, Field(gt=0)] = 800.0
    tolerance_deg: Annotated[float, Field(ge=0)] = 30.0
    drift_deg_s: Annotated[float, Field(ge=0)] = 100.0
    max_s: Annotated[float, Field(gt=0)] = 0.5
    window_s: Annotated[float, Field(ge=0)] = 0.05


class FilterConfig(_Strict):
    image_min_cutoff_hz: Annotated[float, Field(gt=0)] = 1.5
    image_beta: Annotated[float, Field(ge=0)] = 5.0
    world_min_cutoff_hz: Annotated[float, Field(gt=0)] = 1.5
    world_beta: Annotated[float, Field(ge=0)] = 5.0
    d_cutoff_hz: Annotated[float, Field(gt=0)] = 1.0
    max_gap_s: Annotated[float, Field(gt=0)] = 0.5


class SwapConfig(_Strict):
    margin: Annotated[float, Field(gt=0, le=1)] = 0.5
    max_swap_s: Annotated[float, Field(gt=0)] = 0.5
    tau_s: Annotated[float, Field(gt=0)] = 0.1


class CounterConfig(_Strict):
    window_s: Annotated[float, Field(gt=0)] = 10.0
    quantile: Annotated[float, Field(ge=0, lt=0.5)] = 0.03
    enter: Annotated[float, Field(gt=0, lt=1)] = 0.35
    exit: Annotated[float, Field(gt=0, lt=1)] = 0.65
    min_rep_s: Annotated[float, Field(ge=0)] = 0.3
    max_rep_s: Annotated[float, Field(gt=0)] = 15.0
    max_gap_s: Annotated[float, Field(gt=0)] = 2.0
    min_rep_fraction: Annotated[float, Field(ge=0, le=1)] = 0.6
    median_s: Annotated[float, Field(ge=0)] = 0.1
    min_coverage: Annotated[float, Field(ge=0, le=1)] = 0.6
    tracked_median_s: Annotated[float, Field(ge=0)] = 0.3

    @model_validator(mode="after")
    def _band(self) -> CounterConfig:
        if self.enter >= self.exit:
            raise ValueError("counter.enter must be below counter.exit (the hysteresis band)")
        return self

    def params(self, min_range: float) -> CounterParams:
        return CounterParams(min_range=min_range, window_s=self.window_s, quantile=self.quantile,
                             enter=self.enter, exit=self.exit, min_rep_s=self.min_rep_s,
                             max_rep_s=self.max_rep_s, max_gap_s=self.max_gap_s,
                             min_rep_fraction=self.min_rep_fraction)


class ViewConfig(_Strict):
    front_max_deg: Annotated[float, Field(ge=0, le=90)] = 30.0
    side_min_deg: Annotated[float, Field(ge=0, le=90)] = 60.0
    steady_spread_deg: Annotated[float, Field(gt=0, le=90)] = 25.0
    max_warmup_s: Annotated[float, Field(gt=0)] = 5.0


class RecognitionConfig(_Strict):
    floor_body_line_deg: float = 60.0
    overhead_wrist_height: float = 0.3
    press_elbow_min_deg: float = 110.0
    split_stance_min: float = 0.4
    min_frames: Annotated[int, Field(ge=1)] = 10


class VisionConfig(ConfigFile):
    """configs/vision.toml, each value overridable by SPOTTER_VISION__<SECTION>__<FIELD>;
    a whole other file by SPOTTER_VISION_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_VISION__")
    TOML_FILE: ClassVar[Path] = DEFAULT_PATH
    FILE_ENV: ClassVar[str | None] = "SPOTTER_VISION_CONFIG"

    pose: PoseConfig = PoseConfig()
    track: TrackConfig = TrackConfig()
    filter: FilterConfig = FilterConfig()
    swap: SwapConfig = SwapConfig()
    glitch: GlitchConfig = GlitchConfig()
    counter: CounterConfig = CounterConfig()
    view: ViewConfig = ViewConfig()
    recognition: RecognitionConfig = RecognitionConfig()
    exercise: dict[str, dict[str, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_exercises(self) -> VisionConfig:
        unknown = set(self.exercise) - set(EXERCISES)
        if unknown:
            raise ValueError(f"unknown exercise sections {sorted(unknown)}; known: {EXERCISES}")
        return self

    def rule(self, exercise: str, key: str) -> float:
        """One threshold of one exercise; a missing key is a config error, not a default."""
        try:
            return float(self.exercise[exercise][key])
        except KeyError as exc:
            raise ConfigError(f"configs/vision.toml lacks [exercise.{exercise}] {key}") from exc


def parse_config(data: dict[str, Any]) -> VisionConfig:
    try:
        return VisionConfig.from_mapping(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid vision config: {exc}") from exc


@lru_cache(maxsize=4)
def load_config(path: Path | None = None) -> VisionConfig:
    """Read and validate the TOML with its overrides (cached: analyzers are created per
    station and rep)."""
    return VisionConfig.load(path, error=ConfigError)
