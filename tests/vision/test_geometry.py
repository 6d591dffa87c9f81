"""Joint angles and body-line measures: known triangles, visibility gating, invariances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision import geometry as g
from vision.landmarks import N_LANDMARKS, Landmark


def _pose(points: dict[Landmark, tuple[float, float]],
          vis: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    xy = np.zeros((1, N_LANDMARKS, 2))
    for lm, p in points.items():
        xy[0, lm] = p
    return xy, np.full((1, N_LANDMARKS), vis)


@pytest.mark.parametrize(("a", "b", "c", "expected"), [
    ((0, 1), (0, 0), (1, 0), 90.0),
    ((0, 1), (0, 0), (0, -1), 180.0),
    ((1, 0), (0, 0), (1, 1), 45.0),
    ((1, 1), (0, 0), (1, 1), 0.0),
    ((0, 0, 1), (0, 0, 0), (0, 1, 0), 90.0),
])
def test_angle_at_known_triangles(a: tuple, b: tuple, c: tuple, expected: float) -> None:
    got = g.angle_at(np.array([a], float), np.array([b], float), np.array([c], float))
    assert got[0] == pytest.approx(expected, abs=1e-6)


def test_angle_with_a_missing_point_is_nan() -> None:
    got = g.angle_at(np.array([[np.nan, 0.0]]), np.zeros((1, 2)), np.array([[1.0, 0.0]]))
    assert math.isnan(got[0])


@pytest.mark.parametrize(("vis", "finite"), [(0.9, True), (0.49, False)])
def test_joint_angle_is_gated_by_visibility(vis: float, finite: bool) -> None:
    xy, v = _pose({Landmark.LEFT_HIP: (0, 0), Landmark.LEFT_KNEE: (0, 1),
                   Landmark.LEFT_ANKLE: (1, 1)}, vis)
    angle = g.joint_angle(xy, v, "knee", "left", min_visibility=0.5)
    assert math.isfinite(angle[0]) is finite
    if finite:
        assert angle[0] == pytest.approx(90.0)


def test_planar_undoes_the_aspect_ratio() -> None:
    # A right angle drawn in a 16:9 frame: normalised x squeezes it, planar restores it.
    image = np.zeros((1, N_LANDMARKS, 3))
    image[0, Landmark.LEFT_HIP, :2] = (0.5 - 0.1 * 9 / 16, 0.5)
    image[0, Landmark.LEFT_KNEE, :2] = (0.5, 0.5)
    image[0, Landmark.LEFT_ANKLE, :2] = (0.5, 0.6)
    xy = g.planar(image, 16 / 9)
    assert g.joint_angle(xy, np.ones((1, N_LANDMARKS)), "knee", "left")[0] == pytest.approx(90.0)


@pytest.mark.parametrize(("shoulder", "hip", "expected"), [
    ((0.0, -1.0), (0.0, 0.0), 0.0),  # upright (image y grows downwards)
    ((1.0, 0.0), (0.0, 0.0), 90.0),  # horizontal
    ((1.0, -1.0), (0.0, 0.0), 45.0),
    ((-1.0, -1.0), (0.0, 0.0), 45.0),  # leaning the other way reads the same
])
def test_trunk_lean_from_vertical(shoulder: tuple, hip: tuple, expected: float) -> None:
    xy, v = _pose({Landmark.LEFT_SHOULDER: shoulder, Landmark.RIGHT_SHOULDER: shoulder,
                   Landmark.LEFT_HIP: hip, Landmark.RIGHT_HIP: hip})
    assert g.trunk_lean(xy, v)[0] == pytest.approx(expected)


@pytest.mark.parametrize(("hip_y", "sign"), [(0.5, 0), (0.6, 1), (0.4, -1)])
def test_hip_sag_is_positive_below_the_body_line(hip_y: float, sign: int) -> None:
    # Shoulder-ankle line horizontal at y = 0.5, length 1: sag is the hip's drop in lengths.
    xy, v = _pose({Landmark.LEFT_SHOULDER: (0.0, 0.5), Landmark.LEFT_HIP: (0.5, hip_y),
                   Landmark.LEFT_ANKLE: (1.0, 0.5)})
    sag = g.hip_sag(xy, v, "left")[0]
    assert np.sign(round(sag, 9)) == sign
    assert abs(sag) == pytest.approx(abs(hip_y - 0.5))


@pytest.mark.parametrize(("knee_x", "toe_x", "heel_x", "expected"), [
    (1.2, 1.1, 0.9, 0.2),  # facing right, knee 0.1 past the toes, shin length 0.5
    (1.0, 1.1, 0.9, -0.2),  # behind the toes
    (0.8, 0.9, 1.1, 0.2),  # facing left: "past" is toward smaller x
])
def test_knee_over_toe_follows_the_facing_direction(knee_x: float, toe_x: float,
                                                    heel_x: float, expected: float) -> None:
    xy, v = _pose({Landmark.LEFT_KNEE: (knee_x, 0.5), Landmark.LEFT_ANKLE: (knee_x, 1.0),
                   Landmark.LEFT_FOOT_INDEX: (toe_x, 1.05), Landmark.LEFT_HEEL: (heel_x, 1.05)})
    assert g.knee_over_toe(xy, v, "left")[0] == pytest.approx(expected)


def test_upper_arm_swing_sign_flips_with_direction() -> None:
    base = {Landmark.LEFT_SHOULDER: (0.0, 0.0), Landmark.LEFT_HIP: (0.0, 1.0)}
    fwd, v = _pose(base | {Landmark.LEFT_ELBOW: (0.3, 0.3)})
    back, _ = _pose(base | {Landmark.LEFT_ELBOW: (-0.3, 0.3)})
    a, b = g.upper_arm_swing(fwd, v, "left")[0], g.upper_arm_swing(back, v, "left")[0]
    assert a == pytest.approx(-b) and abs(a) == pytest.approx(45.0)


coords = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.tuples(coords, coords), st.tuples(coords, coords), st.tuples(coords, coords),
       st.floats(0.0, 2 * math.pi), st.floats(0.2, 5.0), st.tuples(coords, coords))
def test_angles_ignore_rotation_scale_and_shift(a: tuple, b: tuple, c: tuple, theta: float,
                                                scale: float, shift: tuple) -> None:
    pts = np.array([a, b, c], float)
    if min(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[1])) < 1e-3:
        return
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    moved = pts @ rot.T * scale + np.array(shift)
    before = g.angle_at(pts[None, 0], pts[None, 1], pts[None, 2])[0]
    after = g.angle_at(moved[None, 0], moved[None, 1], moved[None, 2])[0]
    assert after == pytest.approx(before, abs=1e-6)
    assert 0.0 <= before <= 180.0
