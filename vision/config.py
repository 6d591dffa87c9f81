"""Validated vision settings, loaded from ``configs/vision.toml``.

Thresholds live in the TOML with their sources; this module only checks them, so a
typo or an impossible value (enter above exit, a negative range) stops the process at
start-up with a message naming the key, instead of silently miscounting reps.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vision.errors import ConfigError
from vision.reps import CounterParams

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "configs" / "vision.toml"
EXERCISES = ("squat", "push-up", "lunge", "jumping-jack", "biceps-curl", "overhead-press",
             "plank")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoseConfig(_Strict):
    min_detection_confidence: float = Field(0.5, ge=0, le=1)
    min_tracking_confidence: float = Field(0.5, ge=0, le=1)
    smooth_landmarks: bool = True
    min_visibility: float = Field(0.5, ge=0, le=1)
    max_fps: float = Field(0.0, ge=0)


class FilterConfig(_Strict):
    image_min_cutoff_hz: float = Field(1.5, gt=0)
    image_beta: float = Field(5.0, ge=0)
    world_min_cutoff_hz: float = Field(1.5, gt=0)
    world_beta: float = Field(5.0, ge=0)
    d_cutoff_hz: float = Field(1.0, gt=0)
    max_gap_s: float = Field(0.5, gt=0)


class SwapConfig(_Strict):
    margin: float = Field(0.5, gt=0, le=1)
    max_swap_s: float = Field(0.5, gt=0)
    tau_s: float = Field(0.1, gt=0)


class CounterConfig(_Strict):
    window_s: float = Field(10.0, gt=0)
    quantile: float = Field(0.03, ge=0, lt=0.5)
    enter: float = Field(0.35, gt=0, lt=1)
    exit: float = Field(0.65, gt=0, lt=1)
    min_rep_s: float = Field(0.3, ge=0)
    max_rep_s: float = Field(15.0, gt=0)
    max_gap_s: float = Field(2.0, gt=0)
    min_rep_fraction: float = Field(0.6, ge=0, le=1)
    median_frames: int = Field(3, ge=1)

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
    front_max_deg: float = Field(30.0, ge=0, le=90)
    side_min_deg: float = Field(60.0, ge=0, le=90)


class RecognitionConfig(_Strict):
    horizontal_trunk_deg: float = 50.0
    overhead_wrist_height: float = 0.3
    press_elbow_min_deg: float = 110.0
    stagger_hip_asymmetry_deg: float = 35.0
    min_frames: int = Field(10, ge=1)


class VisionConfig(_Strict):
    pose: PoseConfig = PoseConfig()
    filter: FilterConfig = FilterConfig()
    swap: SwapConfig = SwapConfig()
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
        return VisionConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid vision config: {exc}") from exc


@lru_cache(maxsize=4)
def load_config(path: Path = DEFAULT_PATH) -> VisionConfig:
    """Read and validate the TOML (cached: analyzers are created per station and rep)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"vision config not found at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return parse_config(data)
