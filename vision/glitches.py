"""Excursions too fast to be movement: a limb estimate that jumps away and jumps back.

MediaPipe fills in a limb it cannot see well from its prior of a body, and that estimate
now and then snaps to a resting pose (a hanging arm) for a few frames, then snaps back
to where the limb really is. A rolling median removes such a snap only while it is
shorter than half its window, and the snaps of a half-hidden arm last up to a third of
a second: long enough to look like the end of one curl and the start of another.

A snap has a signature no real movement has: it leaves faster than a joint can turn
and comes back close to where it left. So a sample that moves away from the last
trusted value faster than ``max_speed`` (units per second) opens an excursion; its
samples are held back. If within ``max_s`` the signal returns near the value it left
(within ``tolerance`` plus ``drift`` per second since, for the real movement that went
on meanwhile), the held samples were a snap and are dropped; otherwise the jump was
real (the estimate re-found a limb it had lost) and they are released, late, in order.
A live station thus reports a rep at most ``max_s`` later on such a limb.
"""

from __future__ import annotations

import math
from collections import deque

Sample = tuple[float, float]


class GlitchGate:
    """``window_s``: speed is measured against the oldest trusted sample this far back,
    and over at least this long. The landmark smoothing upstream spreads a snap over a
    few frames, so frame-to-frame speed would understate it at high frame rates, while
    single-frame jitter divided by a 60 fps frame time would overstate real movement."""

    def __init__(self, max_speed: float, tolerance: float, drift: float, max_s: float,
                 window_s: float = 0.05) -> None:
        self.max_speed, self.tolerance, self.drift, self.max_s = max_speed, tolerance, drift, max_s
        self.window_s = window_s
        self._recent: deque[Sample] = deque()  # trusted samples of the last window_s
        self._anchor: Sample | None = None  # where the open excursion left from
        self._held: list[Sample] = []
        self.dropped = 0  # samples dropped as snaps

    def __call__(self, t: float, value: float) -> list[Sample]:
        """Feed one sample; returns the samples now decided. NaN (not seen) passes on,
        except during an excursion, where it is dropped (a counter skips it anyway)."""
        if not math.isfinite(value):
            return [] if self._held else [(t, value)]
        if self._held and self._anchor is not None:
            t0, v0 = self._anchor
            if abs(value - v0) <= self.tolerance + self.drift * (t - t0):
                self.dropped += len(self._held)  # back where it left: the excursion was a snap
                self._held.clear()
                return self._trust(t, value)
            self._held.append((t, value))
            return [] if t - self._held[0][0] < self.max_s else self._release()
        while len(self._recent) > 1 and self._recent[1][0] <= t - self.window_s:
            self._recent.popleft()
        if self._recent:
            t0, v0 = self._recent[0]
            if t - t0 <= self.max_s and abs(value - v0) > self.max_speed * max(t - t0,
                                                                              self.window_s):
                self._anchor = (t0, v0)
                self._held.append((t, value))
                return []
        return self._trust(t, value)

    def close(self) -> list[Sample]:
        """End of the stream: an excursion that never came back counts as real."""
        return self._release()

    def _trust(self, t: float, value: float) -> list[Sample]:
        self._recent.append((t, value))
        return [(t, value)]

    def _release(self) -> list[Sample]:
        out = list(self._held)
        self._held.clear()
        self._recent.clear()
        self._recent.extend(out[-1:])
        return out
