"""Which way the camera looks at the member: front, oblique or side.

Fixed angle thresholds fail across views (a front-view squat's 2D knee angle never
reaches 90 degrees), so analyzers pick their signals and form rules by view. The
body's yaw to the camera is read two independent ways and averaged:

* from MediaPipe world landmarks: the shoulder and hip lines' angle out of the image
  plane (world x/z), 0 = square to the camera, 90 = side on;
* from foreshortening: 2D shoulder width / torso length divided by the same ratio in
  world coordinates is cos(yaw) for an upright body.
"""

from __future__ import annotations

import enum

import numpy as np
from numpy.typing import NDArray

from vision.geometry import body_scale, landmark, planar

FloatArray = NDArray[np.float64]


class View(enum.StrEnum):
    FRONT = "front"
    OBLIQUE = "oblique"
    SIDE = "side"


def yaw_degrees(image: FloatArray, world: FloatArray, aspect: float) -> FloatArray:
    """Per-frame yaw of the body to the camera in degrees (0 front .. 90 side)."""
    ls, rs = landmark("left", "SHOULDER"), landmark("right", "SHOULDER")
    lh, rh = landmark("left", "HIP"), landmark("right", "HIP")
    estimates = []
    for a, b in ((ls, rs), (lh, rh)):
        d = world[:, a] - world[:, b]
        estimates.append(np.degrees(np.arctan2(np.abs(d[:, 2]), np.abs(d[:, 0]))))
    xy = planar(image, aspect)
    width_2d = np.linalg.norm(xy[:, ls] - xy[:, rs], axis=-1) / body_scale(xy)
    width_3d = np.linalg.norm(world[:, ls] - world[:, rs], axis=-1) / body_scale(world)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_yaw = np.clip(width_2d / width_3d, 0.0, 1.0)
    estimates.append(np.degrees(np.arccos(cos_yaw)))
    return np.asarray(np.nanmedian(np.vstack(estimates), axis=0), dtype=np.float64)


def classify_view(yaw_deg: float, front_max: float = 30.0, side_min: float = 60.0) -> View:
    """Thirds of the quarter turn: < 30 front, > 60 side, oblique between."""
    if yaw_deg < front_max:
        return View.FRONT
    if yaw_deg > side_min:
        return View.SIDE
    return View.OBLIQUE


def _finite_yaw(image: FloatArray, world: FloatArray, aspect: float) -> FloatArray:
    with np.errstate(all="ignore"):
        yaw = yaw_degrees(image, world, aspect)
    return yaw[np.isfinite(yaw)]


def detect_view(image: FloatArray, world: FloatArray, aspect: float,
                front_max: float = 30.0, side_min: float = 60.0) -> View:
    """The camera view over a stretch of frames (median yaw); FRONT if nobody was seen."""
    finite = _finite_yaw(image, world, aspect)
    if finite.size == 0:
        return View.FRONT
    return classify_view(float(np.median(finite)), front_max, side_min)


def steady_view(image: FloatArray, world: FloatArray, aspect: float, max_spread: float,
                front_max: float = 30.0, side_min: float = 60.0) -> View | None:
    """The view over these frames if the body's yaw held still in them (10th-90th
    percentile spread at most ``max_spread`` degrees), else None. A member stands or
    lies in one place; a detector jumping about a title card does not, and its 'view'
    would choose the wrong signals for a whole set."""
    finite = _finite_yaw(image, world, aspect)
    if finite.size < 3:
        return None
    low, high = np.percentile(finite, [10, 90])
    if high - low > max_spread:
        return None
    return classify_view(float(np.median(finite)), front_max, side_min)
