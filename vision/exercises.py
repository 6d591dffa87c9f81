"""What each exercise counts on, how its range of motion is read, and its form rules.

Each rule looks at one counted rep (the measures between its start and end) and only
in the camera views where the quantity is visible: trunk lean needs a side or oblique
view, knee valgus a front view; vertical depth works in any view. Thresholds come from
``configs/vision.toml``; a rule returns the measured value too, so a trainer (and a
test) can see why a fault fired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vision.config import VisionConfig
from vision.measures import Measures
from vision.view import View

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Channel:
    """A counting signal: a measure name, where the start position is, and how far it
    must move (absolute units) before anything counts.

    ``seen``: for a per-limb signal gated at the tracking floor, the same quantity at the
    form floor. A rep whose ``seen`` signal is missing in most frames was counted on a
    partly hidden limb: it counts, but it is not judged for form and must not coincide
    with the other limb's rep (see ``ExerciseAnalyzer._is_echo``)."""

    measure: str
    start_high: bool
    min_range: float
    side: str | None = None  # per-limb channel (alternating curls)
    seen: str | None = None


@dataclass(slots=True)
class RepWindow:
    """The measures of one rep, with masks for the frames near its turnaround and near
    its start position (within 15 % of the rep's excursion)."""

    m: Measures
    turn: NDArray[np.bool_]
    start: NDArray[np.bool_]
    view: View
    side: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def at_turn(self, name: str) -> float:
        """Median over the turnaround frames: the position a coach would judge, and one
        garbled frame at the bottom cannot decide a fault."""
        return _robust(self.m[name][self.turn], "median")

    def at_start(self, name: str, how: str = "median") -> float:
        return _robust(self.m[name][self.start], how)

    def over_rep(self, name: str, how: str) -> float:
        return _robust(self.m[name], how)

    def limb(self, name: str) -> str:
        """``elbow`` -> ``elbow_l`` for the rep's side, ``elbow_mean`` when both."""
        if self.side is None:
            return f"{name}_mean"
        return f"{name}_{self.side[0]}"


def _robust(values: FloatArray, how: str) -> float:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan")
    if how == "median":
        return float(np.median(v))
    if how == "high":
        return float(np.quantile(v, 0.9))
    if how == "low":
        return float(np.quantile(v, 0.1))
    if how == "range":
        return float(np.quantile(v, 0.95) - np.quantile(v, 0.05))
    raise ValueError(how)


Rule = Callable[[RepWindow, VisionConfig], list[str]]
ChannelsFn = Callable[[VisionConfig], tuple[Channel, ...]]


def _check(w: RepWindow, name: str, value: float, fault: str, bad: bool) -> list[str]:
    """Record a metric; NaN (not visible from this view) never raises a fault."""
    if np.isfinite(value):
        w.metrics[name] = round(value, 3)
        if bad:
            return [fault]
    return []


def _squat(w: RepWindow, c: VisionConfig) -> list[str]:
    thigh = w.over_rep("thigh", "high")
    depth = w.at_turn("hip_above_knee") / thigh if thigh > 0 else float("nan")
    faults = _check(w, "depth_ratio", depth, "shallow_depth",
                    depth > c.rule("squat", "depth_ratio_max"))
    if w.view is View.FRONT:
        ratio = w.at_turn("knee_ankle_ratio")
        faults += _check(w, "knee_ankle_ratio", ratio, "knees_caving",
                         ratio < c.rule("squat", "knee_ankle_ratio_min"))
    if w.view is not View.FRONT:
        lean = w.at_turn("trunk_lean")
        faults += _check(w, "trunk_lean_deg", lean, "forward_lean",
                         lean > c.rule("squat", "trunk_lean_max_deg"))
    return faults


def _push_up(w: RepWindow, c: VisionConfig) -> list[str]:
    bottom = w.at_turn("elbow_mean")
    faults = _check(w, "elbow_min_deg", bottom, "partial_range",
                    bottom > c.rule("push-up", "elbow_min_max_deg"))
    if w.view is not View.FRONT:
        sag = np.fmax(w.m["hip_sag_l"], w.m["hip_sag_r"])
        high, low = _robust(sag, "high"), _robust(sag, "low")
        faults += _check(w, "hip_sag", high, "hip_sag", high > c.rule("push-up", "hip_sag_max"))
        faults += _check(w, "hip_pike", -low, "hip_pike",
                         -low > c.rule("push-up", "hip_pike_max"))
    return faults


def _lunge(w: RepWindow, c: VisionConfig) -> list[str]:
    # Swap-proof measures: the more bent knee is the front one at the bottom, and knee
    # travel compares the foremost knee with the foremost toes.
    knee = w.at_turn("knee_min")
    faults = _check(w, "front_knee_deg", knee, "shallow_depth",
                    knee > c.rule("lunge", "front_knee_min_max_deg"))
    if w.view is View.SIDE:
        travel = w.at_turn("knee_travel")
        faults += _check(w, "knee_over_toe", travel, "knee_past_toes",
                         travel > c.rule("lunge", "knee_over_toe_max"))
    if w.view is not View.FRONT:
        lean = w.at_turn("trunk_lean")
        faults += _check(w, "trunk_lean_deg", lean, "forward_lean",
                         lean > c.rule("lunge", "trunk_lean_max_deg"))
    return faults


def _jumping_jack(w: RepWindow, c: VisionConfig) -> list[str]:
    top = w.at_turn("shoulder_mean")
    return _check(w, "arms_top_deg", top, "arms_not_overhead",
                  top < c.rule("jumping-jack", "arms_top_min_deg"))


def _curl(w: RepWindow, c: VisionConfig) -> list[str]:
    top = w.at_turn(w.limb("elbow"))
    faults = _check(w, "elbow_top_deg", top, "partial_range",
                    top > c.rule("biceps-curl", "elbow_top_max_deg"))
    if w.view is not View.FRONT:
        swing = w.over_rep(w.limb("arm"), "range")
        faults += _check(w, "upper_arm_swing_deg", swing, "upper_arm_swing",
                         swing > c.rule("biceps-curl", "upper_arm_swing_max_deg"))
    return faults


def _press_channel(c: VisionConfig) -> tuple[Channel, ...]:
    # Wrist height over the shoulders (torso lengths): vertical, so the same from any view,
    # while a side view foreshortens the elbow of a press done in the frontal plane.
    return (Channel("wrist_height", False, c.rule("overhead-press", "min_wrist_rise")),)


def _press(w: RepWindow, c: VisionConfig) -> list[str]:
    faults: list[str] = []
    if w.view is not View.SIDE:  # a side view foreshortens arms pressed in the frontal plane
        lockout = w.at_turn("elbow_mean")
        faults += _check(w, "elbow_top_deg", lockout, "incomplete_lockout",
                         lockout < c.rule("overhead-press", "elbow_lockout_min_deg"))
    if w.view is not View.FRONT:
        lean = w.at_turn("trunk_lean")
        faults += _check(w, "trunk_lean_deg", lean, "back_lean",
                         lean > c.rule("overhead-press", "trunk_lean_max_deg"))
    return faults


def _upright(w: RepWindow, c: VisionConfig) -> bool:
    return not w.over_rep("body_line", "median") > c.recognition.floor_body_line_deg


def _horizontal(w: RepWindow, c: VisionConfig) -> bool:
    return not w.over_rep("body_line", "median") < c.recognition.floor_body_line_deg


@dataclass(frozen=True, slots=True)
class ExerciseSpec:
    """``rom``: the joint angle measure whose excursion is the rep's range of motion
    (``{limb}`` is filled per side). ``plausible``: a rep-level check that the member is
    doing this exercise at all (e.g. push-ups need a horizontal trunk); besides it, the
    rep's range of motion must reach ``min_range_deg`` x ``counter.min_rep_fraction``."""

    name: str
    channels: ChannelsFn
    rom: str
    rule: Rule
    plausible: Callable[[RepWindow, VisionConfig], bool]
    needs: frozenset[str]  # the measures its channels, rom, rules and checks read


def _angle(name: str, measure: str, start_high: bool) -> ChannelsFn:
    return lambda c: (Channel(measure, start_high, c.rule(name, "min_range_deg")),)


def _hip_drop(name: str) -> ChannelsFn:
    # Counted on hip height (torso lengths): it does not depend on the camera's yaw and
    # is the same whichever leg MediaPipe calls left.
    return lambda c: (Channel("hip_height", True, c.rule(name, "min_hip_drop")),)


def _arms(c: VisionConfig) -> tuple[Channel, ...]:
    # One channel per arm, so alternating curls count each arm's curl as a rep and
    # simultaneous ones merge (``reps.same_movement``); tracked elbows, so an arm half
    # hidden behind the torso in an oblique view still counts.
    rng = c.rule("biceps-curl", "min_range_deg")
    return (Channel("curl_l", True, rng, "left", "elbow_l"),
            Channel("curl_r", True, rng, "right", "elbow_r"))


def _needs(*names: str) -> frozenset[str]:
    return frozenset(("body_line", *names))


SPECS: dict[str, ExerciseSpec] = {
    "squat": ExerciseSpec("squat", _hip_drop("squat"), "knee_mean", _squat, _upright, _needs(
        "hip_height", "knee_mean", "hip_above_knee", "thigh", "knee_ankle_ratio", "trunk_lean")),
    "lunge": ExerciseSpec("lunge", _hip_drop("lunge"), "knee_min", _lunge, _upright, _needs(
        "hip_height", "knee_min", "knee_travel", "trunk_lean")),
    "push-up": ExerciseSpec("push-up", _angle("push-up", "elbow_mean", True), "elbow_mean",
                            _push_up, _horizontal, _needs("elbow_mean", "hip_sag_l")),
    "jumping-jack": ExerciseSpec("jumping-jack", _angle("jumping-jack", "shoulder_mean", False),
                                 "shoulder_mean", _jumping_jack, _upright,
                                 _needs("shoulder_mean")),
    "biceps-curl": ExerciseSpec("biceps-curl", _arms, "curl_{limb}", _curl, _upright,
                                _needs("curl_l", "elbow_l", "arm_l")),
    "overhead-press": ExerciseSpec("overhead-press", _press_channel, "elbow_mean", _press,
                                   _upright, _needs("wrist_height", "elbow_mean", "trunk_lean")),
}
PLANK_NEEDS = _needs("hip_sag_l")
