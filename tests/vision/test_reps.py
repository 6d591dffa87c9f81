"""The adaptive hysteresis counter on scalar signals: what counts and what must not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision.reps import CounterParams, RepCounter, RepSegment, count_offline, same_movement

P = CounterParams(min_range=30.0)


def reps_signal(n: int, *, period: float = 2.0, top: float = 170.0, bottom: float = 90.0,
                fps: float = 30.0, lead: float = 1.0, depths: list[float] | None = None,
                noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A knee-angle-like signal: ``n`` dips from ``top`` toward ``bottom``."""
    depths = depths if depths is not None else [1.0] * n
    t = np.arange(0.0, lead * 2 + period * len(depths), 1 / fps)
    v = np.full(t.size, top)
    for i, d in enumerate(depths):
        inside = (t >= lead + i * period) & (t < lead + (i + 1) * period)
        phase = (t[inside] - lead - i * period) / period
        v[inside] = top - d * (top - bottom) * 0.5 * (1 - np.cos(2 * np.pi * phase))
    v += np.random.default_rng(seed).normal(0, noise, t.size)
    return t, v


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"n": 5}, 5),
    ({"n": 5, "noise": 3.0}, 5),  # jitter smaller than the hysteresis band
    ({"n": 3, "top": 155.0, "bottom": 110.0}, 3),  # a front-view squat: never near 90 deg
    ({"n": 3, "top": 175.0, "bottom": 60.0, "fps": 5.0, "period": 3.0}, 3),  # 5 fps clip
    ({"n": 0, "depths": [1.0, 0.3, 1.0, 0.5, 1.0]}, 3),  # partial reps do not count
    ({"n": 4, "top": 170.0, "bottom": 150.0}, 0),  # 20 deg of wobble is not exercise
])
def test_count_table(kwargs: dict, expected: int) -> None:
    t, v = reps_signal(**kwargs)
    assert len(count_offline(t, v, P, start_high=True)) == expected


def test_start_low_signals_count_the_same() -> None:
    t, v = reps_signal(4)
    assert len(count_offline(t, -v, P, start_high=False)) == 4


def test_a_clip_ending_mid_rep_does_not_count_it() -> None:
    t, v = reps_signal(3)
    cut = np.searchsorted(t, 1.0 + 2 * 2.0 + 1.2)  # stop during the third rep's ascent
    assert len(count_offline(t[:cut], v[:cut], P, start_high=True)) == 2


def test_a_clip_starting_at_the_turnaround_does_not_count_the_first_half() -> None:
    t, v = reps_signal(3)
    start = np.searchsorted(t, 2.0)  # first rep's bottom
    reps = count_offline(t[start:], v[start:], P, start_high=True)
    assert len(reps) == 2


def test_rep_timing_brackets_the_turnaround() -> None:
    t, v = reps_signal(3, period=2.0, lead=1.0)
    reps = count_offline(t, v, P, start_high=True)
    for i, rep in enumerate(reps):
        assert rep.start_s < rep.turn_s < rep.end_s
        assert rep.turn_s == pytest.approx(1.0 + i * 2.0 + 1.0, abs=0.15)
        assert rep.start_value > rep.turn_value


def test_nan_samples_are_skipped_and_long_gaps_restart() -> None:
    t, v = reps_signal(4)
    v = v.copy()
    v[::7] = np.nan
    assert len(count_offline(t, v, P, start_high=True)) == 4
    counter = RepCounter(P, start_high=True)
    for ti, vi in zip(t[:60], v[:60], strict=True):
        counter.update(float(ti), float(vi))
    counter.update(100.0, 170.0)  # the member left for over a minute
    assert counter.phase is None


def test_reps_longer_than_max_rep_s_are_rests_not_reps() -> None:
    t, v = reps_signal(1, period=40.0)
    assert count_offline(t, v, P, start_high=True) == []


@pytest.mark.parametrize(("a", "b", "same"), [
    (RepSegment(0, 1, 2, 170, 90), RepSegment(0.1, 1.1, 2.1, 170, 90), True),  # both arms
    (RepSegment(0, 1, 2, 170, 90), RepSegment(1.5, 2.5, 3.5, 170, 90), False),  # alternating
])
def test_same_movement(a: RepSegment, b: RepSegment, same: bool) -> None:
    assert same_movement(a, b) is same


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8), st.floats(0.5, 3.0),
       st.floats(-50, 50), st.integers(0, 1000))
def test_counts_only_full_reps_whatever_the_scale_and_offset(depths: list[float], scale: float,
                                                             offset: float, seed: int) -> None:
    t, v = reps_signal(0, depths=depths, noise=0.5, seed=seed)
    params = CounterParams(min_range=30.0 * scale)
    got = len(count_offline(t, v * scale + offset, params, start_high=True))
    deep = sum(d >= 0.8 for d in depths)  # full reps: all but at most one edge case count
    # A shallower rep can only count if its own excursion passes the per-rep gate
    # (min_rep_fraction x min_range): a shallow rep next to other shallow ones is judged
    # on their range, so 0.3 of full depth may be a rep when no full rep is near.
    possible = sum(d * 80.0 >= 0.95 * P.min_rep_fraction * 30.0 for d in depths)
    assert deep - 1 <= got <= possible
