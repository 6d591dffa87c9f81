"""Plank: no reps, so the analyzer reports holds: time spent in a straight-body floor
position, with the hip line judged over the whole hold."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vision.config import VisionConfig
from vision.view import View

# A posture break shorter than this (a glitch, a brief shift) does not end the hold.
_GRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class Hold:
    start_s: float
    end_s: float
    faults: tuple[str, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class HoldTracker:
    """Finds plank holds in a stream of per-frame measures."""

    def __init__(self, config: VisionConfig) -> None:
        self.line_min = config.rule("plank", "body_line_min_deg")
        self.line_max = config.rule("plank", "line_max")
        self.sag_max = config.rule("plank", "hip_sag_max")
        self.pike_max = config.rule("plank", "hip_pike_max")
        self.min_hold_s = config.rule("plank", "min_hold_s")
        self._start: float | None = None
        self._last_ok = -math.inf
        self._sags: list[float] = []
        self.holds: list[Hold] = []

    @property
    def holding(self) -> bool:
        """A hold is open (in a straight-body floor position now)."""
        return self._start is not None

    def update(self, t: float, row: dict[str, float], view: View) -> list[Hold]:
        sag = max(row["hip_sag_l"], row["hip_sag_r"]) if view is not View.FRONT else math.nan
        if math.isnan(sag) and view is not View.FRONT:
            sag = row["hip_sag_l"] if math.isnan(row["hip_sag_r"]) else row["hip_sag_r"]
        straight = math.isnan(sag) or abs(sag) <= self.line_max
        if row["body_line"] >= self.line_min and straight:
            if self._start is None:
                self._start = t
            self._last_ok = t
            if math.isfinite(sag):
                self._sags.append(sag)
            return []
        if self._start is not None and t - self._last_ok > _GRACE_S:
            return self._close()
        return []

    def close(self) -> list[Hold]:
        """End of stream: an open hold ends at its last good frame."""
        return self._close() if self._start is not None else []

    def _close(self) -> list[Hold]:
        start, end, sags = self._start, self._last_ok, self._sags
        self._start, self._sags = None, []
        if start is None or end - start < self.min_hold_s:
            return []
        faults: list[str] = []
        metrics: dict[str, float] = {}
        if sags:
            typical = float(np.median(sags))
            metrics["hip_sag"] = round(typical, 3)
            if typical > self.sag_max:
                faults.append("hip_sag")
            if -typical > self.pike_max:
                faults.append("hip_pike")
        hold = Hold(start, end, tuple(faults), metrics)
        self.holds.append(hold)
        return [hold]
