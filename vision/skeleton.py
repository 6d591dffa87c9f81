"""A stick-figure body and a pinhole camera: synthetic landmarks with known truth.

Exercise motions (``vision.synth``) place the main joints in body coordinates (metres;
X = the member's left, Y = up, Z = the way they face, feet on the floor at Y = 0);
this module adds head, hands and feet, turns the body to the camera (yaw) and projects
everything the way MediaPipe reports it: image coordinates normalised to the frame,
world coordinates in metres around the hip centre (x right, y down, z away from the
camera), a visibility that drops for limbs on the far side.

Segment lengths are fractions of standing height from Winter, *Biomechanics and Motor
Control of Human Movement* (4th ed., 2009), Fig. 4.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import N_LANDMARKS, Landmark, PoseFrame

FloatArray = NDArray[np.float64]
Joints = dict[str, FloatArray]  # "LEFT_KNEE" -> (3,) body coordinates


@dataclass(frozen=True, slots=True)
class Body:
    height: float = 1.75

    def __getattr__(self, name: str) -> float:
        return _WINTER[name] * object.__getattribute__(self, "height")


# Winter (2009) Fig. 4.1, fractions of height H.
_WINTER = {
    "shoulder_y": 0.818, "hip_y": 0.530, "knee_y": 0.285, "ankle_y": 0.039,
    "upper_arm": 0.186, "forearm": 0.146, "hand": 0.108, "thigh": 0.245, "shank": 0.246,
    "torso": 0.288, "shoulder_w": 0.259, "hip_w": 0.191, "foot": 0.152, "head": 0.13,
}


def unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def two_link(root: FloatArray, end: FloatArray, l1: float, l2: float,
             hint: FloatArray) -> FloatArray:
    """Middle joint of a two-segment limb from ``root`` to ``end`` (inverse kinematics),
    bent toward ``hint``; a too-long reach straightens the limb."""
    axis = end - root
    d = min(float(np.linalg.norm(axis)), l1 + l2 - 1e-6)
    axis = unit(axis)
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    perp = unit(hint - float(np.dot(hint, axis)) * axis)
    return root + a * axis + h * perp


def complete(j: Joints, body: Body, face: FloatArray, trunk_up: FloatArray,
             foot_fwd: FloatArray) -> Joints:
    """Add head, hand and foot landmarks to the main joints."""
    out = dict(j)
    neck = 0.5 * (j["LEFT_SHOULDER"] + j["RIGHT_SHOULDER"])
    left = unit(j["LEFT_SHOULDER"] - j["RIGHT_SHOULDER"])
    head = neck + trunk_up * body.head * 0.9
    out["NOSE"] = head + face * 0.1 * body.height * 0.5
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        out[f"{side}_EYE"] = head + trunk_up * 0.02 + face * 0.07 + s * left * 0.03
        out[f"{side}_EYE_INNER"] = out[f"{side}_EYE"] - s * left * 0.012
        out[f"{side}_EYE_OUTER"] = out[f"{side}_EYE"] + s * left * 0.012
        out[f"{side}_EAR"] = head + s * left * 0.075
        out[f"MOUTH_{side}"] = head - trunk_up * 0.05 + face * 0.07 + s * left * 0.02
        wrist, elbow = j[f"{side}_WRIST"], j[f"{side}_ELBOW"]
        along = unit(wrist - elbow)
        out[f"{side}_INDEX"] = wrist + along * body.hand * 0.75 + s * left * 0.01
        out[f"{side}_PINKY"] = wrist + along * body.hand * 0.6 - s * left * 0.02
        out[f"{side}_THUMB"] = wrist + along * body.hand * 0.35 + s * left * 0.025
        ankle = j[f"{side}_ANKLE"]
        out[f"{side}_HEEL"] = ankle - foot_fwd * body.foot * 0.25 - np.array([0, 0.03, 0])
        out[f"{side}_FOOT_INDEX"] = ankle + foot_fwd * body.foot * 0.75 - np.array([0, 0.03, 0])
    return out


@dataclass(frozen=True, slots=True)
class Camera:
    """Level pinhole camera ``distance`` metres in front of the member at ``height``.

    ``yaw_deg``: the member's turn from facing the camera (0 front, 90 side on with
    their right side toward the camera, -90 their left). ``focal``: in image heights.
    """

    yaw_deg: float = 0.0
    distance: float = 3.8
    height: float = 1.0
    focal: float = 1.1
    aspect: float = 16 / 9
    pitch_deg: float = 0.0  # tilted down (a wall mount above head height) when positive
    # Visibility MediaPipe gives far-side landmarks when side on: ~0.3 for a limb partly
    # behind the torso (s04's far arm 0.25-0.45), ~0.1 fully behind it (s02, s03).
    far_visibility: float = 0.3

    def project(self, joints: Joints, far_visibility: float | None = None) -> PoseFrame:
        pts = np.zeros((N_LANDMARKS, 3))
        for name, p in joints.items():
            pts[Landmark[name]] = p
        yaw = math.radians(self.yaw_deg)
        c, s = math.cos(yaw), math.sin(yaw)
        # Turn the body about the vertical axis, then into camera coordinates.
        x = c * pts[:, 0] + s * pts[:, 2]
        z = -s * pts[:, 0] + c * pts[:, 2]
        # Camera at +Z looking back at the member: its right is the scene's +X, so the
        # member's left shows on the image's right when they face the camera.
        xc, yc, depth = x, pts[:, 1] - self.height, self.distance - z
        if self.pitch_deg:  # aim the camera down at the member's middle
            tilt = math.radians(self.pitch_deg)
            yc, depth = (math.cos(tilt) * yc + math.sin(tilt) * depth,
                         -math.sin(tilt) * yc + math.cos(tilt) * depth)
        image = np.empty_like(pts)
        image[:, 0] = 0.5 + self.focal / self.aspect * xc / depth
        image[:, 1] = 0.5 - self.focal * yc / depth
        hips = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
        hip_depth = float(depth[hips].mean())
        image[:, 2] = (depth - hip_depth) * self.focal / self.aspect / hip_depth
        world = np.stack([xc, -yc, depth], axis=1)
        world -= world[hips].mean(axis=0)
        vis = np.full(N_LANDMARKS, 0.97)
        far_vis = self.far_visibility if far_visibility is None else far_visibility
        occlusion = abs(math.sin(yaw)) * (0.97 - far_vis)
        for lm in Landmark:
            if lm.name.startswith("LEFT_") or lm.name == "MOUTH_LEFT":
                twin = Landmark[lm.name.replace("LEFT", "RIGHT")]
                far = lm if depth[lm] > depth[twin] else twin
                vis[far] -= occlusion
        return PoseFrame(image, world, vis, self.aspect)
