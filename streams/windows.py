"""Event-time tumbling windows per member, with grace, late counting and dedupe.

Faust's own windowed tables expire windows by wall-clock time, so replayed or buffered
samples (a strap that was out of range uploads late) would be dropped. We window on the
sample's own ``event_time`` instead: a window closes once the member's watermark (latest
event time seen) passes its end plus a grace period. Samples for already-closed windows
are counted as late, never silently merged. Strap sequence numbers dedupe redeliveries
(Kafka is at-least-once), so a replayed sample never counts twice.

The state is a plain JSON-able dict so the worker can keep it in a Faust table whose
changelog restores it on another worker.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

# How many recent sequence numbers per strap to remember for dedupe. At 4 Hz this is over
# two hours of samples; older redeliveries than that are below the window horizon anyway.
SEEN_SEQ_LIMIT = 32_768


@dataclass(slots=True)
class WindowAccumulator:
    start: float
    end: float
    samples: int = 0
    hr_sum: float = 0.0
    hr_last: int = 0
    last_time: float = 0.0
    hr_peak: int = 0

    def add(self, event_time: float, hr_bpm: int) -> None:
        self.samples += 1
        self.hr_sum += hr_bpm
        self.hr_peak = max(self.hr_peak, hr_bpm)
        if event_time >= self.last_time:
            self.last_time = event_time
            self.hr_last = hr_bpm

    @property
    def hr_avg(self) -> float:
        return self.hr_sum / self.samples if self.samples else 0.0


@dataclass(slots=True)
class MemberWindows:
    """All open windows and bookkeeping for one member."""

    size_s: float
    grace_s: float
    watermark: float = 0.0
    open: dict[str, WindowAccumulator] = field(default_factory=dict)
    last_closed_end: float = 0.0
    seen: dict[str, list[int]] = field(default_factory=dict)  # strap -> recent seqs
    max_seq: dict[str, int] = field(default_factory=dict)
    late_samples: int = 0
    duplicate_samples: int = 0
    missing_samples: int = 0

    def window_start(self, event_time: float) -> float:
        return math.floor(event_time / self.size_s) * self.size_s

    def is_duplicate(self, strap_id: str, seq: int) -> bool:
        """Record ``seq`` for the strap; True when it was seen before. Counts gaps."""
        seen = self.seen.setdefault(strap_id, [])
        if seq in seen:
            self.duplicate_samples += 1
            return True
        previous_max = self.max_seq.get(strap_id)
        if previous_max is not None and seq > previous_max + 1:
            self.missing_samples += seq - previous_max - 1
        elif previous_max is not None and seq < previous_max:
            # a gap being filled late: it was counted missing when the gap opened
            self.missing_samples = max(0, self.missing_samples - 1)
        self.max_seq[strap_id] = seq if previous_max is None else max(previous_max, seq)
        seen.append(seq)
        if len(seen) > SEEN_SEQ_LIMIT:
            del seen[: len(seen) - SEEN_SEQ_LIMIT]
        return False

    def add(self, strap_id: str, seq: int, event_time: float, hr_bpm: int
            ) -> list[WindowAccumulator]:
        """Add one sample; return the windows it closed (oldest first)."""
        if self.is_duplicate(strap_id, seq):
            return []
        start = self.window_start(event_time)
        if start + self.size_s <= self.last_closed_end or (
            start + self.size_s + self.grace_s <= self.watermark
        ):
            self.late_samples += 1
            return []
        key = repr(start)
        window = self.open.get(key)
        if window is None:
            window = self.open[key] = WindowAccumulator(start=start, end=start + self.size_s)
        window.add(event_time, hr_bpm)
        self.watermark = max(self.watermark, event_time)
        return self.close_until(self.watermark)

    def close_until(self, watermark: float) -> list[WindowAccumulator]:
        """Close every open window whose end plus grace is at or before ``watermark``.

        The worker also calls this from a timer with a watermark derived from the wall
        clock, so a member whose strap went quiet still gets their last window closed.
        """
        ready = sorted(
            (w for w in self.open.values() if w.end + self.grace_s <= watermark),
            key=lambda w: w.start,
        )
        for window in ready:
            del self.open[repr(window.start)]
            self.last_closed_end = max(self.last_closed_end, window.end)
        return ready

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemberWindows:
        data = dict(data)
        data["open"] = {k: WindowAccumulator(**v) for k, v in data.get("open", {}).items()}
        return cls(**data)
