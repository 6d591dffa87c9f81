"""The stored post-class document: members' reports, alerts, history and chart in."""

from __future__ import annotations

import pytest

from streams.class_summary import build_summary, class_series, form_notes
from streams.metrics import MemberSession
from streams.physiology import MemberProfile
from streams.summary import PastClass


def totals(member_id: str, hr: int, seconds: int = 600) -> dict:
    session = MemberSession.new("c", member_id, MemberProfile(age=40, hr_max=190, hr_rest=60))
    for i in range(seconds):
        session.add("s", i, 1000.0 + i, hr)
    session.finalize()
    return session.totals().model_dump(mode="json")


def report(partition: int, *members: dict) -> dict:
    return {"partition": partition, "partitions": 2, "started_at": 990.0, "ended_at": 1700.0,
            "members": list(members)}


def member(member_id: str, hr: int, form: dict | None = None) -> dict:
    return {"member_id": member_id, "display_name": member_id.title(),
            "totals": totals(member_id, hr), "form": form}


def test_the_chart_averages_members_present_in_each_bucket() -> None:
    series = {"a": {1000.0: (0.6, 10), 1010.0: (0.8, 10)}, "b": {1010.0: (0.4, 10)}}
    chart = class_series(series, started_at=990.0, bucket_s=10.0)
    assert chart == {"bucket_s": 10.0, "origin": 990.0, "t_s": [10.0, 20.0],
                     "avg_pct_hr_max": [0.6, 0.6], "members": [1, 2]}
    assert class_series({}, None, 10.0)["t_s"] == []


@pytest.mark.parametrize(("form", "highlight", "improvement"), [
    (None, None, None),
    ({"reps": 12, "fault_counts": {}}, "form_clean", None),
    ({"reps": 5, "fault_counts": {}}, None, None),                  # too few reps to praise
    ({"reps": 10, "fault_counts": {"knees_caving": 2}}, None, None),  # 20 %: not a habit
    ({"reps": 10, "fault_counts": {"knees_caving": 4, "shallow": 1}}, None, "form_fault"),
])
def test_form_notes(form, highlight, improvement) -> None:
    highlights, improvements = form_notes(form)
    assert [n.kind for n in highlights] == ([highlight] if highlight else [])
    assert [n.kind for n in improvements] == ([improvement] if improvement else [])
    if improvement:
        assert "Knees caving in 4 of 10 reps" in improvements[0].message


def test_a_class_document_from_two_partitions() -> None:
    reports = [report(0, member("ann", 170, {"reps": 10, "fault_counts": {"shallow": 5}})),
               report(1, member("bo", 120))]
    alerts = [{"alert_id": "x1", "member_id": "ann", "rule": "sustained_high",
               "severity": "warning", "acknowledged": True, "event_time": 1200.0},
              {"alert_id": "x2", "member_id": "ann", "rule": "spike", "severity": "warning",
               "acknowledged": False, "event_time": 1100.0}]
    history = {"ann": [PastClass(effort_points=10.0)], "bo": []}
    series = {"ann": {1000.0: (0.9, 10)}, "bo": {1000.0: (0.6, 10)}}
    document, parts = build_summary("c", reports, alerts=alerts, history=history,
                                    series=series, started_at=990.0, ended_at=1700.0,
                                    bucket_s=10.0)
    assert document["member_count"] == 2 and sorted(parts) == ["ann", "bo"]
    assert document["alerts_raised"] == 2 and document["alerts_acknowledged"] == 1
    assert [a["alert_id"] for a in document["alerts"]] == ["x2", "x1"]  # by time
    assert document["series"]["avg_pct_hr_max"] == [0.75]
    assert document["total_effort_points"] == pytest.approx(
        parts["ann"]["totals"]["effort_points"] + parts["bo"]["totals"]["effort_points"])
    ann = parts["ann"]
    assert ann["alerts_by_rule"] == {"sustained_high": 1, "spike": 1}
    assert "best_effort_points" in {n["kind"] for n in ann["highlights"]}
    assert "form_fault" in {n["kind"] for n in ann["improvements"]}
    assert ann["form"]["reps"] == 10 and ann["class_session_id"] == "c"
    assert parts["bo"]["highlights"][0]["kind"] == "first_class"
    again, _ = build_summary("c", list(reversed(reports)), alerts=alerts, history=history,
                             series=series, started_at=990.0, ended_at=1700.0, bucket_s=10.0)
    assert again == document  # the same inputs in any order: the same document
