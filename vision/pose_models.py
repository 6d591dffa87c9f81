"""Which MediaPipe pose landmark model a box can run, and where the lite one comes from.

The mediapipe wheel (0.10.21) bundles only the full landmark model; for the lite one its
legacy Pose downloads ``pose_landmark_lite.tflite`` into its own package folder on first
use, which fails on an offline edge box. The same model ships inside the npm package
``@mediapipe/pose`` (Apache-2.0), so the install fetches it from the npm registry once
(``edge.pose_model``), checks its SHA-256, and puts it where MediaPipe looks: afterwards
the box runs it offline.
The lite model costs ~20 % less per frame on a CPU (more stations per box) and counts reps
as well on the dev clips, but flags more false form faults (BENCHMARKS.md, edge capacity);
``configs/vision.toml`` [pose] ``model`` picks one, full by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

PoseModel = Literal["lite", "full"]
COMPLEXITY: dict[str, int] = {"lite": 0, "full": 1}
FILES = {"lite": "pose_landmark_lite.tflite", "full": "pose_landmark_full.tflite"}

# The npm package and version the lite model is taken from, and the model's SHA-256.
NPM_PACKAGE, NPM_VERSION = "@mediapipe/pose", "0.5.1675469404"
NPM_TARBALL = f"https://registry.npmjs.org/{NPM_PACKAGE}/-/pose-{NPM_VERSION}.tgz"
LITE_SHA256 = "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"


class ModelMissing(RuntimeError):
    """The model is not installed; the message says how to get it."""


def model_path(model: PoseModel) -> Path:
    """Where MediaPipe's legacy Pose looks for the model (its package folder)."""
    import mediapipe

    return (Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / FILES[model])


def available(model: PoseModel) -> bool:
    return model_path(model).is_file()


def usable(model: PoseModel) -> PoseModel:
    """``model`` when installed, else the full one (bundled): a box whose install could not
    fetch the lite model still follows its stations, more slowly."""
    return model if available(model) else "full"


def complexity(model: PoseModel) -> int:
    """MediaPipe's ``model_complexity`` for ``model``; raises :class:`ModelMissing` when
    it is not installed (MediaPipe would try to download it, and fail offline)."""
    if not available(model):
        raise ModelMissing(
            f"the {model} pose model is not installed ({model_path(model)}); fetch it with "
            "`python -m edge.pose_model` (make venv does) or set [pose] model = \"full\" "
            "in configs/vision.toml")
    return COMPLEXITY[model]
