"""Is a record's event time believable, given when it arrived?

The contract bounds event times to this century; only the worker knows the arrival
time. A sample stamped far ahead of it would move a member's watermark into the future,
after which every real sample counts as late and the tile freezes for the class. A sample
stamped long before it is a replay or a broken clock. Both are dead-lettered with the
reason instead of reaching state. Edge boxes keep NTP time, and an edge buffer forwards
an outage's samples late, so the window is wide behind and narrow ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract.records import RecordError


@dataclass(frozen=True, slots=True)
class ArrivalWindow:
    max_ahead_s: float
    max_behind_s: float

    def check(self, record: Any, now: float) -> None:
        """Raise :class:`RecordError` when ``record.event_time`` is outside the window."""
        at = getattr(record, "event_time", None)
        if at is None:
            return
        if at > now + self.max_ahead_s:
            raise RecordError(f"event_time {at:.3f} is {at - now:.0f} s ahead of its arrival "
                              f"(at most {self.max_ahead_s:.0f} s): a wrong clock",
                              "from_future")
        if at < now - self.max_behind_s:
            raise RecordError(f"event_time {at:.3f} is {now - at:.0f} s before its arrival "
                              f"(at most {self.max_behind_s:.0f} s): too old to count",
                              "too_old")
