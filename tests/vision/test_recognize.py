"""Exercise recognition from landmark sequences (synthetic, several views)."""

from __future__ import annotations

import numpy as np
import pytest

from vision.landmarks import PoseSequence
from vision.recognize import recognize
from vision.skeleton import Camera
from vision.synth import Noise, Script, make_clip


@pytest.mark.parametrize("yaw", [0, 60])
@pytest.mark.parametrize("exercise", ["squat", "lunge", "push-up", "jumping-jack",
                                      "biceps-curl", "overhead-press", "plank"])
def test_recognises_each_exercise(exercise: str, yaw: float) -> None:
    cam = Camera(yaw_deg=yaw, height=0.5 if exercise in ("push-up", "plank") else 1.0)
    clip = make_clip(exercise, camera=cam, fps=10, script=Script(reps=3),
                     noise=Noise(swap_per_s=0.3), seed=5)
    result = recognize(clip.sequence)
    assert result.exercise == exercise, result.reason
    assert result.features  # the decision is explained


def test_no_exercise_for_a_presenter() -> None:
    clip = make_clip("idle", fps=10, script=Script(reps=4))
    result = recognize(clip.sequence)
    assert result.exercise is None and "no exercise" in result.reason


def test_too_few_frames_is_not_a_guess() -> None:
    seq = PoseSequence.from_frames([0.0, 0.1], [None, None])
    assert recognize(seq).exercise is None
    short = make_clip("squat", fps=10, script=Script(reps=1))
    empty = PoseSequence(short.sequence.t[:3], np.full((3, 33, 3), np.nan),
                         np.full((3, 33, 3), np.nan), np.zeros((3, 33)))
    assert recognize(empty).exercise is None
