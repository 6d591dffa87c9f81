"""Rep counting on one joint signal: hysteresis on a range learnt from the signal itself.

A textbook counter fires when the knee angle passes below 90 and back above 160
degrees. Real clips break that: a front-view squat's 2D knee angle never reaches 90,
a split squat's knee never straightens past 160, and a phone on the floor sees other
numbers again. Here the thresholds are fractions of the signal's own recent range
(robust quantiles over a sliding window), so the same counter works on any view,
body or joint, and jitter smaller than the hysteresis band cannot make a rep.

The counter only counts while the signal actually moves by at least ``min_range``
(absolute units, e.g. 35 degrees): a presenter talking to the camera still gets a
confident pose, but no rep. A rep is counted when the movement returns to the start
position after its turnaround, so partial reps and a clip that ends mid-rep do not
count.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class CounterParams:
    """Thresholds of :class:`RepCounter` (validated copies live in configs/vision.toml)."""

    min_range: float  # signal must span this much (absolute units) to count at all
    window_s: float = 10.0  # range memory: covers two slow reps
    quantile: float = 0.03  # robust ends of the range, ignores short glitches
    enter: float = 0.35  # normalised position (1 = start, 0 = turnaround) entering the turn
    exit: float = 0.65  # ... and back out to the start: the hysteresis band is between
    min_rep_s: float = 0.3
    max_rep_s: float = 15.0
    max_gap_s: float = 2.0  # longer without a value: the member left, start afresh
    min_rep_fraction: float = 0.6  # a rep's own excursion, as a fraction of min_range


@dataclass(frozen=True, slots=True)
class RepSegment:
    """One counted repetition on one signal (times in seconds)."""

    start_s: float  # leaves the start position
    turn_s: float  # turnaround (bottom of a squat, top of a curl)
    end_s: float  # back at the start position
    start_value: float
    turn_value: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class RepCounter:
    """Online rep counter for one scalar signal.

    ``start_high``: the start position is the high end of the signal (knee angle of a
    standing squat) rather than the low end (shoulder abduction before a jumping jack).
    Internally the signal is flipped so the start is always high.
    """

    def __init__(self, params: CounterParams, start_high: bool) -> None:
        self.p = params
        self.sign = 1.0 if start_high else -1.0
        self._win = Window()
        self._phase: str | None = None  # None, "start" or "turn"
        self._last_t = -math.inf
        self._top_t = self._top_s = 0.0  # latest sample near the start position
        self._best_s = -math.inf  # highest value of the current start phase
        self._turn_t = self._turn_s = 0.0  # deepest sample of the current turn phase
        self._rep_start_t = self._rep_start_s = 0.0
        self._lo, self._span = 0.0, 0.0
        self.count = 0

    @property
    def phase(self) -> str | None:
        return self._phase

    @property
    def mid_rep_since(self) -> float | None:
        """When the rep in progress left the start position; None between reps."""
        return self._rep_start_t if self._phase == "turn" else None

    def position(self, value: float) -> float:
        """Where a raw value sits in the current range: 1 = start, 0 = turnaround."""
        if self._span <= 0:
            return math.nan
        return (self.sign * value - self._lo) / self._span

    def update(self, t: float, value: float) -> RepSegment | None:
        """Feed one sample; returns the rep it completes, if any. NaN samples are skipped."""
        if not math.isfinite(value):
            return None
        s = self.sign * value
        if t - self._last_t > self.p.max_gap_s:
            self._phase = None
            self._win.clear()
        self._last_t = t
        self._win.push(t, s, t - self.p.window_s)
        lo, hi = robust_range(self._win.values, self.p.quantile)
        span = hi - lo
        self._lo, self._span = lo, span
        if span < self.p.min_range:
            self._phase = None  # not moving enough to be exercising
            return None
        u = (s - lo) / span  # 1 = start position, 0 = turnaround
        if self._phase is None:
            if u >= self.p.exit:
                self._enter_start(t, s)
            elif u <= self.p.enter:
                # The window is wide, so a start-side position came earlier: we are
                # mid-rep. Begin the rep at the last start-side sample.
                tops = [(ts, v) for ts, v in zip(self._win.times.tolist(),
                                                 self._win.values.tolist(), strict=True)
                        if (v - lo) / span >= self.p.exit]
                self._rep_start_t, self._rep_start_s = tops[-1] if tops else (t, s)
                self._enter_turn(t, s)
            return None
        if self._phase == "start":
            if s >= self._best_s - 0.1 * span:  # still at (or back at) the top
                self._top_t, self._top_s = t, s
                self._best_s = max(self._best_s, s)
            if u <= self.p.enter:
                self._rep_start_t, self._rep_start_s = self._top_t, self._top_s
                self._enter_turn(t, s)
            return None
        # turn phase: track the deepest point, count on the way back out
        if s < self._turn_s:
            self._turn_t, self._turn_s = t, s
        if t - self._rep_start_t > self.p.max_rep_s:
            self._phase = None  # stayed down too long: a rest, not a rep
            return None
        if u < self.p.exit:
            return None
        rep = RepSegment(self._rep_start_t, self._turn_t, t, self.sign * self._rep_start_s,
                         self.sign * self._turn_s)
        excursion = self._rep_start_s - self._turn_s
        self._enter_start(t, s)
        too_small = excursion < self.p.min_rep_fraction * self.p.min_range
        if rep.duration_s < self.p.min_rep_s or too_small:
            return None
        self.count += 1
        return rep

    def _enter_start(self, t: float, s: float) -> None:
        self._phase = "start"
        self._top_t, self._top_s, self._best_s = t, s, s

    def _enter_turn(self, t: float, s: float) -> None:
        self._phase = "turn"
        self._turn_t, self._turn_s = t, s


class Window:
    """The last seconds of (time, value) samples in a numpy buffer: appended and trimmed
    every frame without building a new array from a Python container."""

    def __init__(self, capacity: int = 512) -> None:
        self._t = np.empty(capacity)
        self._v = np.empty(capacity)
        self._head = self._tail = 0

    def clear(self) -> None:
        self._head = self._tail = 0

    def push(self, t: float, v: float, oldest: float) -> None:
        if self._tail == self._t.size:  # full: move the live part to the front, grow if needed
            live = slice(self._head, self._tail)
            n = self._tail - self._head
            size = self._t.size * (2 if n > self._t.size // 2 else 1)
            t_new, v_new = np.empty(size), np.empty(size)
            t_new[:n], v_new[:n] = self._t[live], self._v[live]
            self._t, self._v, self._head, self._tail = t_new, v_new, 0, n
        self._t[self._tail], self._v[self._tail] = t, v
        self._tail += 1
        self._head += int(np.searchsorted(self._t[self._head:self._tail], oldest))

    @property
    def times(self) -> np.ndarray:
        return self._t[self._head:self._tail]

    @property
    def values(self) -> np.ndarray:
        return self._v[self._head:self._tail]


def robust_range(values: deque[float] | np.ndarray, quantile: float) -> tuple[float, float]:
    """Low and high order statistics at ``quantile`` from each end (no interpolation:
    np.partition is several times cheaper than np.quantile on every frame)."""
    arr = values if isinstance(values, np.ndarray) else np.fromiter(values, np.float64,
                                                                    count=len(values))
    k = int(quantile * (arr.size - 1))
    part = np.partition(arr, (k, arr.size - 1 - k))
    return float(part[k]), float(part[arr.size - 1 - k])


def brackets(rep: RepSegment, t: float) -> bool:
    """``t`` lies within ``rep``: that limb was away from its start position then."""
    return rep.start_s <= t <= rep.end_s


def same_movement(a: RepSegment, b: RepSegment) -> bool:
    """Two signals' reps are one rep (both arms of a simultaneous curl) when each
    turnaround lies inside the other rep, or the turnarounds nearly coincide (a partly
    hidden arm can stretch its segment); alternating arms turn half a rep apart."""
    mutual = a.start_s <= b.turn_s <= a.end_s and b.start_s <= a.turn_s <= b.end_s
    close = abs(a.turn_s - b.turn_s) <= 0.25 * min(a.duration_s, b.duration_s)
    return mutual or close


def count_offline(times: np.ndarray, values: np.ndarray, params: CounterParams,
                  start_high: bool) -> list[RepSegment]:
    """Run a fresh counter over a whole signal (tests, benchmarks, the CLI)."""
    counter = RepCounter(params, start_high)
    reps = []
    for t, v in zip(times.tolist(), values.tolist(), strict=True):
        rep = counter.update(t, v)
        if rep is not None:
            reps.append(rep)
    return reps
