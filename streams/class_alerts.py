"""The class-level intensity alert: the room as a whole has been working very hard.

Pure. Members of a class live on every partition, so no partition sees the class; the
live board (one tile per member, any partition) does. Every few seconds the owner of the
class's start/end partition reads the tiles, and :func:`check` keeps a small episode
tracker (stored with the class) and says when to alert: the average %HRmax of members
heard in the last ``fresh_s`` has been at or above the threshold for ``min_duration_s``,
with at least ``min_members`` heard; then not again for ``cooldown_s``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from streams.alerts import AlertData, alert_id
from streams.insight_config import ClassIntensityRule

RULE = "class_intensity"


def class_average(tiles: Iterable[dict[str, Any]], now: float, fresh_s: float
                  ) -> tuple[float | None, int]:
    """Mean %HRmax of members heard within ``fresh_s``, and how many there are."""
    values = [float(t["pct_hr_max"]) for t in tiles
              if t.get("pct_hr_max") is not None and t.get("last_seen") is not None
              and now - float(t["last_seen"]) <= fresh_s]
    return (sum(values) / len(values) if values else None), len(values)


def check(tracker: dict[str, Any], class_session_id: str, tiles: Iterable[dict[str, Any]],
          now: float, rule: ClassIntensityRule) -> AlertData | None:
    """Update ``tracker`` (JSON-able: ``since``, ``last_fired``) and return the alert due
    now, if any."""
    if not rule.enabled:
        return None
    average, heard = class_average(tiles, now, rule.fresh_s)
    if average is None or heard < rule.min_members or average < rule.min_pct_hrmax:
        tracker["since"] = None
        return None
    since = tracker.get("since")
    if since is None:
        tracker["since"] = since = now
    last = tracker.get("last_fired")
    if now - since < rule.min_duration_s or (last is not None and now - last < rule.cooldown_s):
        return None
    tracker["last_fired"] = now
    return AlertData(
        alert_id=alert_id(class_session_id, None, RULE, since),
        class_session_id=class_session_id, member_id=None, rule=RULE,
        severity=rule.severity, event_time=now, evidence_start=since, evidence_end=now,
        value=round(average, 1),
        message=(f"the class has averaged {average:.0f} % HRmax for "
                 f"{(now - since) / 60:.0f} min ({heard} members): time for a recovery "
                 "block"))
