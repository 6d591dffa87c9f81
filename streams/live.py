"""From closed windows to what the trainer's tablet shows: pure functions, no I/O."""

from __future__ import annotations

from typing import Any

from contract.records import RosterEntry, ZoneInsight
from streams.windows import WindowAccumulator
from streams.zones import ZoneModel, estimate_hr_max, intensity, zone_for


def zone_insight(class_session_id: str, member_id: str, window: WindowAccumulator,
                 profile: RosterEntry | None, model: ZoneModel = ZoneModel()) -> ZoneInsight:
    """The zone insight for one closed window, against the member's own HRmax."""
    hr_max = estimate_hr_max(profile.age if profile else None, profile.hr_max if profile else None)
    hr_rest = profile.hr_rest if profile else None
    fraction = intensity(window.hr_avg, hr_max, hr_rest, model.basis)
    pct_of_max = window.hr_avg / hr_max
    return ZoneInsight(
        class_session_id=class_session_id, member_id=member_id,
        window_start=window.start, window_end=window.end, samples=window.samples,
        hr_avg=round(window.hr_avg, 1), hr_last=window.hr_last, hr_max_used=hr_max,
        pct_hr_max=round(pct_of_max * 100, 1), zone=zone_for(fraction, model),
    )


def tile(insight: ZoneInsight, profile: RosterEntry | None) -> dict[str, Any]:
    """The live tile of one member: small, flat and JSON-able (Redis hash value)."""
    return {
        "member_id": insight.member_id,
        "name": profile.display_name if profile else insight.member_id,
        "hr": insight.hr_last,
        "hr_avg": insight.hr_avg,
        "pct_hr_max": round(insight.pct_hr_max),
        "zone": insight.zone,
        "window_end": insight.window_end,
    }


def bucket_insight(class_session_id: str, member_id: str, start: float, bucket_s: float,
                   fraction: float, windows: int, hr_avg: float, hr_last: int,
                   hr_max: int, zone: int) -> ZoneInsight:
    """A closed chart bucket of one member as a zone insight (the insights topic)."""
    return ZoneInsight(class_session_id=class_session_id, member_id=member_id,
                       window_start=start, window_end=start + bucket_s, samples=max(windows, 1),
                       hr_avg=hr_avg, hr_last=hr_last, hr_max_used=hr_max,
                       pct_hr_max=round(fraction * 100, 1), zone=zone)
