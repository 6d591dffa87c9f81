"""Post-class summaries: the class's trainer reads the class, a member only their part."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.live import MemberClassSummary, PostClassSummary


def store_summary(database_url: str) -> None:
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as db, db.begin():
        db.add(PostClassSummary(class_session_id="demo-class", created_at=now, updated_at=now,
                                payload={"class_session_id": "demo-class", "member_count": 2,
                                         "members": [{"member_id": "demo-member-01",
                                                      "display_name": "Ava"},
                                                     {"member_id": "demo-member-02",
                                                      "display_name": "Ben"}],
                                         "avg_pct_hr_max": 77.0,
                                         "series": {"bucket_s": 10, "t_s": [0, 10],
                                                    "avg_pct_hr_max": [70, 75], "members": {
                                                        "demo-member-01": [71, 74],
                                                        "demo-member-02": [69, 76]}},
                                         "alerts": [{"member_id": "demo-member-02",
                                                     "rule": "dropout"}]}))
        for member, points in (("demo-member-01", 41.5), ("demo-member-02", 30.0)):
            db.add(MemberClassSummary(class_session_id="demo-class", member_id=member,
                                      ended_at=1_700_000_000.0, created_at=now,
                                      payload={"member_id": member,
                                               "totals": {"effort_points": points}}))
    engine.dispose()


def test_no_summary_before_the_class_ends(api_world) -> None:
    response = api_world.client.get("/api/classes/demo-class/summary",
                                    headers=api_world.auth("trainer"))
    assert response.status_code == 404
    assert "when the class ends" in response.json()["detail"]


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("trainer", 200), ("member", 200), ("device", 403), (None, 401)])
def test_who_reads_the_class_summary(api_world, role, status) -> None:
    store_summary(api_world.database_url)
    headers = api_world.auth(role) if role else {}
    response = api_world.client.get("/api/classes/demo-class/summary", headers=headers)
    assert response.status_code == status, response.text
    if status == 200 and role != "member":
        assert response.json()["summary"]["member_count"] == 2


def test_a_member_sees_only_their_row_line_and_highlights(api_world) -> None:
    store_summary(api_world.database_url)
    response = api_world.client.get("/api/classes/demo-class/summary",
                                    headers=api_world.auth("member"))
    assert response.status_code == 200, response.text
    summary = response.json()["summary"]
    assert [m["member_id"] for m in summary["members"]] == ["demo-member-01"]
    assert list(summary["series"]["members"]) == ["demo-member-01"]
    text = response.text
    for other in ("demo-member-02", "Ben", "avg_pct_hr_max", "dropout"):
        assert other not in text, other


def test_an_unknown_class_is_404(api_world) -> None:
    response = api_world.client.get("/api/classes/nope/summary",
                                    headers=api_world.auth("admin"))
    assert response.status_code == 404


def test_a_member_reads_only_their_own_part(api_world) -> None:
    store_summary(api_world.database_url)
    response = api_world.client.get("/api/members/me/summaries",
                                    headers=api_world.auth("member"))
    assert response.status_code == 200, response.text
    parts = response.json()
    assert [p["summary"]["member_id"] for p in parts] == ["demo-member-01"]
    assert parts[0]["summary"]["totals"]["effort_points"] == 41.5


@pytest.mark.parametrize(("role", "status"), [("trainer", 403), ("admin", 403), (None, 401)])
def test_my_summaries_is_for_members(api_world, role, status) -> None:
    headers = api_world.auth(role) if role else {}
    assert api_world.client.get("/api/members/me/summaries",
                                headers=headers).status_code == status
