"""Which exercise is this? A transparent decision over a clip's landmark features.

Rules rather than a trained model: seven exercises separate cleanly on a few body
facts (is the trunk horizontal, do the wrists go overhead, do the hips drop, is the
stance split, do the elbows bend), each visible from any camera view, and every
decision can be explained to a trainer by the features it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vision import measures as ms
from vision.analyzer import clean_sequence
from vision.config import VisionConfig, load_config
from vision.landmarks import PoseSequence
from vision.view import View, detect_view

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Recognition:
    exercise: str | None  # None: nobody exercising that we can tell
    view: View
    features: dict[str, float] = field(default_factory=dict)
    reason: str = ""


def _spread(values: FloatArray) -> float:
    """P90 - P10: movement the member spends time in, not a few glitch frames."""
    v = values[np.isfinite(values)]
    return float(np.quantile(v, 0.9) - np.quantile(v, 0.1)) if v.size else 0.0


def _q(values: FloatArray, q: float) -> float:
    v = values[np.isfinite(values)]
    return float(np.quantile(v, q)) if v.size else float("nan")


def features(seq: PoseSequence, view: View, config: VisionConfig) -> dict[str, float]:
    """The clip-level facts the decision uses (angles in degrees, heights in torso lengths)."""
    det = seq.detected
    run = ms.Frames(seq.image[det], seq.world[det], seq.visibility[det], seq.aspect)
    scale = ms.ScaleTracker(window=max(1, int(det.sum()))).update(run)
    m = ms.compute(run, view, config.pose.min_visibility, np.full_like(scale, np.nanmax(scale)))
    hip = m["hip_height"]
    low = np.isfinite(hip) & (hip <= _q(hip, 0.2))
    return {
        "body_line_deg": _q(m["body_line"], 0.5),
        "wrist_height_top": _q(m["wrist_height"], 0.95),
        "shoulder_range_deg": _spread(m["shoulder_mean"]),
        "elbow_low_deg": _q(m["elbow_mean"], 0.05),
        "elbow_range_deg": max(_spread(m["elbow_l"]), _spread(m["elbow_r"])),
        "elbow_mean_range_deg": _spread(m["elbow_mean"]),
        "hip_drop": _spread(hip),
        "knee_range_deg": _spread(m["knee_mean"]),
        "stagger": _q(np.abs(m["left_ahead"])[low], 0.5) if low.any() else 0.0,
    }


def recognize(seq: PoseSequence, config: VisionConfig | None = None,
              view: View | None = None) -> Recognition:
    """Classify the exercise in a clip (ideally one set; the whole clip is one decision)."""
    config = config or load_config()
    r = config.recognition
    det = seq.detected
    if int(det.sum()) < r.min_frames:
        return Recognition(None, view or View.FRONT, {}, "too few frames with a person")
    if view is None:
        view = detect_view(seq.image[det], seq.world[det], seq.aspect,
                           config.view.front_max_deg, config.view.side_min_deg)
    f = features(clean_sequence(seq, config), view, config)

    def decided(name: str | None, reason: str) -> Recognition:
        return Recognition(name, view, {k: round(v, 3) for k, v in f.items()}, reason)

    if f["body_line_deg"] > r.floor_body_line_deg:
        if f["elbow_mean_range_deg"] >= config.rule("push-up", "min_range_deg"):
            return decided("push-up", "body near horizontal, elbows bending")
        return decided("plank", "body near horizontal, elbows still")
    if (f["wrist_height_top"] >= r.overhead_wrist_height
            and f["shoulder_range_deg"] >= config.rule("overhead-press", "min_range_deg")):
        if f["elbow_low_deg"] < r.press_elbow_min_deg:
            return decided("overhead-press", "wrists overhead, elbows bending deeply")
        return decided("jumping-jack", "wrists overhead, arms straight")
    if (f["hip_drop"] >= config.rule("squat", "min_hip_drop")
            and f["knee_range_deg"] >= config.rule("squat", "min_range_deg")):
        if f["stagger"] >= r.split_stance_min:
            return decided("lunge", "hips drop with a split stance")
        return decided("squat", "hips drop with both legs alike")
    if f["elbow_range_deg"] >= config.rule("biceps-curl", "min_range_deg"):
        return decided("biceps-curl", "upright, elbows bending below the shoulders")
    return decided(None, "no exercise movement large enough to recognise")
