"""One Euro smoothing, left/right swap repair and the rolling median."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vision.filters import LIMB_GROUPS, OneEuroFilter, RollingMedian, SwapRepair, swap_pairs
from vision.landmarks import Landmark
from vision.skeleton import Camera
from vision.synth import Noise, Script, make_clip


def test_one_euro_passes_a_constant_unchanged() -> None:
    f = OneEuroFilter(1.0, 5.0)
    out = [f(i / 30, np.array([0.3, 0.7]))[0] for i in range(30)]
    assert out[-1] == pytest.approx(0.3)


def test_one_euro_removes_jitter_but_follows_fast_motion() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(0, 4, 1 / 30)
    still = 0.5 + rng.normal(0, 0.01, t.size)
    f = OneEuroFilter(1.5, 5.0)
    smooth = np.array([f(ti, np.array([v]))[0] for ti, v in zip(t, still, strict=True)])
    assert smooth[30:].std() < 0.5 * still[30:].std()
    # A fast ramp (one image height per second): the speed-dependent cut-off keeps lag small.
    g = OneEuroFilter(1.5, 5.0)
    ramp = np.array([g(ti, np.array([ti]))[0] for ti in t])
    assert np.max(np.abs(ramp[15:] - t[15:])) < 0.05


def test_one_euro_handles_missing_values_and_gaps() -> None:
    f = OneEuroFilter(1.0, 5.0, max_gap_s=0.5)
    f(0.0, np.array([0.0, 0.0]))
    out = f(1 / 30, np.array([np.nan, 1.0]))
    assert math.isnan(out[0]) and 0.0 < out[1] < 1.0
    assert f(2.0, np.array([5.0, 5.0])).tolist() == [5.0, 5.0]  # a long gap restarts it


def _clip(swaps: float) -> tuple:
    clip = make_clip("lunge", camera=Camera(yaw_deg=70), script=Script(reps=3),
                     noise=Noise(swap_per_s=swaps), seed=3)
    return clip, make_clip("lunge", camera=Camera(yaw_deg=70), script=Script(reps=3), seed=3)


def test_swap_repair_undoes_brief_swaps() -> None:
    swapped, _ = _clip(swaps=4.0)
    clean, _ = _clip(swaps=0.0)
    knee = Landmark.LEFT_KNEE
    repair = SwapRepair()
    wrong_before = wrong_after = 0
    for i, t in enumerate(swapped.sequence.t):
        frame = swapped.sequence.image[i]
        from vision.landmarks import PoseFrame

        fixed = repair(float(t), PoseFrame(frame, swapped.sequence.world[i],
                                           swapped.sequence.visibility[i]))
        truth = clean.sequence.image[i, knee, :2]
        wrong_before += np.linalg.norm(frame[knee, :2] - truth) > 0.03
        wrong_after += np.linalg.norm(fixed.image[knee, :2] - truth) > 0.03
    assert wrong_before >= 5, "the synthetic clip should contain swaps"
    assert wrong_after <= wrong_before // 4
    assert repair.repairs > 0


def test_swap_repair_leaves_a_clean_clip_alone() -> None:
    _, clean = _clip(swaps=0.0)
    repair = SwapRepair()
    from vision.landmarks import PoseFrame

    for i, t in enumerate(clean.sequence.t):
        repair(float(t), PoseFrame(clean.sequence.image[i], clean.sequence.world[i],
                                   clean.sequence.visibility[i]))
    assert repair.repairs == 0


def test_swap_repair_re_anchors_after_a_long_disagreement() -> None:
    from vision.landmarks import PoseFrame

    clip = make_clip("squat", camera=Camera(yaw_deg=0), script=Script(reps=1), seed=1).sequence
    repair = SwapRepair(max_swap_s=0.3)
    legs = LIMB_GROUPS["hips"] + LIMB_GROUPS["legs"]
    out = []
    for i, t in enumerate(clip.t):
        frame = PoseFrame(clip.image[i], clip.world[i], clip.visibility[i])
        if t > 1.0:  # the estimator changes its mind for good: believe it after 0.3 s
            frame = swap_pairs(frame, legs)
        out.append(repair(float(t), frame))
    last = out[-1]
    assert last is not None
    assert np.allclose(last.image[Landmark.LEFT_KNEE], clip.image[-1, Landmark.RIGHT_KNEE])


@pytest.mark.parametrize(("values", "expected"), [
    ([1.0, 1.0, 9.0, 1.0], 1.0),  # a single spike disappears
    ([1.0, float("nan"), 2.0], 1.5),  # NaN is skipped, not propagated
])
def test_rolling_median(values: list[float], expected: float) -> None:
    m = RollingMedian(3)
    out = [m(v) for v in values]
    assert out[-1] == pytest.approx(expected)
