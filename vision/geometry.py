"""Joint angles and body-line measures over landmark arrays, with visibility gating.

All functions are vectorised over frames: landmark arrays have shape (N, 33, 3) and
results shape (N,). A measure is NaN wherever one of the landmarks it needs is missing
or less visible than ``min_visibility``, so an occluded far limb yields "unknown"
rather than a confident wrong angle.

2D measures use image coordinates scaled by the aspect ratio (x * width/height), so a
right angle in the scene stays a right angle in a 16:9 or 9:16 frame. Image y grows
downwards; "vertical" below means the image's y axis, which is true vertical for a
level camera.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import Landmark as L

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
Joint = Literal["knee", "hip", "elbow", "shoulder"]

# (proximal, vertex, distal) per joint; shoulder = angle between trunk and upper arm
# (flexion/abduction), hip = angle between trunk and thigh.
_JOINTS: dict[Joint, tuple[str, str, str]] = {
    "knee": ("HIP", "KNEE", "ANKLE"),
    "hip": ("SHOULDER", "HIP", "KNEE"),
    "elbow": ("SHOULDER", "ELBOW", "WRIST"),
    "shoulder": ("HIP", "SHOULDER", "ELBOW"),
}


_INDEX: dict[tuple[str, str], int] = {
    (name.split("_", 1)[0].lower(), name.split("_", 1)[1]): int(lm)
    for name, lm in L.__members__.items() if name.startswith(("LEFT_", "RIGHT_"))
}


def landmark(side: Side, part: str) -> int:
    """Index of e.g. ``("left", "KNEE")`` (a dict lookup: called for every frame)."""
    return _INDEX[(side, part)]


def planar(image: FloatArray, aspect: float) -> FloatArray:
    """Image landmarks as isotropic 2D points (units of image height)."""
    xy = image[..., :2].copy()
    xy[..., 0] *= aspect
    return xy


def gate(values: FloatArray, visibility: FloatArray, indices: list[int],
         min_visibility: float) -> FloatArray:
    """NaN where any of ``indices`` is less visible than ``min_visibility``."""
    ok = np.all(visibility[:, indices] >= min_visibility, axis=1)
    return np.where(ok, values, np.nan)


def angle_at(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle ABC in degrees for arrays of 2D or 3D points, shape (N, D).

    atan2(|u x v|, u . v) rather than arccos of the cosine: exact near 0 and 180 degrees,
    where a straight knee or elbow spends much of its time.
    """
    u = a - b
    v = c - b
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    dot = np.einsum("...i,...i->...", u, v)
    angle = np.degrees(np.arctan2(cross, dot))
    degenerate = (cross == 0) & (dot == 0)  # a zero-length segment: no angle
    return np.asarray(np.where(degenerate, np.nan, angle), dtype=np.float64)


def joint_angle(points: FloatArray, visibility: FloatArray, joint: Joint, side: Side,
                min_visibility: float = 0.5) -> FloatArray:
    """Interior angle of a joint (180 = straight) from 2D planar or 3D world points."""
    names = _JOINTS[joint]
    idx = [landmark(side, n) for n in names]
    angle = angle_at(points[:, idx[0]], points[:, idx[1]], points[:, idx[2]])
    return gate(angle, visibility, idx, min_visibility)


def midpoint(points: FloatArray, part: str) -> FloatArray:
    """Mean of the left and right landmark (swap-invariant)."""
    out: FloatArray = 0.5 * (points[:, landmark("left", part)] + points[:, landmark("right", part)])
    return out


def trunk_lean(xy: FloatArray, visibility: FloatArray, min_visibility: float = 0.5) -> FloatArray:
    """Angle of the hip-to-shoulder line from vertical, degrees (0 upright, 90 horizontal).

    Meaningful in a side view; in a front view forward lean is foreshortened away.
    """
    v = midpoint(xy, "SHOULDER") - midpoint(xy, "HIP")
    lean = np.degrees(np.arctan2(np.abs(v[:, 0]), -v[:, 1]))
    idx = [landmark(s, p) for s in ("left", "right") for p in ("SHOULDER", "HIP")]
    return gate(np.asarray(lean, dtype=np.float64), visibility, idx, min_visibility * 0.5)


def segment_tilt(xy: FloatArray, a: int, b: int) -> FloatArray:
    """Angle of segment a->b from horizontal in degrees, positive when b is lower."""
    v = xy[:, b] - xy[:, a]
    return np.asarray(np.degrees(np.arctan2(v[:, 1], np.abs(v[:, 0]))), dtype=np.float64)


def signed_offset_from_line(p: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Distance of p from line a-b in units of |a-b|; positive when p is below the line
    (larger image y), so a sagging hip is positive and a piked hip negative."""
    d = b - a
    length = np.linalg.norm(d, axis=-1)
    cross = d[:, 0] * (p[:, 1] - a[:, 1]) - d[:, 1] * (p[:, 0] - a[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.abs(cross) / length**2
    # Which side is "down": compare p's y with the line's y at p's x-projection.
    t = np.sum((p - a) * d, axis=-1) / np.where(length > 0, length**2, np.nan)
    foot = a + t[:, None] * d
    sign = np.sign(p[:, 1] - foot[:, 1])
    return np.asarray(sign * dist, dtype=np.float64)


def hip_sag(xy: FloatArray, visibility: FloatArray, side: Side,
            min_visibility: float = 0.5) -> FloatArray:
    """Hip distance below the shoulder-ankle line in body lengths (shoulder-ankle).

    Clearer than a hip angle for push-ups and planks: a straight body reads 0 whatever
    the body's tilt, sag is positive, a pike negative.
    """
    s, h, a = (landmark(side, p) for p in ("SHOULDER", "HIP", "ANKLE"))
    off = signed_offset_from_line(xy[:, h], xy[:, s], xy[:, a])
    return gate(off, visibility, [s, h, a], min_visibility)


def facing_sign(xy: FloatArray, side: Side) -> FloatArray:
    """+1 when the toes point to image right, -1 to image left (heel -> foot index)."""
    heel, toe = landmark(side, "HEEL"), landmark(side, "FOOT_INDEX")
    return np.asarray(np.sign(xy[:, toe, 0] - xy[:, heel, 0]), dtype=np.float64)


def knee_over_toe(xy: FloatArray, visibility: FloatArray, side: Side,
                  min_visibility: float = 0.5) -> FloatArray:
    """How far the knee travels past the toes, in shin lengths (side view).

    Positive = knee ahead of the toes in the facing direction; negative = behind.
    """
    k, a, toe = (landmark(side, p) for p in ("KNEE", "ANKLE", "FOOT_INDEX"))
    shin = np.linalg.norm(xy[:, k] - xy[:, a], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ahead = facing_sign(xy, side) * (xy[:, k, 0] - xy[:, toe, 0]) / shin
    heel = landmark(side, "HEEL")
    return gate(np.asarray(ahead, dtype=np.float64), visibility, [k, a, toe, heel],
                min_visibility)


def upper_arm_swing(xy: FloatArray, visibility: FloatArray, side: Side,
                    min_visibility: float = 0.5) -> FloatArray:
    """Signed angle of the upper arm from the trunk line, degrees (side view).

    0 = elbow hanging along the trunk; the sign follows the image x direction, so
    forward and backward swing of a cheating curl show with opposite signs.
    """
    s, e, h = (landmark(side, p) for p in ("SHOULDER", "ELBOW", "HIP"))
    trunk = xy[:, h] - xy[:, s]
    arm = xy[:, e] - xy[:, s]
    cross = trunk[:, 0] * arm[:, 1] - trunk[:, 1] * arm[:, 0]
    dot = np.sum(trunk * arm, axis=-1)
    return gate(np.asarray(np.degrees(np.arctan2(cross, dot)), dtype=np.float64), visibility,
                [s, e, h], min_visibility)


def separation_ratio(xy: FloatArray, part_a: str, part_b: str) -> FloatArray:
    """Horizontal left-right distance of ``part_a`` over that of ``part_b``.

    Knee-to-ankle separation ratio for valgus screening in a front view: knees caving
    in make it small (Noyes et al. 2005, Am J Sports Med 33(2):197, normalised knee
    separation in drop-jump video screening).
    """
    da = np.abs(xy[:, landmark("left", part_a), 0] - xy[:, landmark("right", part_a), 0])
    db = np.abs(xy[:, landmark("left", part_b), 0] - xy[:, landmark("right", part_b), 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(da / db, dtype=np.float64)


def body_scale(xy: FloatArray) -> FloatArray:
    """Per-frame torso length (mid-shoulder to mid-hip), the unit for distances."""
    return np.asarray(np.linalg.norm(midpoint(xy, "SHOULDER") - midpoint(xy, "HIP"), axis=-1),
                      dtype=np.float64)
