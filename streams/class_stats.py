"""What the whole room is doing: the class tiles' header and the trainer's at-a-glance line.

Members of one class live on different partitions (and workers), so class aggregates are
computed from per-member snapshots wherever they meet (the API, from the live board),
by a pure function over plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from streams.zones import intensity, zone_for

if TYPE_CHECKING:
    from streams.metrics import MemberSession

# A member whose newest sample is older than this is not "in" the class right now: the
# same 15 s the dropout alert uses (configs/alerts.toml).
DEFAULT_ACTIVE_WITHIN_S = 15.0


def member_snapshot(session: MemberSession) -> dict[str, Any]:
    """The live tile of one member (JSON-able), as of their newest sample.

    HR and zone come from the arrival-time smoothed HR (no grace delay, so the tile moves
    with the member); zone seconds, points and load are what has been accounted, which
    trails by the grace period.
    """
    phys, c, cfg = session.table.physiology, session.counters, session.config
    smoothed = session.live[2] if session.live else None
    zone = None
    if smoothed is not None:
        model = cfg.zones.model()
        zone = zone_for(intensity(smoothed, phys.hr_max, phys.hr_rest, model.basis), model)
    rmssd = session.hrv.rolling_rmssd(cfg.hrv.min_pairs)
    return {
        "member_id": session.member_id, "last_seen": session.watermark,
        "hr": int(session.live[1]) if session.live else None,
        "hr_smoothed": None if smoothed is None else round(smoothed, 1),
        "pct_hr_max": None if smoothed is None else round(smoothed / phys.hr_max, 4),
        "zone": zone, "hr_max_used": phys.hr_max,
        "zones_s": [round(s, 1) for s in session.zone_s],
        "covered_s": round(c["covered_s"], 1), "engaged_s": round(c["engaged_s"], 1),
        "effort_points": round(c["effort"], 2), "trimp": round(c["trimp"], 2),
        "kcal": round(c["kcal"], 1) if session.table.kcal_per_s is not None else None,
        "rmssd_ms": None if rmssd is None else round(rmssd, 1),
        "late_samples": int(c["late"]), "missing_samples": session.seqs.missing,
    }


class ClassLiveStats(BaseModel):
    """Class-level aggregates over member snapshots."""

    members_total: int
    members_active: int
    avg_pct_hr_max: float | None = Field(description="mean smoothed %HRmax of active members")
    members_in_zone: list[int] = Field(description="active members in zone 0..5 now")
    total_effort_points: float
    engagement: float | None = Field(description="share of members' active time at >= 70 % "
                                     "HRmax (engaged_s / covered_s over the class so far)")


def class_stats(snapshots: Iterable[dict[str, Any]], now: float | None = None,
                active_within_s: float = DEFAULT_ACTIVE_WITHIN_S) -> ClassLiveStats:
    """Aggregate member snapshots (``member_snapshot`` dicts) into the class view.

    ``now`` on the event-time clock; without it every member with a sample is active.
    Totals (effort, engagement) include members who dropped out: their work counted.
    """
    items = list(snapshots)
    active = [s for s in items if s.get("last_seen") is not None
              and (now is None or now - s["last_seen"] <= active_within_s)]
    fractions = [s["pct_hr_max"] for s in active if s.get("pct_hr_max") is not None]
    in_zone = [0] * 6
    for snap in active:
        if snap.get("zone") is not None:
            in_zone[int(snap["zone"])] += 1
    covered = sum(s.get("covered_s", 0.0) for s in items)
    engaged = sum(s.get("engaged_s", 0.0) for s in items)
    return ClassLiveStats(
        members_total=len(items), members_active=len(active),
        avg_pct_hr_max=round(sum(fractions) / len(fractions), 4) if fractions else None,
        members_in_zone=in_zone,
        total_effort_points=round(sum(s.get("effort_points", 0.0) for s in items), 2),
        engagement=round(engaged / covered, 4) if covered > 0 else None,
    )
