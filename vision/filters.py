"""Landmark clean-up before any angle is computed: left/right swap repair and smoothing.

Both work frame by frame so the edge box can run them live; offline analysis just
feeds a whole clip through the same objects.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import MIRROR, Landmark, PoseFrame

FloatArray = NDArray[np.float64]

# Left landmarks whose right twins MediaPipe confuses them with, by limb: it swaps a
# whole leg or arm at once, and judging a limb as one (rather than knee and ankle
# apart) keeps a repaired leg in one piece when a single joint's evidence is weak.
LIMB_GROUPS: dict[str, list[int]] = {
    name: [int(Landmark[f"LEFT_{p}"]) for p in parts]
    for name, parts in (("hips", ("HIP",)), ("legs", ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")),
                        ("arms", ("ELBOW", "WRIST", "PINKY", "INDEX", "THUMB")))
}


class OneEuroFilter:
    """The 1-euro filter (Casiez, Roussel & Vogel, CHI 2012) over an array of any shape.

    A low-pass filter whose cut-off rises with speed: still limbs are smoothed hard
    (jitter gone), fast limbs barely (little lag). ``min_cutoff`` in Hz, ``beta`` in
    1/(units per second), ``d_cutoff`` in Hz for the speed estimate. ``min_cutoff`` and
    ``beta`` may be arrays broadcast over the values' last axis (different units per
    column, one call per frame).
    """

    def __init__(self, min_cutoff: float | FloatArray, beta: float | FloatArray,
                 d_cutoff: float = 1.0, max_gap_s: float = 0.5) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.max_gap_s = max_gap_s
        self._t: float | None = None
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None

    @staticmethod
    def _alpha(cutoff: FloatArray | float, dt: float) -> FloatArray:
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
        return np.asarray(1.0 / (1.0 + tau / dt), dtype=np.float64)

    def reset(self) -> None:
        self._t = self._x = self._dx = None

    def __call__(self, t: float, x: FloatArray) -> FloatArray:
        """Filtered value of ``x`` at time ``t`` (seconds); NaNs pass through unfiltered."""
        if self._t is None or self._x is None or self._dx is None or t - self._t > self.max_gap_s:
            self._t, self._x, self._dx = t, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t - self._t
        if dt <= 0:
            return self._x.copy()
        fresh = np.isnan(self._x) & ~np.isnan(x)  # a landmark that reappears restarts
        prev = np.where(fresh, x, self._x)
        dx = (x - prev) / dt
        a_d = self._alpha(self.d_cutoff, dt)
        dx_hat = a_d * dx + (1 - a_d) * np.where(fresh, 0.0, self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        out = np.where(np.isnan(x), x, a * x + (1 - a) * prev)
        self._t = t
        self._x = np.where(np.isnan(out), self._x, out)
        self._dx = np.where(np.isnan(dx_hat), self._dx, dx_hat)
        return np.asarray(out, dtype=np.float64)


_LEFTS = np.array([i for lefts in LIMB_GROUPS.values() for i in lefts])
_RIGHTS = MIRROR[_LEFTS]
_STARTS = np.cumsum([0, *[len(v) for v in LIMB_GROUPS.values()]])[:-1]


def _dist(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1]), dtype=np.float64)


def swap_pairs(frame: PoseFrame, lefts: list[int]) -> PoseFrame:
    """The frame with each listed left landmark exchanged with its right twin."""
    idx = np.array(lefts + [int(MIRROR[i]) for i in lefts])
    src = MIRROR[idx]
    image, world, vis = frame.image.copy(), frame.world.copy(), frame.visibility.copy()
    image[idx], world[idx], vis[idx] = frame.image[src], frame.world[src], frame.visibility[src]
    return PoseFrame(image, world, vis, frame.aspect)


class SwapRepair:
    """Undo brief left/right swaps by keeping each limb continuous in time.

    For each limb group (hips, legs, arms) it compares the 2D distance to a reference
    pose with and without exchanging left and right; if exchanging is clearly closer
    (swapped cost below ``margin`` x kept cost), or the limbs' visibilities suddenly
    trade places while their positions do not object, the estimator swapped and the
    limbs are put back. The reference is an exponential average of repaired poses (time constant
    ``tau_s``), not the previous frame, so one garbled frame halfway through a swap cannot
    flip the reference. Real crossings (legs passing in a walk) are continuous, so both
    costs stay similar and nothing changes. The estimator is right most of the time, so
    a repair lasting longer than ``max_swap_s`` is taken to be our mistake, not its: the
    limb is re-anchored to the estimator's labels.
    """

    def __init__(self, margin: float = 0.5, max_swap_s: float = 0.5, tau_s: float = 0.1) -> None:
        self.margin = margin
        self.max_swap_s = max_swap_s
        self.tau_s = tau_s
        self._ref: FloatArray | None = None
        self._ref_vis: FloatArray | None = None
        self._ref_t = 0.0
        self._since: dict[str, float] = {}
        self.repairs = 0

    def __call__(self, t: float, frame: PoseFrame | None) -> PoseFrame | None:
        if frame is None:
            return None
        ref, ref_vis = self._ref, self._ref_vis
        if ref is not None and ref_vis is not None:
            swapped: list[int] = []
            pts, vis = frame.image[:, :2], frame.visibility
            p_l, p_r, r_l, r_r = pts[_LEFTS], pts[_RIGHTS], ref[_LEFTS], ref[_RIGHTS]
            keeps = np.add.reduceat(np.nan_to_num(_dist(p_l, r_l) + _dist(p_r, r_r)), _STARTS)
            swaps = np.add.reduceat(np.nan_to_num(_dist(p_r, r_l) + _dist(p_l, r_r)), _STARTS)
            # Visibility moves with a swap too: from the side the near limb is the visible
            # one, so a sudden exchange of visibility is evidence where positions are close
            # (fast limbs crossing near the body).
            v_l, v_r, rv_l, rv_r = vis[_LEFTS], vis[_RIGHTS], ref_vis[_LEFTS], ref_vis[_RIGHTS]
            vis_keep = np.add.reduceat(np.abs(v_l - rv_l) + np.abs(v_r - rv_r), _STARTS)
            vis_swap = np.add.reduceat(np.abs(v_r - rv_l) + np.abs(v_l - rv_r), _STARTS)
            for k, (name, lefts) in enumerate(LIMB_GROUPS.items()):
                rights = MIRROR[lefts]
                by_place = swaps[k] < self.margin * keeps[k]
                by_visibility = (vis_swap[k] < self.margin * vis_keep[k]
                                 and vis_keep[k] > 0.4 * len(lefts) and swaps[k] <= keeps[k])
                if not (by_place or by_visibility):
                    self._since.pop(name, None)
                    continue
                if t - self._since.setdefault(name, t) <= self.max_swap_s:
                    swapped.extend(lefts)
                else:  # too long: re-anchor this limb to the estimator's labels
                    both = [*lefts, *rights.tolist()]
                    ref[both] = pts[both]
                    del self._since[name]
            if swapped:
                frame = swap_pairs(frame, swapped)
                self.repairs += 1
        self._update_reference(t, frame.image[:, :2], frame.visibility)
        return frame

    def _update_reference(self, t: float, pts: FloatArray, vis: FloatArray) -> None:
        if self._ref is None or self._ref_vis is None or np.isnan(self._ref).any():
            self._ref, self._ref_vis = pts.copy(), vis.copy()
        else:
            a = 1.0 - math.exp(-max(t - self._ref_t, 0.0) / self.tau_s)
            self._ref = a * pts + (1.0 - a) * self._ref
            self._ref_vis = a * vis + (1.0 - a) * self._ref_vis
        self._ref_t = t


class RollingMedian:
    """Median of the last ``size`` finite values: removes single-frame spikes."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._buf: deque[float] = deque(maxlen=self.size)

    def __call__(self, value: float) -> float:
        if math.isfinite(value):
            self._buf.append(value)
        if not self._buf:
            return math.nan
        ordered = sorted(self._buf)  # a handful of values: cheaper than numpy per call
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])

    def reset(self) -> None:
        self._buf.clear()
