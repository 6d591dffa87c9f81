"""Camera view from the body's yaw: synthetic bodies turned by a known angle."""

from __future__ import annotations

import pytest

from vision.skeleton import Camera
from vision.synth import Script, make_clip
from vision.view import View, classify_view, detect_view, yaw_degrees


@pytest.mark.parametrize(("yaw", "view"), [
    (0, View.FRONT), (15, View.FRONT), (-20, View.FRONT), (45, View.OBLIQUE),
    (-45, View.OBLIQUE), (75, View.SIDE), (90, View.SIDE), (-90, View.SIDE),
])
def test_detect_view_on_turned_bodies(yaw: float, view: View) -> None:
    seq = make_clip("squat", camera=Camera(yaw_deg=yaw), script=Script(reps=1), seed=2).sequence
    assert detect_view(seq.image, seq.world, seq.aspect) is view


def test_yaw_estimate_is_close_to_the_truth() -> None:
    seq = make_clip("biceps-curl", camera=Camera(yaw_deg=40), script=Script(reps=1)).sequence
    yaw = yaw_degrees(seq.image, seq.world, seq.aspect)
    assert float(abs(yaw.mean() - 40)) < 8


@pytest.mark.parametrize(("yaw", "view"), [(29.9, View.FRONT), (30, View.OBLIQUE),
                                           (60, View.OBLIQUE), (60.1, View.SIDE)])
def test_classify_view_boundaries(yaw: float, view: View) -> None:
    assert classify_view(yaw) is view
