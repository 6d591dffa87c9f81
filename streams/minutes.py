"""Real-time insights as they happen: one record per member per minute of class.

Pure. Fed the member's closed 1 s windows (in event time) and the session's running
totals, it cuts the class into minutes and reports, for each: the seconds in each zone,
effort points and TRIMP earned, mean and peak %HRmax, and the reps and faulty reps the
cameras saw. Each minute's zone seconds and effort are the *difference* of the session's
running totals between the minute's edges, so the minutes of a class add up to exactly
the post-class totals (the summary can be recomputed from them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

MINUTE_S = 60.0


class Running(Protocol):
    """What a minute reads of the member's session (``streams.metrics.MemberSession``)."""

    zone_s: list[float]
    counters: dict[str, float]


@dataclass
class MinuteLog:
    start: float | None = None
    zone0: list[float] = field(default_factory=lambda: [0.0] * 6)
    effort0: float = 0.0
    trimp0: float = 0.0
    pct_sum: float = 0.0
    windows: int = 0
    pct_max: float = 0.0
    form: dict[str, list[int]] = field(default_factory=dict)  # minute start -> [reps, faulty]

    def take(self, windows: list[Any], hr_max: float, running: Running
             ) -> list[dict[str, Any]]:
        """Closed 1 s windows in event-time order; returns the minutes they closed."""
        rows = []
        for window in windows:
            start = math.floor(window.start / MINUTE_S) * MINUTE_S
            if self.start is not None and start != self.start:
                rows.append(self._row(running))
            if self.start is None or start != self.start:
                self.start = start
            pct = 100.0 * window.hr_avg / hr_max
            self.pct_sum += pct
            self.windows += 1
            self.pct_max = max(self.pct_max, pct)
        return rows

    def rep(self, event_time: float, faulty: bool) -> None:
        key = str(math.floor(event_time / MINUTE_S) * MINUTE_S)
        counts = self.form.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += int(faulty)

    def close(self, running: Running | None) -> list[dict[str, Any]]:
        """The class ended: the last, partial minute (and reps of minutes without heart
        rate) as records."""
        rows = [self._row(running)] if self.start is not None and running is not None else []
        for key, (reps, faulty) in sorted(self.form.items()):
            rows.append({"at": float(key), "kind": "minute", "data": {
                "zone_s": [0.0] * 6, "effort_points": 0.0, "trimp": 0.0, "seconds": 0,
                "pct_hr_max_mean": None, "pct_hr_max_max": None, "reps": reps,
                "faulty_reps": faulty}})
        self.form.clear()
        return rows

    def _row(self, running: Running | None) -> dict[str, Any]:
        zone_now = list(running.zone_s) if running is not None else list(self.zone0)
        effort = running.counters["effort"] if running is not None else self.effort0
        trimp = running.counters["trimp"] if running is not None else self.trimp0
        reps, faulty = self.form.pop(str(self.start), [0, 0])
        row = {"at": self.start, "kind": "minute", "data": {
            "zone_s": [now - before for now, before in zip(zone_now, self.zone0, strict=True)],
            "effort_points": effort - self.effort0, "trimp": trimp - self.trimp0,
            "seconds": self.windows,
            "pct_hr_max_mean": round(self.pct_sum / self.windows, 1) if self.windows else None,
            "pct_hr_max_max": round(self.pct_max, 1) if self.windows else None,
            "reps": reps, "faulty_reps": faulty}}
        self.zone0, self.effort0, self.trimp0 = zone_now, effort, trimp
        self.start, self.pct_sum, self.windows, self.pct_max = None, 0.0, 0, 0.0
        return row

    def to_list(self) -> list[Any]:
        return [self.start, self.zone0, self.effort0, self.trimp0, self.pct_sum, self.windows,
                self.pct_max, self.form]

    @classmethod
    def from_list(cls, raw: list[Any] | None) -> MinuteLog:
        if not raw:
            return cls()
        return cls(*raw)
