"""Adaptive frame rate per station: full rate while a member exercises, a trickle when not.

Pose estimation costs about 20 ms a frame whatever the crop size, so a box's capacity is
pose frames per second shared by its stations. A member between sets, or an empty
station, needs only enough frames to notice that work has started again; a member
mid-set needs enough to time the rep (10-15 Hz: fast jumping jacks turn about once a
second). The pacer decides, for each camera frame, whether the station takes it.

Pure: the caller reports what the analyzer saw (``observe``) and asks ``due`` per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    IDLE = "idle"
    WORKING = "working"


@dataclass(frozen=True, slots=True)
class PacingRule:
    """Frame rates and when to drop to the idle one (defaults: configs/cameras.toml)."""

    idle_fps: float = 5.0
    working_fps: float = 12.0
    # A station falls back to idle this long after the analyzer last saw movement that
    # could be a rep (a set in progress) or emitted a rep or hold.
    idle_after_s: float = 8.0

    def __post_init__(self) -> None:
        if not 0 < self.idle_fps <= self.working_fps:
            raise ValueError(f"pacing needs 0 < idle_fps <= working_fps, got "
                             f"{self.idle_fps} and {self.working_fps}")
        if self.idle_after_s < 0:
            raise ValueError("pacing idle_after_s must be >= 0")


class StationPacer:
    """Which frames one station takes, at a rate that follows the member's activity.

    Frames are taken on a schedule (one every ``1 / fps`` seconds of source time), not
    "at least 1/fps after the last one": a 30 fps camera paced to 12 fps then really
    gives 12, where a minimum gap would round every interval up to the next frame (10).
    A station that missed frames (its worker was busy) does not catch up in a burst.
    """

    def __init__(self, rule: PacingRule, start: Mode = Mode.IDLE) -> None:
        self.rule = rule
        self.mode = start
        self._next_t = -math.inf
        self._active_t = -math.inf  # source time of the last sign of exercise

    @property
    def fps(self) -> float:
        return self.rule.working_fps if self.mode is Mode.WORKING else self.rule.idle_fps

    def due(self, t: float) -> bool:
        """True if the frame at source time ``t`` should go to pose estimation."""
        return t >= self._next_t

    def taken(self, t: float) -> None:
        """The frame at ``t`` was sent to pose estimation: schedule the next one."""
        interval = 1.0 / self.fps
        due = self._next_t if math.isfinite(self._next_t) else t
        # Camera frames fall between the schedule's ticks: a frame a little late keeps the
        # schedule. A whole interval late (the station was busy) restarts it from this
        # frame, so the missed frames are not made up in a burst.
        self._next_t = due + interval if t - due < interval else t + interval

    def observe(self, t: float, moving: bool, events: int) -> Mode:
        """What the analyzer reported for the frame at ``t``: a set in progress
        (``moving``) and how many reps or holds it completed. Returns the new mode."""
        if moving or events:
            self._active_t = max(self._active_t, t)
        working = t - self._active_t <= self.rule.idle_after_s
        mode = Mode.WORKING if working else Mode.IDLE
        if mode is not self.mode:
            self.mode = mode
            if mode is Mode.WORKING:  # take the very next frame, not one an idle gap away
                self._next_t = min(self._next_t, t)
        return self.mode
