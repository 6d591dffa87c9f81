"""The one error family of the vision package; every message says what to do next."""

from __future__ import annotations


class VisionError(ValueError):
    """Bad input to pose estimation or analysis (unknown exercise, bad station, empty clip)."""


class ConfigError(VisionError):
    """``configs/vision.toml`` (or an override) does not validate."""
