"""Class aggregates over member snapshots (what the tablet header shows)."""

from __future__ import annotations

import pytest

from streams.class_stats import class_stats, member_snapshot
from streams.metrics import MemberSession
from streams.physiology import MemberProfile


def snap(member: str, last_seen: float | None, pct: float | None, zone: int | None,
         covered: float, engaged: float, effort: float) -> dict:
    return {"member_id": member, "last_seen": last_seen, "pct_hr_max": pct, "zone": zone,
            "covered_s": covered, "engaged_s": engaged, "effort_points": effort}


def test_class_aggregates() -> None:
    stats = class_stats([
        snap("a", 995.0, 0.85, 4, 600.0, 500.0, 30.0),
        snap("b", 999.0, 0.65, 2, 600.0, 100.0, 15.0),
        snap("c", 900.0, 0.95, 5, 300.0, 300.0, 12.0),  # strap silent for 100 s
        snap("d", None, None, None, 0.0, 0.0, 0.0),     # never connected
    ], now=1000.0)
    assert (stats.members_total, stats.members_active) == (4, 2)
    assert stats.avg_pct_hr_max == pytest.approx(0.75)
    assert stats.members_in_zone == [0, 0, 1, 0, 1, 0]
    assert stats.total_effort_points == 57.0        # dropped-out work still counts
    assert stats.engagement == pytest.approx(900 / 1500)


def test_empty_class_has_no_averages() -> None:
    stats = class_stats([])
    assert stats.avg_pct_hr_max is None and stats.engagement is None


def test_member_snapshot_feeds_the_class_view() -> None:
    session = MemberSession.new("c", "m1", MemberProfile(hr_max=200, hr_rest=50))
    for i in range(30):
        session.add("s", i, 100.0 + i, 150)
    tile = member_snapshot(session)
    assert tile["hr"] == 150 and tile["zone"] == 3 and tile["pct_hr_max"] == 0.75
    assert tile["covered_s"] == pytest.approx(27.0)  # the last 2 s wait out the grace
    stats = class_stats([tile], now=130.0)
    assert stats.members_active == 1 and stats.engagement == 1.0
