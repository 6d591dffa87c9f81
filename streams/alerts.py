"""Live alert rules: what a trainer should look at now, without flooding the tablet.

Two halves. :class:`AlertTracker` is fed every sample in event-time order by the member's
session (``streams.metrics.MemberSession``) and keeps O(1) run trackers; when a rule's
condition is met it *latches* an episode, so a fast replay cannot slip a 5 s spike
between two 1 s timer ticks. ``streams.alert_rules.evaluate``, called by the worker's 1 s
timer, turns latched episodes (and time-based conditions such as a silent strap) into
alerts, applying each rule's cooldown. Both halves keep their state in the session, so a
worker that takes over a partition restores cooldowns from the changelog and does not
repeat alerts.

Alert ids are a hash of (class, member, rule, episode start): the same episode gets the
same id on any worker, so the sink can upsert and acknowledgements stay attached.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from streams.insight_config import AlertRules

# Latched episodes wait for the timer; more than this many between two ticks means the
# timer is not running, and the oldest are the least useful to show.
MAX_PENDING = 16


@dataclass(frozen=True, slots=True)
class AlertData:
    """One alert as plain data; ``contract.records.Alert(**a.to_dict())`` makes the record."""

    alert_id: str
    class_session_id: str
    member_id: str | None  # None: about the whole class
    rule: str
    severity: str
    message: str
    event_time: float
    evidence_start: float
    evidence_end: float
    value: float | None = None  # the number behind it: %HRmax, bpm jump, seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def alert_id(class_session_id: str, member_id: str | None, rule: str,
             episode_start: float) -> str:
    """Stable id of one episode of one rule for one member."""
    key = f"{class_session_id}|{member_id}|{rule}|{episode_start:.3f}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


@dataclass(slots=True)
class AlertTracker:
    """Per-member run trackers, latched episodes and cooldown book (JSON-able)."""

    high_since: float | None = None
    high_peak: float = 0.0
    high_next: float | None = None  # when the running episode may latch (again)
    low_since: float | None = None
    low_next: float | None = None
    spike_ring: list[list[float]] = field(default_factory=list)  # [t, hr] with contact
    pending: list[dict[str, Any]] = field(default_factory=list)
    last_fired: dict[str, float] = field(default_factory=dict)
    dropout_fired_for: float | None = None

    def observe(self, t: float, hr: int, fraction_hrmax: float, zone: int,
                contact: bool | None, gap: bool, rules: AlertRules) -> None:
        """One sample, in event-time order. ``gap``: no data just before it.

        Runs once per sample on the hot path, so the common case (nothing happening)
        touches only a few fields.
        """
        high = rules.sustained_high
        if fraction_hrmax >= high.min_fraction_hrmax:
            if gap or self.high_since is None:
                self.high_since, self.high_next, self.high_peak = (
                    t, t + high.min_duration_s, 0.0)
            if fraction_hrmax > self.high_peak:
                self.high_peak = fraction_hrmax
            if t >= self.high_next:  # type: ignore[operator]
                # A long episode re-latches once per cooldown with the same start (and so
                # the same alert id): the tablet sees one alert whose evidence grows.
                self.high_next = t + high.cooldown_s
                self._latch("sustained_high", self.high_since, t, round(self.high_peak, 3))
        elif self.high_since is not None:
            self.high_since = self.high_next = None
        if zone < rules.under_working.below_zone:
            if gap or self.low_since is None:
                self.low_since, self.low_next = t, None
        elif self.low_since is not None:
            self.low_since = self.low_next = None
        spike = rules.spike
        if contact is False or (contact is None and spike.require_contact):
            return
        # Monotonic queue of [t, hr] within the last within_s: hr rises from front to
        # back, so the front is the window's minimum (amortised O(1) per sample).
        ring = self.spike_ring
        if gap:
            ring.clear()
        while ring and ring[-1][1] >= hr:
            ring.pop()
        while ring and t - ring[0][0] > spike.within_s:
            del ring[0]
        if ring and hr - ring[0][1] > spike.jump_bpm:
            self._latch("spike", ring[0][0], t, float(hr - ring[0][1]))
            ring.clear()
        ring.append([t, hr])

    def _latch(self, rule: str, start: float, end: float, value: float) -> None:
        self.pending.append({"rule": rule, "start": start, "end": end, "value": value})
        if len(self.pending) > MAX_PENDING:
            del self.pending[0]

    def to_dict(self) -> dict[str, Any]:
        return {"high_since": self.high_since, "high_peak": self.high_peak,
                "high_next": self.high_next, "low_since": self.low_since,
                "low_next": self.low_next, "spike_ring": [list(e) for e in self.spike_ring],
                "pending": [dict(e) for e in self.pending], "last_fired": dict(self.last_fired),
                "dropout_fired_for": self.dropout_fired_for}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlertTracker:
        tracker = cls(**data)
        tracker.spike_ring = [list(e) for e in tracker.spike_ring]
        tracker.pending = [dict(e) for e in tracker.pending]
        tracker.last_fired = dict(tracker.last_fired)
        return tracker


def message_for(rule: str, value: float) -> str:
    if rule == "sustained_high":
        return f"over a minute near maximum (peak {value:.0%} HRmax): check on them"
    if rule == "spike":
        return f"heart rate jumped {value:.0f} bpm within seconds: check strap and member"
    if rule == "dropout":
        return f"no heart-rate data for {value:.0f} s: strap off, out of range or flat"
    return f"below the target zone for {value / 60:.0f} min of work: encourage them"


def cooled_down(tracker: AlertTracker, rule: str, at: float, rules: AlertRules) -> bool:
    last = tracker.last_fired.get(rule)
    return last is None or at - last >= getattr(rules, rule).cooldown_s
