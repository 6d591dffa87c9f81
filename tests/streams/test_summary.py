"""Post-class summaries: highlights against history, concrete improvements, class view."""

from __future__ import annotations

import pytest

from ingest.source import RecordedSample
from streams.metrics import summarize_recording
from streams.physiology import MemberProfile
from streams.summary import (
    AlertSeen,
    MemberTotals,
    PastClass,
    summarize_class,
    summarize_member,
    summary_payload,
)

ATHLETE = MemberProfile(age=35, sex="male", weight_kg=75.0, hr_max=200, hr_rest=50)


def totals(**changes) -> MemberTotals:
    """A 40-minute class: 10 min per zone 2-5 unless changed."""
    base = dict(member_id="m1", duration_s=2400.0, elapsed_s=2400.0, no_data_s=0.0,
                avg_hr=150.0, max_hr=190, zones_s=[0.0, 600.0, 600.0, 600.0, 600.0],
                below_zone1_s=0.0, effort_points=130.0, trimp=90.0, kcal=500.0,
                engaged_s=1800.0, rmssd_ms=None, rr_beats=0, rr_rejected=0,
                recovery_bpm_60s=30.0, recoveries=[], hr_max_used=200, hr_rest_used=50,
                hr_max_source="profile", hr_rest_source="profile", learned_hr_rest=None,
                samples=2400, late_samples=0, duplicate_samples=0, missing_samples=0,
                out_of_order_samples=0, no_contact_samples=0)
    return MemberTotals(**(base | changes))


def kinds(notes) -> list[str]:
    return [n.kind for n in notes]


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, []),
    ({"engaged_s": 600.0}, ["low_engagement"]),                     # 25 % at 70 %+
    ({"zones_s": [0.0, 0.0, 600.0, 600.0, 1200.0]}, ["unpaced_top_zone"]),  # 50 % in Z5
    ({"recovery_bpm_60s": 12.0}, ["slow_recovery"]),                # Cole 1999 cut-off
    ({"recovery_bpm_60s": 13.0}, []),
    ({"no_data_s": 600.0, "elapsed_s": 3000.0}, ["strap_signal"]),  # 20 % without data
    ({"max_hr": 205}, ["hr_max_too_low"]),
    ({"max_hr": 202}, []),                                          # within the 2 bpm margin
    ({"duration_s": 0.0, "avg_hr": None, "max_hr": None}, ["no_data"]),
])
def test_areas_for_improvement(changes: dict, expected: list[str]) -> None:
    summary = summarize_member(totals(**changes), history=[PastClass(effort_points=1000)])
    assert kinds(summary.improvements) == expected
    for note in summary.improvements:
        assert note.message.endswith(".") and len(note.message) > 30


def test_first_class_sets_a_baseline() -> None:
    assert kinds(summarize_member(totals()).highlights) == ["first_class"]


def test_personal_bests_against_history() -> None:
    history = [PastClass(effort_points=120, trimp=95, recovery_bpm_60s=25,
                         engaged_share=0.80, top_zones_s=1500),
               PastClass(effort_points=100, trimp=80)]
    notes = summarize_member(totals(), history=history).highlights
    assert kinds(notes) == ["best_effort_points", "best_recovery_bpm_60s"]
    assert "130" in notes[0].message and "previous best 120" in notes[0].message


def test_effort_versus_average_needs_enough_history() -> None:
    short = [PastClass(effort_points=200), PastClass(effort_points=200)]
    assert "effort_vs_average" not in kinds(summarize_member(totals(), history=short).highlights)
    longer = short + [PastClass(effort_points=200)]
    note = next(n for n in summarize_member(totals(), history=longer).highlights
                if n.kind == "effort_vs_average")
    assert note.value == pytest.approx(130 / 200 - 1) and "-35%" in note.message


def test_alerts_raised_and_acknowledged_are_counted() -> None:
    alerts = [AlertSeen(alert_id="a", rule="spike", acknowledged=True),
              AlertSeen(alert_id="b", rule="dropout"),
              AlertSeen(alert_id="c", rule="dropout", acknowledged=True)]
    summary = summarize_member(totals(), alerts=alerts)
    assert (summary.alerts_raised, summary.alerts_acknowledged) == (3, 2)
    assert summary.alerts_by_rule == {"spike": 1, "dropout": 2}


def test_class_summary_aggregates_time_weighted() -> None:
    a = summarize_member(totals(member_id="a", avg_hr=160.0, duration_s=1200.0,
                                engaged_s=1200.0, effort_points=80.0))
    b = summarize_member(totals(member_id="b", avg_hr=100.0, duration_s=2400.0,
                                engaged_s=0.0, effort_points=40.0, recovery_bpm_60s=8.0))
    view = summarize_class("class-1", [a, b], started_at=0.0, ended_at=2400.0)
    # (0.80 * 1200 + 0.50 * 2400) / 3600
    assert view.avg_pct_hr_max == pytest.approx(0.6, abs=1e-4)
    assert view.engagement == pytest.approx(1200 / 3600, abs=1e-4)
    assert view.total_effort_points == 120.0 and view.avg_effort_points == 60.0
    assert view.top_effort == ["a", "b"] and view.needs_attention == ["b"]
    assert summary_payload(view)["members"][0]["member_id"] == "a"


def test_empty_class() -> None:
    view = summarize_class("class-1", [])
    assert view.member_count == 0 and view.engagement is None


def test_summary_from_a_replayed_recording_is_consistent() -> None:
    samples = [RecordedSample(t=float(i), hr_bpm=120 + (i // 60) * 10) for i in range(420)]
    member = summarize_member(summarize_recording(samples, ATHLETE))
    assert member.totals.max_hr == 180
    # 420 s covered (419 intervals + 1 s for the last sample); 140 bpm and up from 120 s
    assert member.totals.duration_s == 420.0 and member.totals.engaged_s == 300.0
    assert member.engaged_share == pytest.approx(300 / 420, abs=1e-3)
    assert member.as_past_class().effort_points == member.totals.effort_points
