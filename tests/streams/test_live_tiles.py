"""A closed window becomes a zone insight against the member's own HRmax."""

from __future__ import annotations

import pytest

from contract.records import RosterEntry
from streams.live import tile, zone_insight
from streams.windows import WindowAccumulator


def window(*hrs: int) -> WindowAccumulator:
    acc = WindowAccumulator(start=100.0, end=101.0)
    for i, hr in enumerate(hrs):
        acc.add(100.0 + i * 0.25, hr)
    return acc


@pytest.mark.parametrize(("hr_max", "age", "hrs", "zone", "pct"), [
    (200, None, (150, 150), 3, 75.0),   # 75 % of a measured HRmax
    (None, 40, (160, 160), 4, 88.9),    # Tanaka: 208 - 0.7*40 = 180
    (200, None, (90, 90), 0, 45.0),     # below zone 1
    (200, None, (181, 185), 5, 91.5),
])
def test_zone_against_the_members_hr_max(hr_max, age, hrs, zone, pct) -> None:
    profile = RosterEntry(class_session_id="c", member_id="m", display_name="Mo",
                          hr_max=hr_max, age=age)
    insight = zone_insight("c", "m", window(*hrs), profile)
    assert (insight.zone, insight.pct_hr_max) == (zone, pct)
    shown = tile(insight, profile)
    assert shown["name"] == "Mo" and shown["hr"] == hrs[-1]


def test_an_unknown_member_still_gets_a_tile() -> None:
    insight = zone_insight("c", "m", window(120), None)
    assert tile(insight, None)["name"] == "m"
