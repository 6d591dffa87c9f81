"""Poses for a whole clip or stream segment: frame source -> estimator -> PoseSequence.

The adapter between ``ingest.camera`` and the pure analysis code; the CLI, tests and
benchmarks use it so they all measure the same path the edge box runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.camera import FrameSource, FrameStats
from vision.landmarks import PoseFrame, PoseSequence
from vision.pose import PoseEstimator
from vision.stations import Region


@dataclass(frozen=True, slots=True)
class ClipPoses:
    sequence: PoseSequence
    stats: FrameStats
    pose_seconds: float  # wall time spent decoding and estimating


def estimate_poses(source: FrameSource, estimator: PoseEstimator, region: Region | None = None,
                   on_frame: Callable[[float], None] | None = None) -> ClipPoses:
    """Run the estimator over every delivered frame (inside ``region`` if given)."""
    times: list[float] = []
    poses: list[PoseFrame | None] = []
    aspect: float | None = None
    started = time.perf_counter()
    for frame in source.frames():
        image = frame.image if region is None else np.ascontiguousarray(region.crop(frame.image))
        aspect = aspect or image.shape[1] / image.shape[0]
        times.append(frame.t)
        poses.append(estimator.estimate(image))
        if on_frame is not None:
            on_frame(frame.t)
    elapsed = time.perf_counter() - started
    return ClipPoses(PoseSequence.from_frames(times, poses, aspect), source.stats, elapsed)
