"""The whole camera path on real video: OpenCV frames -> MediaPipe Pose -> analyzers.

Runs the real model on the shared clips (skipped when ../shared/data is absent) at 10 fps,
the lowest rate configs/vision.toml promises counting for (it keeps the suite's time
down; the benchmark runs every frame), and reports count accuracy against the human
labels. It asserts only a loose floor: the figures are the measurement, and the
benchmark (bench/bench_vision.py) reports them at full frame rate too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.camera import OpenCVSource
from vision.analyzer import analyze
from vision.pose import MediaPipePose
from vision.recognize import recognize
from vision.video import ClipPoses, estimate_poses

EXERCISES = {"squat": "squat", "push-up": "push-up", "lunge": "lunge",
             "bicep curl": "biceps-curl", "jumping jack": "jumping-jack"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clips(shared_data: Path) -> list[tuple[dict[str, Any], ClipPoses]]:
    folder = shared_data / "exercise-clips"
    labels = json.loads((folder / "labels.json").read_text())["clips"]
    out = []
    for label in labels:
        with OpenCVSource(folder / label["file"], max_fps=10) as source, MediaPipePose() as pose:
            out.append((label, estimate_poses(source, pose)))
    return out


def test_count_accuracy_on_real_clips(clips: list, record_property: Any) -> None:
    rows, within, off_by_one, recognised = [], 0, 0, 0
    for label, poses in clips:
        exercise = EXERCISES[label["exercise"]]
        reps = len(analyze(poses.sequence, exercise).reps)
        guess = recognize(poses.sequence).exercise
        within += reps in label["reps_acceptable"]
        off_by_one += abs(reps - label["reps"]) <= 1
        recognised += guess == exercise
        rows.append(f"{label['file']}: {reps} reps (label {label['reps']}, "
                    f"acceptable {label['reps_acceptable']}), recognised {guess}")
    n = len(clips)
    summary = (f"within acceptable {within}/{n}, off-by-one {off_by_one}/{n}, "
               f"recognised {recognised}/{n}")
    print("\n" + "\n".join(rows) + "\n" + summary)
    record_property("vision_count_accuracy", summary)
    assert off_by_one / n >= 0.6 and recognised / n >= 0.6, summary


def test_pose_is_found_and_timestamps_move_forward(clips: list) -> None:
    for label, poses in clips:
        seq = poses.sequence
        assert seq.detected.mean() >= 0.8, label["file"]
        assert (seq.t[1:] > seq.t[:-1]).all()
        assert seq.t[-1] == pytest.approx(label["duration_s"], abs=0.5)
        assert seq.visibility[seq.detected].mean() > 0.5
