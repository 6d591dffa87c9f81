"""Two landmark models: the full one from the mediapipe wheel, and the lite one the
install fetches from the npm registry (vision.pose_models, edge.pose_model). A missing
model is a clear error naming the fix, never a download attempt on the box."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision import pose_models
from vision.errors import VisionError
from vision.pose import MediaPipePose
from vision.pose_models import ModelMissing, complexity


def test_the_full_model_ships_with_mediapipe() -> None:
    assert complexity("full") == 1


def test_a_missing_model_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setattr(pose_models, "model_path", lambda model: tmp_path / "absent.tflite")
    with pytest.raises(ModelMissing, match="python -m edge.pose_model"):
        complexity("lite")
    with pytest.raises(VisionError, match='model = \\\\"full\\\\"|model = "full"'):
        MediaPipePose(model="lite")


@pytest.mark.skipif(not pose_models.available("lite"),
                    reason="the lite pose model was not fetched (make venv fetches it)")
def test_the_fetched_lite_model_is_the_pinned_one_and_finds_the_person(
        shared_data: Path) -> None:
    import hashlib

    import cv2

    digest = hashlib.sha256(pose_models.model_path("lite").read_bytes()).hexdigest()
    assert digest == pose_models.LITE_SHA256
    assert complexity("lite") == 0
    capture = cv2.VideoCapture(str(shared_data / "exercise-clips" /
                                   "s01_squat_front_band.mp4"))
    found = 0
    with MediaPipePose(model="lite") as pose:
        for _ in range(30):
            ok, frame = capture.read()
            assert ok
            found += pose.estimate(frame) is not None
    capture.release()
    assert found >= 25


def test_a_box_without_the_configured_model_falls_back_to_the_full_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The install could not fetch the lite model (no network): the box still follows its
    stations, with the bundled model, and says so in its log."""
    from vision.config import PoseConfig

    real = pose_models.model_path
    monkeypatch.setattr(pose_models, "model_path", lambda model: tmp_path / "absent.tflite"
                        if model == "lite" else real(model))
    assert pose_models.usable("lite") == "full"
    with MediaPipePose.from_config(PoseConfig(model="lite")) as pose:
        assert pose is not None
