"""The synthetic body and camera behave like MediaPipe's conventions say they should."""

from __future__ import annotations

import numpy as np
import pytest

from vision import geometry as g
from vision.landmarks import Landmark as L
from vision.skeleton import Body, Camera, two_link
from vision.synth import Script, make_clip, timeline


def test_segment_lengths_follow_winter() -> None:
    body = Body(height=1.80)
    assert body.thigh == pytest.approx(0.245 * 1.80)
    assert body.torso == pytest.approx(0.288 * 1.80)


def test_two_link_keeps_segment_lengths() -> None:
    root, end = np.zeros(3), np.array([0.0, 0.7, 0.1])
    mid = two_link(root, end, 0.45, 0.43, np.array([0.0, 0.0, 1.0]))
    assert np.linalg.norm(mid - root) == pytest.approx(0.45)
    assert np.linalg.norm(end - mid) == pytest.approx(0.43)
    assert mid[2] > 0  # bent toward the hint


def test_front_view_follows_mediapipe_conventions() -> None:
    seq = make_clip("squat", camera=Camera(yaw_deg=0), script=Script(reps=1)).sequence
    first = seq.image[0]
    assert first[L.LEFT_SHOULDER, 0] > first[L.RIGHT_SHOULDER, 0]  # their left, our right
    assert first[L.NOSE, 1] < first[L.LEFT_ANKLE, 1]  # image y grows downwards
    world = seq.world[0]
    assert world[L.NOSE, 1] < 0 < world[L.LEFT_ANKLE, 1]  # world y down, origin at hips
    assert np.allclose(world[[L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=0), 0.0, atol=0.05)


def test_side_view_hides_the_far_side() -> None:
    seq = make_clip("squat", camera=Camera(yaw_deg=90), script=Script(reps=1)).sequence
    vis = seq.visibility[0]
    assert vis[L.RIGHT_KNEE] > 0.9 > 0.5 > vis[L.LEFT_KNEE]  # yaw +90: right side to camera


def test_squat_kinematics_cover_a_textbook_range() -> None:
    seq = make_clip("squat", camera=Camera(yaw_deg=90), script=Script(reps=1)).sequence
    knee = g.joint_angle(g.planar(seq.image, seq.aspect), seq.visibility, "knee", "right")
    assert np.nanmax(knee) > 165 and 60 < np.nanmin(knee) < 100


def test_timeline_truth() -> None:
    rng = np.random.default_rng(0)
    t, phase, _, turns = timeline(Script(reps=3, partial_reps=2), 30.0, rng)
    assert len(turns) == 3 and phase.max() == pytest.approx(1.0, abs=0.01)
    assert (np.diff(t) > 0).all()
