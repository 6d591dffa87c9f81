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
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision import geometry as g
from vision.reps import Window, robust_range
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


@dataclass(frozen=True, slots=True)
class _Ctx:
    xy: FloatArray
    world: FloatArray
    vis: FloatArray
    view: View
    min_vis: float
    scale: FloatArray
    track_vis: float


    @property
    def sagittal(self) -> FloatArray:
        return self.xy if self.view is View.SIDE else self.world

    @property
    def frontal(self) -> FloatArray:
        return self.world if self.view is View.SIDE else self.xy

    def pair(self, points: FloatArray, joint: g.Joint) -> tuple[FloatArray, FloatArray]:
        return (g.joint_angle(points, self.vis, joint, "left", self.min_vis),
                g.joint_angle(points, self.vis, joint, "right", self.min_vis))


def _nanmean2(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, 0.5 * (a + b)))


def _angle_from_vertical(v: FloatArray) -> FloatArray:
    """Angle of vectors from straight up (y down), 3D or 2D, in degrees."""
    return np.asarray(np.degrees(np.arctan2(np.linalg.norm(v[:, [0, 2]] if v.shape[1] == 3
                                                           else v[:, :1], axis=-1), -v[:, 1])),
                      dtype=np.float64)


def _knees(c: _Ctx) -> Measures:
    left, right = c.pair(c.sagittal, "knee")
    return {"knee_l": left, "knee_r": right, "knee_mean": _nanmean2(left, right),
            "knee_min": np.asarray(np.fmin(left, right), dtype=np.float64)}


def _hips(c: _Ctx) -> Measures:
    left, right = c.pair(c.sagittal, "hip")
    return {"hip_l": left, "hip_r": right}


def _elbows(c: _Ctx) -> Measures:
    left, right = c.pair(c.sagittal, "elbow")
    return {"elbow_l": left, "elbow_r": right, "elbow_mean": _nanmean2(left, right)}


def _tracked_elbows(c: _Ctx) -> Measures:
    """Elbow angles gated at the tracking floor, not the form floor: per-arm counting
    signals. An arm half behind the torso (the far arm of an oblique curl) reads 0.25-0.45
    visibility yet its estimate still follows the curl; at the form floor it would be
    unknown in every frame and never count."""
    left = g.joint_angle(c.sagittal, c.vis, "elbow", "left", c.track_vis)
    right = g.joint_angle(c.sagittal, c.vis, "elbow", "right", c.track_vis)
    return {"curl_l": left, "curl_r": right}


def _shoulders(c: _Ctx) -> Measures:  # arm raise / abduction: frontal plane
    left, right = c.pair(c.frontal, "shoulder")
    return {"shoulder_l": left, "shoulder_r": right, "shoulder_mean": _nanmean2(left, right)}


def _upper_arms(c: _Ctx) -> Measures:  # upper arm vs trunk in the plane of a curl
    left, right = c.pair(c.sagittal, "shoulder")
    return {"arm_l": left, "arm_r": right}


def _lean(c: _Ctx) -> Measures:
    lean_3d = _angle_from_vertical(g.midpoint(c.world, "SHOULDER") - g.midpoint(c.world, "HIP"))
    lean = g.trunk_lean(c.xy, c.vis, c.min_vis) if c.view is View.SIDE else lean_3d
    return {"trunk_lean": lean, "trunk_lean_3d": lean_3d}


# Standing shoulder-to-ankle height over shoulder width (Winter 2009: 0.779 / 0.259 of
# height): how tall the body line would look, in shoulder widths, if it were upright.
_LINE_OVER_SHOULDERS = 3.0


def _body_line(c: _Ctx) -> Measures:
    """Mid-shoulder to mid-ankle from vertical: ~0 standing, ~70 in a plank or push-up
    whatever the hips do, so it tells floor work from standing work.

    From the front a push-up points the body at the camera, and MediaPipe's depth is its
    weakest axis, so the front view also reads the pitch from foreshortening: the line's
    image height against the shoulder width, which the view leaves unshortened."""
    pts = c.xy if c.view is View.SIDE else c.world
    line = _angle_from_vertical(g.midpoint(pts, "SHOULDER") - g.midpoint(pts, "ANKLE"))
    if c.view is View.FRONT:
        height = g.midpoint(c.xy, "ANKLE")[:, 1] - g.midpoint(c.xy, "SHOULDER")[:, 1]
        width = np.linalg.norm(c.xy[:, g.landmark("left", "SHOULDER")]
                               - c.xy[:, g.landmark("right", "SHOULDER")], axis=-1)
        ratio = np.clip(height / (_LINE_OVER_SHOULDERS * width), 0.0, 1.0)
        line = np.asarray(np.fmax(line, np.degrees(np.arccos(ratio))), dtype=np.float64)
    return {"body_line": line}


def _heights(c: _Ctx) -> Measures:
    hip_y, shoulder_y = g.midpoint(c.xy, "HIP")[:, 1], g.midpoint(c.xy, "SHOULDER")[:, 1]
    return {"hip_height": (g.midpoint(c.xy, "ANKLE")[:, 1] - hip_y) / c.scale,
            "wrist_height": (shoulder_y - g.midpoint(c.xy, "WRIST")[:, 1]) / c.scale}


def _depth(c: _Ctx) -> Measures:
    # Squat depth from world landmarks (metres, y down): free of the perspective that
    # makes knees coming toward a front camera look lower than they are.
    hip, knee = g.midpoint(c.world, "HIP"), g.midpoint(c.world, "KNEE")
    return {"hip_above_knee": knee[:, 1] - hip[:, 1],
            "thigh": np.asarray(np.linalg.norm(knee - hip, axis=-1), dtype=np.float64),
            "knee_ankle_ratio": g.separation_ratio(c.xy, "KNEE", "ANKLE")}


def _stance(c: _Ctx) -> Measures:
    return {"left_ahead": left_foot_ahead(c.world), "knee_travel": knee_travel(c.xy, c.scale)}


def _sag(c: _Ctx) -> Measures:
    return {"hip_sag_l": g.hip_sag(c.xy, c.vis, "left", c.min_vis),
            "hip_sag_r": g.hip_sag(c.xy, c.vis, "right", c.min_vis)}


_GROUPS = (_knees, _hips, _elbows, _tracked_elbows, _shoulders, _upper_arms, _lean, _body_line,
           _heights, _depth, _stance, _sag)
_PROVIDES = {"knee_l": _knees, "knee_r": _knees, "knee_mean": _knees, "knee_min": _knees,
             "hip_l": _hips, "hip_r": _hips, "elbow_l": _elbows, "elbow_r": _elbows,
             "elbow_mean": _elbows, "curl_l": _tracked_elbows, "curl_r": _tracked_elbows,
             "shoulder_l": _shoulders, "shoulder_r": _shoulders,
             "shoulder_mean": _shoulders, "arm_l": _upper_arms, "arm_r": _upper_arms,
             "trunk_lean": _lean, "trunk_lean_3d": _lean, "body_line": _body_line,
             "hip_height": _heights, "wrist_height": _heights, "hip_above_knee": _depth,
             "thigh": _depth, "knee_ankle_ratio": _depth, "left_ahead": _stance,
             "knee_travel": _stance, "hip_sag_l": _sag, "hip_sag_r": _sag}
NAMES = frozenset(_PROVIDES)


def compute(frames: Frames, view: View, min_visibility: float, scale: FloatArray,
            only: frozenset[str] | None = None,
            track_visibility: float | None = None) -> Measures:
    """Measures for N frames: all of them, or just the groups providing ``only`` (an
    analyzer needs a third of them, and this runs for every frame of every station).
    ``scale``: body size per frame (image heights) that turns distances into torso
    lengths, from :class:`ScaleTracker`. ``track_visibility``: the lower floor of the
    per-limb counting signals (``curl_l``/``curl_r``); defaults to ``min_visibility``."""
    track = min_visibility if track_visibility is None else track_visibility
    ctx = _Ctx(g.planar(frames.image, frames.aspect), frames.world, frames.visibility, view,
               min_visibility, scale, track)
    groups = _GROUPS if only is None else tuple(dict.fromkeys(_PROVIDES[k] for k in only))
    out: Measures = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for group in groups:
            out.update(group(ctx))
    return out


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
        self.quantile, self.window = quantile, window
        self._values = Window()
        self._n = 0

    def update(self, frames: Frames) -> FloatArray:
        torso = g.body_scale(g.planar(frames.image, frames.aspect))
        out = np.empty_like(torso)
        for i, v in enumerate(torso.tolist()):
            if math.isfinite(v):
                self._n += 1
                self._values.push(self._n, v, self._n - self.window + 1)
            values = self._values.values
            out[i] = robust_range(values, 1 - self.quantile)[1] if values.size else np.nan
        return out
