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
from dataclasses import dataclass, field
from typing import Any

# How many sequence numbers below a strap's highest one are remembered for dedupe, as a
# bitmask. At 4 Hz this is over 4 minutes, far beyond any grace period: anything older
# is outside every open window and is counted late, never merged, so it cannot double-count.
SEQ_SPAN = 1024
SEQ_MASK = (1 << SEQ_SPAN) - 1

# Outcomes of SeqTracker.observe
SEQ_NEW, SEQ_DUPLICATE, SEQ_TOO_OLD = 0, 1, 2


@dataclass(slots=True)
class SeqTracker:
    """Which sequence numbers each strap has delivered: dedupe and gap counting.

    Per strap: the highest seq and a bitmask of the ``SEQ_SPAN`` seqs below it (bit i set
    = seq ``hi - i`` seen). O(1) per sample and a few hundred bytes of JSON, where a list
    of seen seqs grew with the class.
    """

    hi: dict[str, int] = field(default_factory=dict)
    mask: dict[str, int] = field(default_factory=dict)
    missing: int = 0  # seqs skipped and not (yet) filled in

    def observe(self, strap_id: str, seq: int) -> int:
        hi = self.hi.get(strap_id)
        if hi is None:
            self.hi[strap_id], self.mask[strap_id] = seq, 1
            return SEQ_NEW
        if seq > hi:
            shift = seq - hi
            self.hi[strap_id] = seq
            if shift >= SEQ_SPAN:  # a jump this far is a restarted or corrupt counter,
                self.mask[strap_id] = 1  # not thousands of lost notifications
                return SEQ_NEW
            self.missing += shift - 1
            self.mask[strap_id] = ((self.mask[strap_id] << shift) | 1) & SEQ_MASK
            return SEQ_NEW
        back = hi - seq
        if back >= SEQ_SPAN:
            return SEQ_TOO_OLD
        bit = 1 << back
        mask = self.mask[strap_id]
        if mask & bit:
            return SEQ_DUPLICATE
        self.mask[strap_id] = mask | bit
        self.missing = max(0, self.missing - 1)  # a gap filled late
        return SEQ_NEW

    def restart(self, strap_id: str, seq: int) -> None:
        """The strap's counter restarted (edge agent restarted): start a new sequence."""
        self.hi[strap_id], self.mask[strap_id] = seq, 1

    def to_dict(self) -> dict[str, Any]:
        return {"hi": dict(self.hi), "mask": {k: format(v, "x") for k, v in self.mask.items()},
                "missing": self.missing}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeqTracker:
        return cls(hi={k: int(v) for k, v in data.get("hi", {}).items()},
                   mask={k: int(v, 16) for k, v in data.get("mask", {}).items()},
                   missing=int(data.get("missing", 0)))

    @classmethod
    def from_seen_lists(cls, seen: dict[str, list[int]], missing: int) -> SeqTracker:
        """Rebuild from the older state layout that stored every seen seq in a list."""
        tracker = cls(missing=missing)
        for strap, seqs in seen.items():
            for seq in sorted(seqs):
                tracker.observe(strap, seq)
        tracker.missing = missing
        return tracker


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
        if hr_bpm > self.hr_peak:
            self.hr_peak = hr_bpm
        if event_time >= self.last_time:
            self.last_time = event_time
            self.hr_last = hr_bpm

    @property
    def hr_avg(self) -> float:
        return self.hr_sum / self.samples if self.samples else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "samples": self.samples,
                "hr_sum": self.hr_sum, "hr_last": self.hr_last, "last_time": self.last_time,
                "hr_peak": self.hr_peak}


@dataclass(slots=True)
class MemberWindows:
    """All open windows and bookkeeping for one member."""

    size_s: float
    grace_s: float
    watermark: float = 0.0
    open: dict[str, WindowAccumulator] = field(default_factory=dict)
    last_closed_end: float = 0.0
    seqs: SeqTracker = field(default_factory=SeqTracker)
    late_samples: int = 0
    duplicate_samples: int = 0
    # Caches, not state (rebuilt by from_dict): the newest open window and the earliest
    # watermark at which any open window can close.
    _current: WindowAccumulator | None = field(default=None, repr=False, compare=False)
    _next_close: float = field(default=math.inf, repr=False, compare=False)

    @property
    def missing_samples(self) -> int:
        """Samples skipped in the straps' sequence numbers and never delivered."""
        return self.seqs.missing

    def window_start(self, event_time: float) -> float:
        return math.floor(event_time / self.size_s) * self.size_s

    def is_duplicate(self, strap_id: str, seq: int) -> bool:
        """Record ``seq`` for the strap; True when it was seen before. Counts gaps.

        A seq far below the strap's newest is either a very old redelivery (it would be
        late anyway) or a restarted counter; the caller tells them apart by event time.
        """
        outcome = self.seqs.observe(strap_id, seq)
        if outcome == SEQ_DUPLICATE:
            self.duplicate_samples += 1
            return True
        return False

    def add(self, strap_id: str, seq: int, event_time: float, hr_bpm: int
            ) -> list[WindowAccumulator]:
        """Add one sample; return the windows it closed (oldest first)."""
        outcome = self.seqs.observe(strap_id, seq)
        if outcome == SEQ_DUPLICATE:
            self.duplicate_samples += 1
            return []
        if outcome == SEQ_TOO_OLD:
            if event_time <= self.watermark:
                self.late_samples += 1
                return []
            self.seqs.restart(strap_id, seq)
        return self.accept(event_time, hr_bpm)

    def accept(self, event_time: float, hr_bpm: int) -> list[WindowAccumulator]:
        """Window a sample that already passed dedupe; return the windows it closed."""
        window = self._current
        if window is None or not window.start <= event_time < window.end:
            start = math.floor(event_time / self.size_s) * self.size_s
            end = start + self.size_s
            if end <= self.last_closed_end or end + self.grace_s <= self.watermark:
                self.late_samples += 1
                return []
            key = repr(start)
            window = self.open.get(key)
            if window is None:
                window = self.open[key] = WindowAccumulator(start=start, end=end)
                self._next_close = min(self._next_close, end + self.grace_s)
            if self._current is None or start > self._current.start:
                self._current = window
        # (an open window is never late: it would have been closed when the watermark
        # passed its end plus grace)
        window.samples += 1
        window.hr_sum += hr_bpm
        if hr_bpm > window.hr_peak:
            window.hr_peak = hr_bpm
        if event_time >= window.last_time:
            window.last_time, window.hr_last = event_time, hr_bpm
        if event_time > self.watermark:
            self.watermark = event_time
            if self._next_close <= event_time:
                return self.close_until(event_time)
        return []

    def close_until(self, watermark: float) -> list[WindowAccumulator]:
        """Close every open window whose end plus grace is at or before ``watermark``.

        The worker also calls this from a timer with a watermark derived from the wall
        clock, so a member whose strap went quiet still gets their last window closed.
        """
        if watermark < self._next_close:
            return []
        limit = watermark - self.grace_s
        ready: list[tuple[str, WindowAccumulator]] = []
        earliest_open_end = math.inf
        for key, window in self.open.items():
            if window.end <= limit:
                ready.append((key, window))
            elif window.end < earliest_open_end:
                earliest_open_end = window.end
        self._next_close = earliest_open_end + self.grace_s
        if len(ready) > 1:
            ready.sort(key=lambda item: item[1].start)
        for key, window in ready:
            del self.open[key]
            if window.end > self.last_closed_end:
                self.last_closed_end = window.end
            if window is self._current:
                self._current = None
        return [window for _, window in ready]

    def to_dict(self) -> dict[str, Any]:
        return {"size_s": self.size_s, "grace_s": self.grace_s, "watermark": self.watermark,
                "open": {k: w.to_dict() for k, w in self.open.items()},
                "last_closed_end": self.last_closed_end, "seqs": self.seqs.to_dict(),
                "late_samples": self.late_samples,
                "duplicate_samples": self.duplicate_samples}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemberWindows:
        if "seqs" in data:
            seqs = SeqTracker.from_dict(data["seqs"])
        else:  # the first layout kept every seen seq in a list
            seqs = SeqTracker.from_seen_lists(data.get("seen", {}),
                                              int(data.get("missing_samples", 0)))
        windows = cls(
            size_s=data["size_s"], grace_s=data["grace_s"],
            watermark=data.get("watermark", 0.0),
            open={k: WindowAccumulator(**v) for k, v in data.get("open", {}).items()},
            last_closed_end=data.get("last_closed_end", 0.0), seqs=seqs,
            late_samples=data.get("late_samples", 0),
            duplicate_samples=data.get("duplicate_samples", 0),
        )
        if windows.open:
            windows._current = max(windows.open.values(), key=lambda w: w.start)
            windows._next_close = min(w.end for w in windows.open.values()) + windows.grace_s
        return windows
