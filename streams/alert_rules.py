"""Evaluating the alert rules over one member's session: the timer half of the alerts.

:class:`streams.alerts.AlertTracker` latches episodes as samples arrive; here the worker's
1 s timer turns them (and time-based conditions such as a silent strap) into alerts. It
sits above both ``streams.metrics`` (the session) and ``streams.alerts`` (the tracker),
so neither has to know the other's module.
"""

from __future__ import annotations

from streams.alerts import AlertData, alert_id, cooled_down, message_for
from streams.insight_config import AlertRules, default_alert_rules
from streams.metrics import MemberSession
from streams.windows import WindowAccumulator


def evaluate(state: MemberSession, now: float, *, class_live: bool = True,
             work_intervals: list[tuple[float, float]] | None = None,
             class_started_at: float | None = None,
             rules: AlertRules | None = None) -> list[AlertData]:
    """Alerts due for one member at ``now`` (same clock as the samples' event time).

    Mutates ``state`` (cooldowns, latched episodes), so the worker saves it afterwards.
    ``work_intervals``: (start, end) of the class plan's work blocks; without a plan,
    everything after ``assume_warmup_s`` of class time counts as work.
    """
    rules = rules or default_alert_rules()
    tracker = state.alerts
    found: list[tuple[str, float, float, float]] = []
    for episode in tracker.pending:
        found.append((episode["rule"], episode["start"], episode["end"], episode["value"]))
    tracker.pending.clear()
    found.extend(_under_working(state, rules, work_intervals, class_started_at))
    if class_live and rules.dropout.enabled and state.watermark is not None:
        silent = now - state.watermark
        if (silent >= rules.dropout.silence_s and tracker.dropout_fired_for != state.watermark
                and cooled_down(tracker, "dropout", now, rules)):
            tracker.dropout_fired_for = state.watermark
            found.append(("dropout", state.watermark, now, round(silent, 1)))
    alerts: list[AlertData] = []
    for rule, start, end, value in found:
        config = getattr(rules, rule)
        if not config.enabled or not cooled_down(tracker, rule, end, rules):
            continue
        tracker.last_fired[rule] = end
        alerts.append(AlertData(
            alert_id=alert_id(state.class_session_id, state.member_id, rule, start),
            class_session_id=state.class_session_id, member_id=state.member_id, rule=rule,
            severity=config.severity, message=message_for(rule, value), event_time=end,
            evidence_start=start, evidence_end=end, value=value))
    return alerts


def tick(state: MemberSession, now: float, *, class_live: bool = True,
         work_intervals: list[tuple[float, float]] | None = None,
         class_started_at: float | None = None, rules: AlertRules | None = None
         ) -> tuple[list[WindowAccumulator], list[AlertData]]:
    """The worker's 1 s timer for one member: account what the grace period has released
    (a quiet strap's last samples too), then evaluate the rules. Save ``state`` after."""
    closed = state.advance(now)
    return closed, evaluate(state, now, class_live=class_live, work_intervals=work_intervals,
                            class_started_at=class_started_at, rules=rules)


def _under_working(state: MemberSession, rules: AlertRules,
                   work_intervals: list[tuple[float, float]] | None,
                   class_started_at: float | None
                   ) -> list[tuple[str, float, float, float]]:
    tracker, rule = state.alerts, rules.under_working
    low_since, last_t = tracker.low_since, state.released_t
    if not rule.enabled or low_since is None or last_t is None:
        return []
    if work_intervals is None:
        origin = class_started_at if class_started_at is not None else state.first_t
        if origin is None:
            return []
        work_intervals = [(origin + rule.assume_warmup_s, float("inf"))]
    for work_start, work_end in work_intervals:
        # the part of the current below-target run inside this work block (the run may
        # have outlived the block if the timer ran late, e.g. during a fast replay)
        start, end = max(low_since, work_start), min(last_t, work_end)
        due = tracker.low_next is None or end >= tracker.low_next
        if end - start >= rule.min_duration_s and due:
            tracker.low_next = end + rule.cooldown_s
            return [("under_working", start, end, end - start)]
    return []
