"""Per-frame body measures, chosen by camera view, that analyzers count and judge on.

Sagittal-plane joints (knee, hip, elbow) are read in 2D image space from a side view,
where the image plane is the plane of motion, and from MediaPipe's 3D world landmarks
otherwise, because a front view foreshortens them (a front-view squat's 2D knee angle
never reaches 90 degrees). Frontal-plane motion (arms of a jumping jack, knees caving)
is read in 2D from the front. Vertical positions (hip height) do not depend on the
camera's yaw at all, which makes them the most view-proof counting signals.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision import geometry as g
from vision.reps import robust_range
from vision.view import View

FloatArray = NDArray[np.float64]
Measures = dict[str, FloatArray]


@dataclass(frozen=True, slots=True)
class Frames:
    """A run of filtered frames: image (N,33,3), world (N,33,3), visibility (N,33)."""

    image: FloatArray
    world: FloatArray
    visibility: FloatArray
    aspect: float


def _both(fn: object, *args: object) -> tuple[FloatArray, FloatArray]:
    return fn("left", *args), fn("right", *args)  # type: ignore[operator]


def _nanmean2(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, 0.5 * (a + b)))


def _nanmin2(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.fmin(a, b), dtype=np.float64)


def compute(frames: Frames, view: View, min_visibility: float, scale: FloatArray) -> Measures:
    """All measures for N frames. ``scale``: body size per frame (image heights) that
    turns distances into torso lengths, from :class:`ScaleTracker`."""
    xy = g.planar(frames.image, frames.aspect)
    vis = frames.visibility
    sagittal = xy if view is View.SIDE else frames.world
    frontal = frames.world if view is View.SIDE else xy

    def angle(points: FloatArray, joint: g.Joint) -> tuple[FloatArray, FloatArray]:
        return _both(lambda side: g.joint_angle(points, vis, joint, side, min_visibility))

    m: Measures = {}
    m["knee_l"], m["knee_r"] = angle(sagittal, "knee")
    m["hip_l"], m["hip_r"] = angle(sagittal, "hip")
    m["elbow_l"], m["elbow_r"] = angle(sagittal, "elbow")
    m["shoulder_l"], m["shoulder_r"] = angle(frontal, "shoulder")  # abduction / raise
    m["arm_l"], m["arm_r"] = angle(sagittal, "shoulder")  # upper arm vs trunk (curl swing)
    m["knee_mean"] = _nanmean2(m["knee_l"], m["knee_r"])
    m["knee_min"] = _nanmin2(m["knee_l"], m["knee_r"])
    m["elbow_mean"] = _nanmean2(m["elbow_l"], m["elbow_r"])
    m["shoulder_mean"] = _nanmean2(m["shoulder_l"], m["shoulder_r"])

    lean_2d = g.trunk_lean(xy, vis, min_visibility)
    trunk = g.midpoint(frames.world, "SHOULDER") - g.midpoint(frames.world, "HIP")
    lean_3d = np.degrees(np.arctan2(np.linalg.norm(trunk[:, [0, 2]], axis=-1), -trunk[:, 1]))
    m["trunk_lean"] = lean_2d if view is View.SIDE else np.asarray(lean_3d, dtype=np.float64)
    m["trunk_lean_3d"] = np.asarray(lean_3d, dtype=np.float64)
    # Body line (mid-shoulder to mid-ankle) from vertical: ~0 standing, ~70 in a plank
    # or push-up whatever the hips do, so it tells floor work from standing work.
    line = g.midpoint(frames.world, "SHOULDER") - g.midpoint(frames.world, "ANKLE")
    line_3d = np.degrees(np.arctan2(np.linalg.norm(line[:, [0, 2]], axis=-1), -line[:, 1]))
    line_2d = g.midpoint(xy, "SHOULDER") - g.midpoint(xy, "ANKLE")
    m["body_line"] = np.asarray(
        np.degrees(np.arctan2(np.abs(line_2d[:, 0]), -line_2d[:, 1])) if view is View.SIDE
        else line_3d, dtype=np.float64)

    with np.errstate(invalid="ignore", divide="ignore"):
        hip_y = g.midpoint(xy, "HIP")[:, 1]
        m["hip_height"] = (g.midpoint(xy, "ANKLE")[:, 1] - hip_y) / scale
        shoulder_y = g.midpoint(xy, "SHOULDER")[:, 1]
        m["wrist_height"] = (shoulder_y - g.midpoint(xy, "WRIST")[:, 1]) / scale
        # Squat depth from world landmarks (metres, y down): free of the perspective that
        # makes knees coming toward a front camera look lower than they are.
        w_hip, w_knee = g.midpoint(frames.world, "HIP"), g.midpoint(frames.world, "KNEE")
        m["hip_above_knee"] = w_knee[:, 1] - w_hip[:, 1]
        m["thigh"] = np.linalg.norm(w_knee - w_hip, axis=-1)
        m["knee_ankle_ratio"] = g.separation_ratio(xy, "KNEE", "ANKLE")
    m["left_ahead"] = left_foot_ahead(frames.world)
    m["knee_travel"] = knee_travel(xy, scale)
    m["hip_sag_l"], m["hip_sag_r"] = _both(lambda s: g.hip_sag(xy, vis, s, min_visibility))
    return m


def left_foot_ahead(world: FloatArray) -> FloatArray:
    """How far the left ankle is ahead of the right along the way the member faces, in
    leg lengths (world landmarks). About 0 for a squat stance, about +-1 for a split
    stance whatever the camera view; the sign says which foot is in front."""
    hips = world[:, g.landmark("left", "HIP")] - world[:, g.landmark("right", "HIP")]
    # Facing = the hip line turned 90 degrees about the vertical (world y is down).
    facing = np.stack([hips[:, 2], np.zeros(len(hips)), -hips[:, 0]], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        facing /= np.linalg.norm(facing, axis=1, keepdims=True)
        hip, knee, ankle = (world[:, g.landmark("left", p)] for p in ("HIP", "KNEE", "ANKLE"))
        feet = ankle - world[:, g.landmark("right", "ANKLE")]
        leg = np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1)
        return np.asarray(np.sum(feet * facing, axis=1) / leg, dtype=np.float64)


def knee_travel(xy: FloatArray, scale: FloatArray) -> FloatArray:
    """How far the foremost knee is past the foremost toes, in shin lengths (side view).

    Built only from swap-proof quantities: the facing direction from both feet's
    heel-to-toe vectors summed, and the most forward knee and toe whichever side
    MediaPipe calls them (it garbles the labels of single landmarks in a split stance).
    A shin is ~0.85 torso lengths (Winter 2009: 0.246 vs 0.288 of height).
    """
    toes = [g.landmark(s, "FOOT_INDEX") for s in ("left", "right")]
    heels = [g.landmark(s, "HEEL") for s in ("left", "right")]
    knees = [g.landmark(s, "KNEE") for s in ("left", "right")]
    facing = np.sign(np.sum(xy[:, toes, 0] - xy[:, heels, 0], axis=1))
    knee_fwd = np.max(facing[:, None] * xy[:, knees, 0], axis=1)
    toe_fwd = np.max(facing[:, None] * xy[:, toes, 0], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((knee_fwd - toe_fwd) / (0.85 * scale), dtype=np.float64)


class ScaleTracker:
    """Body size in image heights: a high quantile of recent 2D torso lengths.

    The torso foreshortens when a member leans toward the camera, so its recent upper
    end, not the current frame, is the body's size; a window lets it follow a member
    who walks closer to the camera.
    """

    def __init__(self, window: int = 300, quantile: float = 0.9) -> None:
        self.quantile = quantile
        self._values: deque[float] = deque(maxlen=window)

    def update(self, frames: Frames) -> FloatArray:
        torso = g.body_scale(g.planar(frames.image, frames.aspect))
        out = np.empty_like(torso)
        for i, v in enumerate(torso.tolist()):
            if math.isfinite(v):
                self._values.append(v)
            out[i] = robust_range(self._values, 1 - self.quantile)[1] if self._values else np.nan
        return out
