"""A closed chart bucket as a zone insight record: pure, no I/O."""

from __future__ import annotations

from contract.records import ZoneInsight


def bucket_insight(class_session_id: str, member_id: str, start: float, bucket_s: float,
                   fraction: float, windows: int, hr_avg: float, hr_last: int,
                   hr_max: int, zone: int) -> ZoneInsight:
    """A closed chart bucket of one member as a zone insight (the insights topic)."""
    return ZoneInsight(class_session_id=class_session_id, member_id=member_id,
                       window_start=start, window_end=start + bucket_s, samples=max(windows, 1),
                       hr_avg=hr_avg, hr_last=hr_last, hr_max_used=hr_max,
                       pct_hr_max=round(fraction * 100, 1), zone=zone)
