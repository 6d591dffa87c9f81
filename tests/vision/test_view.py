"""Camera view from the body's yaw: synthetic bodies turned by a known angle."""

from __future__ import annotations

import pytest

from vision.analyzer import ExerciseAnalyzer
from vision.config import load_config
from vision.landmarks import PoseFrame
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


def _jumpy_then_side(steady_spread: float | None = None) -> ExerciseAnalyzer:
    """2 s of a detector jumping every third of a second between bodies turned 0, 20 and
    40 degrees (a title card misread as people), then side-view push-ups, fed live."""
    fps = 15
    turned = [make_clip("push-up", camera=Camera(yaw_deg=y, height=0.5), fps=fps,
                        script=Script(reps=1), seed=1).sequence for y in (0, 20, 40)]
    real = make_clip("push-up", camera=Camera(yaw_deg=90, height=0.5), fps=fps,
                     script=Script(reps=4), seed=2).sequence
    cfg = load_config()
    if steady_spread is not None:
        cfg = cfg.model_copy(update={"view": cfg.view.model_copy(
            update={"steady_spread_deg": steady_spread})})
    live = ExerciseAnalyzer("push-up", cfg)
    lead = 2 * fps
    for i in range(lead):
        seq = turned[(i // 5) % 3]
        live.push(i / fps, PoseFrame(seq.image[i], seq.world[i], seq.visibility[i], seq.aspect))
    for i, t in enumerate(real.t.tolist()):
        live.push(t + lead / fps, PoseFrame(real.image[i], real.world[i], real.visibility[i],
                                            real.aspect) if real.detected[i] else None)
    return live


def test_a_live_station_decides_the_view_once_the_body_holds_still() -> None:
    assert _jumpy_then_side().finish().view is View.SIDE


def test_deciding_on_the_first_second_whatever_it_holds_would_pick_the_wrong_view() -> None:
    assert _jumpy_then_side(steady_spread=90.0).finish().view is not View.SIDE
