"""Form rules: each fault fires on synthetic kinematics that show it, from the views
where it is visible, and stays quiet on clean technique."""

from __future__ import annotations

import pytest

from vision.analyzer import analyze
from vision.skeleton import Camera
from vision.synth import Script, make_clip


def _faults(exercise: str, yaw: float, fault: str | None = None, depth: float = 1.0) -> dict:
    cam = Camera(yaw_deg=yaw, height=0.5 if exercise in ("push-up", "plank") else 1.0)
    clip = make_clip(exercise, camera=cam, fault=fault, fps=15,
                     script=Script(reps=3, depth=depth), seed=11)
    result = analyze(clip.sequence, exercise)
    assert result.reps or result.holds, "the clip must still be analysed"
    return result.fault_counts()


@pytest.mark.parametrize(("exercise", "yaw", "fault", "depth", "expected"), [
    ("squat", 90, None, 0.3, "shallow_depth"),
    ("squat", 0, None, 0.3, "shallow_depth"),  # depth works from the front (world landmarks)
    ("squat", 0, "knees_caving", 1.0, "knees_caving"),
    ("squat", 90, "forward_lean", 1.0, "forward_lean"),
    ("push-up", 90, "hip_sag", 1.0, "hip_sag"),
    ("push-up", 45, "hip_pike", 1.0, "hip_pike"),
    ("push-up", 90, None, 0.3, "partial_range"),
    ("lunge", 90, "knee_past_toes", 1.0, "knee_past_toes"),
    ("lunge", 90, "forward_lean", 1.0, "forward_lean"),
    ("lunge", 45, None, 0.5, "shallow_depth"),
    ("jumping-jack", 0, "arms_not_overhead", 1.0, "arms_not_overhead"),
    ("biceps-curl", 90, "upper_arm_swing", 1.0, "upper_arm_swing"),
    ("biceps-curl", 0, "partial_range", 1.0, "partial_range"),
    ("overhead-press", 0, "incomplete_lockout", 1.0, "incomplete_lockout"),
    ("overhead-press", 90, "back_lean", 1.0, "back_lean"),
    ("plank", 90, "hip_sag", 1.0, "hip_sag"),
])
def test_fault_is_flagged(exercise: str, yaw: float, fault: str | None, depth: float,
                          expected: str) -> None:
    assert expected in _faults(exercise, yaw, fault, depth)


@pytest.mark.parametrize("exercise", ["squat", "push-up", "lunge", "jumping-jack",
                                      "biceps-curl", "overhead-press", "plank"])
@pytest.mark.parametrize("yaw", [0, 90])
def test_clean_technique_raises_nothing(exercise: str, yaw: float) -> None:
    assert _faults(exercise, yaw) == {}


@pytest.mark.parametrize(("exercise", "fault", "yaw"), [
    ("squat", "knees_caving", 90),  # valgus is invisible from the side
    ("squat", "forward_lean", 0),  # lean is foreshortened away from the front
    ("push-up", "hip_sag", 0),
])
def test_rules_stay_silent_where_the_fault_cannot_be_seen(exercise: str, fault: str,
                                                          yaw: float) -> None:
    assert fault not in _faults(exercise, yaw, fault)
