"""Stations: regions of one camera image, one member each, so a camera serves a row.

Pose runs on each region's crop with its own estimator (MediaPipe's legacy Pose finds
one person per image and tracks them between frames), so members never get mixed up
and a wider room just means more regions. Landmarks stay normalised to the crop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vision.analyzer import ExerciseAnalyzer, RepResult
from vision.errors import VisionError
from vision.landmarks import PoseFrame
from vision.plank import Hold
from vision.pose import PoseEstimator


@dataclass(frozen=True, slots=True)
class Region:
    """x, y, w, h in pixels, or as fractions of the image when all are <= 1."""

    x: float
    y: float
    w: float
    h: float

    def __post_init__(self) -> None:
        if self.w <= 0 or self.h <= 0 or self.x < 0 or self.y < 0:
            raise VisionError(f"station region {self} needs x, y >= 0 and w, h > 0")

    @property
    def fractional(self) -> bool:
        return max(self.x, self.y, self.w, self.h) <= 1.0

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) inside a width x height image."""
        x, y, w, h = self.x, self.y, self.w, self.h
        if self.fractional:
            x, y, w, h = x * width, y * height, w * width, h * height
        x0, y0 = int(round(x)), int(round(y))
        x1, y1 = min(int(round(x + w)), width), min(int(round(y + h)), height)
        if x1 - x0 < 16 or y1 - y0 < 16:
            raise VisionError(f"station region {self} leaves no usable image inside "
                              f"{width}x{height}; check it is inside the frame")
        return x0, y0, x1, y1

    def crop(self, image: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The region's pixels (a view, no copy)."""
        x0, y0, x1, y1 = self.pixels(image.shape[1], image.shape[0])
        return image[y0:y1, x0:x1]


def parse_region(text: str) -> Region:
    """``"x,y,w,h"`` -> :class:`Region`, with a message that shows the expected form."""
    parts = [p.strip() for p in text.split(",")]
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError as exc:
        raise VisionError(f"station {text!r} must be four numbers x,y,w,h (pixels, or "
                          f"fractions of the image such as 0,0,0.5,1)") from exc
    return Region(x, y, w, h)


@dataclass(slots=True)
class Station:
    """One member's place in front of a camera and the exercise they are doing."""

    station_id: str
    region: Region | None  # None = the whole image
    estimator: PoseEstimator
    analyzer: ExerciseAnalyzer
    member_id: str | None = None
    last_pose: PoseFrame | None = field(default=None, repr=False)


class StationRunner:
    """Runs every station of one camera on each frame."""

    def __init__(self, stations: Iterable[Station]) -> None:
        self.stations = list(stations)
        ids = [s.station_id for s in self.stations]
        if len(set(ids)) != len(ids):
            raise VisionError(f"station ids must be unique, got {ids}")

    def process(self, t: float, image: NDArray[np.uint8]) -> dict[str, list[RepResult | Hold]]:
        """Pose per region, then that station's analyzer; returns new reps/holds by station."""
        out: dict[str, list[RepResult | Hold]] = {}
        for station in self.stations:
            crop = station.region.crop(image) if station.region else image
            pose = station.estimator.estimate(np.ascontiguousarray(crop))
            station.last_pose = pose
            events = station.analyzer.push(t, pose)
            if events:
                out[station.station_id] = events
        return out

    def close(self) -> None:
        for station in self.stations:
            station.estimator.close()


EstimatorFactory = Callable[[], PoseEstimator]
