"""Plain-data pose records: the 33 BlazePose landmarks of one frame and of a whole clip.

Everything downstream of pose estimation (filters, geometry, analyzers, recognition)
works on these numpy-backed records, so it can be tested with synthetic kinematics or
recorded landmarks and never needs MediaPipe or a video file.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

N_LANDMARKS = 33


class Landmark(enum.IntEnum):
    """BlazePose 33-point topology (MediaPipe Pose landmark model card, 2020)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


def _mirror_permutation() -> NDArray[np.intp]:
    """Index map that exchanges every left landmark with its right twin."""
    perm = np.arange(N_LANDMARKS)
    for lm in Landmark:
        if lm.name.startswith("LEFT_"):
            twin = Landmark[lm.name.replace("LEFT_", "RIGHT_", 1)]
            perm[lm], perm[twin] = twin, lm
    perm[Landmark.MOUTH_LEFT], perm[Landmark.MOUTH_RIGHT] = (
        Landmark.MOUTH_RIGHT,
        Landmark.MOUTH_LEFT,
    )
    return perm


MIRROR = _mirror_permutation()


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """One person's pose in one image.

    ``image``: (33, 3) x, y in [0, 1] of the image (or station crop) width/height, z in
    the same scale as x (MediaPipe convention). ``world``: (33, 3) metres, origin between
    the hips. ``visibility``: (33,) in [0, 1]. ``aspect`` = width / height of the image the
    landmarks are normalised to; geometry needs it so 2D angles are not distorted.
    """

    image: FloatArray
    world: FloatArray
    visibility: FloatArray
    aspect: float = 1.0


@dataclass(slots=True)
class PoseSequence:
    """A clip's poses as arrays over time; frames without a detected person hold NaN.

    Shapes: ``t`` (N,), ``image`` and ``world`` (N, 33, 3), ``visibility`` (N, 33).
    """

    t: FloatArray
    image: FloatArray
    world: FloatArray
    visibility: FloatArray
    aspect: float = 1.0

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def detected(self) -> NDArray[np.bool_]:
        """Frames where the estimator found a person."""
        return np.asarray(~np.isnan(self.image[:, 0, 0]), dtype=np.bool_)

    @property
    def fps(self) -> float:
        """Median frame rate; timestamps, not a nominal rate, are the truth."""
        if len(self) < 2:
            return 0.0
        dt = np.diff(self.t)
        dt = dt[dt > 0]
        return float(1.0 / np.median(dt)) if dt.size else 0.0

    def slice(self, start: int, stop: int) -> PoseSequence:
        return PoseSequence(self.t[start:stop], self.image[start:stop], self.world[start:stop],
                            self.visibility[start:stop], self.aspect)

    @classmethod
    def from_frames(cls, times: Sequence[float] | FloatArray, frames: Sequence[PoseFrame | None],
                    aspect: float | None = None) -> PoseSequence:
        """Stack per-frame results; ``None`` (no person) becomes a NaN row."""
        n = len(frames)
        image = np.full((n, N_LANDMARKS, 3), np.nan)
        world = np.full((n, N_LANDMARKS, 3), np.nan)
        vis = np.zeros((n, N_LANDMARKS))
        for i, frame in enumerate(frames):
            if frame is not None:
                image[i], world[i], vis[i] = frame.image, frame.world, frame.visibility
                aspect = aspect or frame.aspect
        return cls(np.asarray(times, dtype=np.float64), image, world, vis, aspect or 1.0)

    def save(self, path: Path) -> None:
        """Compact float16 archive of what analysis uses: the nose and the 22 body
        landmarks (eyes, ears and mouth are left out), image x/y (image z is unused),
        world x/y/z and visibility. About 60 bytes per frame after compression."""
        np.savez_compressed(path, t=self.t.astype(np.float32),
                            image=self.image[:, _KEPT, :2].astype(np.float16),
                            world=self.world[:, _KEPT].astype(np.float16),
                            visibility=self.visibility[:, _KEPT].astype(np.float16),
                            aspect=np.float32(self.aspect))

    @classmethod
    def load(cls, path: Path) -> PoseSequence:
        """Read :meth:`save` archives; left-out landmarks come back NaN, invisible."""
        with np.load(path) as data:
            n = data["t"].shape[0]
            image = np.full((n, N_LANDMARKS, 3), np.nan)
            world = np.full((n, N_LANDMARKS, 3), np.nan)
            vis = np.zeros((n, N_LANDMARKS))
            image[:, _KEPT, :2] = data["image"]
            image[:, _KEPT, 2] = np.where(np.isnan(data["image"][..., 0]), np.nan, 0.0)
            world[:, _KEPT] = data["world"]
            vis[:, _KEPT] = data["visibility"]
            return cls(data["t"].astype(np.float64), image, world, vis, float(data["aspect"]))


# Landmarks kept by PoseSequence.save: the nose (presence) and everything from the shoulders down.
_KEPT = [0, *range(int(Landmark.LEFT_SHOULDER), N_LANDMARKS)]
