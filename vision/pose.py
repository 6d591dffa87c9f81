"""Pose estimation behind a small protocol; MediaPipe's legacy Pose is the default backend.

Only this module imports MediaPipe, so analyzers and tests run on plain landmark arrays
and another backend (e.g. MediaPipe Tasks with a user-supplied multi-person ``.task``
model) can be added without touching them.

Two landmark models: ``full`` (``model_complexity=1``), which the mediapipe 0.10.21 wheel
bundles, and ``lite`` (0), cheaper per frame, which the install fetches
(``vision.pose_models``). The heavy one (2) is not offered: MediaPipe would download it on
first use, which fails on an offline edge box (DESIGN.md), and it costs several times the
full one per frame.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import structlog
from numpy.typing import NDArray

from vision.config import PoseConfig
from vision.errors import VisionError
from vision.landmarks import N_LANDMARKS, PoseFrame
from vision.pose_models import ModelMissing, PoseModel, complexity, model_path, usable

log = structlog.get_logger(__name__)


@runtime_checkable
class PoseEstimator(Protocol):
    """One person per image. Stateful: it may track between consecutive frames."""

    def estimate(self, image_bgr: NDArray[np.uint8]) -> PoseFrame | None:
        """Landmarks of the person in an OpenCV BGR image, or None if nobody is found."""
        ...

    def close(self) -> None: ...


class MediaPipePose:
    """``mp.solutions.pose.Pose`` wrapped to return :class:`PoseFrame` arrays."""

    def __init__(self, *, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, smooth_landmarks: bool = True,
                 static_image_mode: bool = False, model: PoseModel = "full") -> None:
        try:
            model_complexity = complexity(model)
        except ModelMissing as exc:
            raise VisionError(str(exc)) from exc
        import cv2  # noqa: F401  (fail early with a clear import error if OpenCV is missing)
        import mediapipe as mp

        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode, model_complexity=model_complexity,
            smooth_landmarks=smooth_landmarks, enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

    @classmethod
    def from_config(cls, pose: PoseConfig) -> MediaPipePose:
        """A tracker with the studio's [pose] settings (configs/vision.toml); a configured
        model that is not installed falls back to the bundled full one, with a warning."""
        model = usable(pose.model)
        if model != pose.model:
            log.warning("pose_model_missing_using_full", configured=pose.model,
                        path=str(model_path(pose.model)),
                        advice="fetch it: python -m edge.pose_model")
        return cls(min_detection_confidence=pose.min_detection_confidence,
                   min_tracking_confidence=pose.min_tracking_confidence,
                   smooth_landmarks=pose.smooth_landmarks, model=model)

    def estimate(self, image_bgr: NDArray[np.uint8]) -> PoseFrame | None:
        import cv2

        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.size == 0:
            raise VisionError(f"expected an HxWx3 BGR image, got shape {image_bgr.shape}")
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False  # lets MediaPipe skip a copy
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return None
        image = np.array([(p.x, p.y, p.z) for p in result.pose_landmarks.landmark])
        vis = np.array([p.visibility for p in result.pose_landmarks.landmark])
        if result.pose_world_landmarks is not None:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
        else:
            world = np.full((N_LANDMARKS, 3), np.nan)
        height, width = image_bgr.shape[:2]
        return PoseFrame(image=image, world=world, visibility=vis, aspect=width / height)

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
