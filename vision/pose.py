"""Pose estimation behind a small protocol; MediaPipe's legacy Pose is the default backend.

Only this module imports MediaPipe, so analyzers and tests run on plain landmark arrays
and another backend (e.g. MediaPipe Tasks with a user-supplied multi-person ``.task``
model) can be added without touching them.

Why ``model_complexity=1`` only: mediapipe 0.10.21 bundles that model in the wheel; 0 and 2
try to download theirs on first use and fail on an offline edge box (DESIGN.md).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from vision.errors import VisionError
from vision.landmarks import N_LANDMARKS, PoseFrame


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
                 static_image_mode: bool = False, model_complexity: int = 1) -> None:
        if model_complexity != 1:
            raise VisionError(
                "model_complexity must be 1: mediapipe 0.10.21 bundles only that pose model; "
                "0 and 2 download theirs at first use, which fails offline")
        import cv2  # noqa: F401  (fail early with a clear import error if OpenCV is missing)
        import mediapipe as mp

        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode, model_complexity=model_complexity,
            smooth_landmarks=smooth_landmarks, enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

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
