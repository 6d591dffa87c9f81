"""Which detections are a person: poses count only once they form a steady track.

MediaPipe's detector also fires on things that are not a member: a blurred title card,
a poster, a shirt on a training dummy. Those detections come and go from frame to
frame, while a person in front of the camera, once found, is tracked frame after frame.
So a pose is passed on only when detections have followed one another for
``confirm_s`` seconds; a run that breaks off sooner is dropped as a false detection
(each of its frames becomes "no person"). A confirmed track passes straight through
until nobody has been seen for ``max_gap_s``, and the next detection must confirm again.

Every frame in gives exactly one frame out, in order; frames of a run not yet
confirmed come out late (when it is confirmed or dropped), which costs a live station
``confirm_s`` of latency only when a member first appears.
"""

from __future__ import annotations

import math

from vision.landmarks import PoseFrame

Timed = tuple[float, PoseFrame | None]


class TrackGate:
    def __init__(self, confirm_s: float, max_gap_s: float) -> None:
        self.confirm_s, self.max_gap_s = confirm_s, max_gap_s
        self._pending: list[tuple[float, PoseFrame]] = []
        self._confirmed = False
        self._last_seen = -math.inf
        self.dropped = 0  # detections dropped as not a person

    def __call__(self, t: float, frame: PoseFrame | None) -> list[Timed]:
        """Feed one frame (None = no detection); returns the frames now decided."""
        if self._confirmed and t - self._last_seen > self.max_gap_s:
            self._confirmed = False  # the member left: whoever comes next confirms again
        if frame is None:
            if self._confirmed:
                return [(t, None)]
            return [*self._drop(), (t, None)]
        self._last_seen = t
        if self._confirmed:
            return [(t, frame)]
        out = self._drop() if self._pending and t - self._pending[-1][0] > self.max_gap_s else []
        self._pending.append((t, frame))
        if t - self._pending[0][0] < self.confirm_s:
            return out
        self._confirmed = True
        out += self._pending
        self._pending.clear()
        return out

    def close(self) -> list[Timed]:
        """End of the stream: a run still unconfirmed was too short to be a person."""
        return self._drop()

    def _drop(self) -> list[Timed]:
        out: list[Timed] = [(ts, None) for ts, _ in self._pending]
        self.dropped += len(self._pending)
        self._pending.clear()
        return out
