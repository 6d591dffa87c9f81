"""The post-class summary page for each role: the class's trainer and an admin read the
whole class with every alert and who acknowledged it when; a member who attended reads
their own row, chart line and highlights only; a member who did not gets nothing."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token, create_user
from db.accounts import User
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.models import Member
from streams.class_summary import build_summary

AVA, BEN = "demo-member-01", "demo-member-02"
START = 1_700_000_000.0


def totals(member: str, effort: float, avg_hr: float) -> dict[str, object]:
    return {"member_id": member, "duration_s": 1800, "elapsed_s": 1800, "no_data_s": 0,
            "avg_hr": avg_hr, "max_hr": int(avg_hr + 30), "zones_s": [60, 300, 600, 600, 240],
            "below_zone1_s": 0, "effort_points": effort, "trimp": effort * 1.5, "kcal": 300,
            "engaged_s": 1200, "rmssd_ms": None, "rr_beats": 0, "rr_rejected": 0,
            "recovery_bpm_60s": 21.0, "recoveries": [], "hr_max_used": 190,
            "hr_rest_used": 60, "hr_max_source": "profile", "hr_rest_source": "profile",
            "learned_hr_rest": None, "samples": 1800, "late_samples": 0,
            "duplicate_samples": 0, "missing_samples": 0, "out_of_order_samples": 0,
            "no_contact_samples": 0}


def store_class(database_url: str) -> None:
    """A summary as the worker builds it, minute insights, and two alerts: Ben's
    acknowledged by the trainer, a class-level one not acknowledged."""
    reports = [{"members": [
        {"member_id": AVA, "display_name": "Ava", "totals": totals(AVA, 41.5, 151.0)},
        {"member_id": BEN, "display_name": "Ben", "totals": totals(BEN, 73.25, 163.0)}]}]
    series = {AVA: {START: (0.71, 5), START + 60: (0.74, 5)},
              BEN: {START: (0.69, 5), START + 60: (0.88, 5)}}
    alerts = [{"alert_id": "al-ben", "member_id": BEN, "rule": "sustained_high",
               "severity": "warning", "acknowledged": True, "event_time": START + 90},
              {"alert_id": "al-class", "member_id": None, "rule": "class_intensity",
               "severity": "warning", "acknowledged": False, "event_time": START + 120}]
    document, parts = build_summary("demo-class", reports, alerts=alerts, history={},
                                    series=series, started_at=START, ended_at=START + 1800,
                                    bucket_s=60)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as db, db.begin():
        trainer = db.scalar(select(User).where(User.email == "trainer@demo.spotter"))
        assert trainer is not None
        db.add(PostClassSummary(class_session_id="demo-class", payload=document,
                                created_at=now, updated_at=now))
        for member, part in parts.items():
            db.add(MemberClassSummary(class_session_id="demo-class", member_id=member,
                                      payload=part, ended_at=START + 1800, created_at=now))
        db.add(AlertRow(id="al-ben", class_session_id="demo-class", member_id=BEN,
                        rule="sustained_high", severity="warning",
                        message="over a minute near maximum (peak 95% HRmax): check on them",
                        event_time=START + 90, acknowledged_at=datetime.fromtimestamp(
                            START + 100, UTC), acknowledged_by=trainer.id))
        db.add(AlertRow(id="al-class", class_session_id="demo-class", member_id=None,
                        rule="class_intensity", severity="warning",
                        message="the class has averaged 87% HRmax for 2 min",
                        event_time=START + 120))
        for member, pcts in ((AVA, (71.3, 74.9)), (BEN, (69.0, 88.8))):
            for i, pct in enumerate(pcts):
                db.add(RealTimeInsight(id=f"{member}-{i}", class_session_id="demo-class",
                                       member_id=member, at=START + 60 * i, kind="minute",
                                       data={"pct_hr_max_mean": pct, "effort_points": 1.0}))
    engine.dispose()


def chart_of(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>',
                      page, re.S)
    assert found, "no chart on the page"
    return dict(json.loads(found.group(1)))


def bearer_for(database_url: str, member_id: str, email: str) -> dict[str, str]:
    user = create_user(database_url, email, "pass-word-long-enough", "member",
                       display_name=email.split("@")[0], member_id=member_id)
    token = create_token(database_url, "test", kind="user", user_id=user)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_staff_read_the_whole_class_and_who_acknowledged_each_alert(api_world, role) -> None:
    store_class(api_world.database_url)
    page = api_world.client.get("/trainer/classes/demo-class/summary",
                                headers=api_world.auth(role))
    assert page.status_code == 200
    text = page.text
    assert "Ava" in text and "Ben" in text and "73.2" in text and "41.5" in text
    assert text.count('data-testid="summary-alert"') == 2
    ben_alert = text.split('data-rule="sustained_high"')[1].split("</p>")[0]
    assert "acknowledged by Sam Coach" in ben_alert
    acked_at = datetime.fromtimestamp(START + 100, UTC).isoformat()
    assert f'datetime="{acked_at}"' in ben_alert
    class_alert = text.split('data-rule="class_intensity"')[1].split("</p>")[0]
    assert "Whole class" in class_alert and "not acknowledged" in class_alert
    chart = chart_of(text)
    assert chart["y"] == [70.0, 81.0]  # the class average line, not a member's


@pytest.mark.parametrize(("member", "email", "own", "other", "own_line", "other_numbers"), [
    (AVA, None, "41.5", "Ben", [71.3, 74.9], ("73.2", "88.8", "163")),
    (BEN, "ben@test.spotter", "73.2", "Ava", [69.0, 88.8], ("41.5", "74.9", "151")),
])
def test_a_member_reads_only_their_own_part(api_world, member, email, own, other, own_line,
                                            other_numbers) -> None:
    store_class(api_world.database_url)
    headers = (api_world.auth("member") if email is None
               else bearer_for(api_world.database_url, member, email))
    page = api_world.client.get("/trainer/classes/demo-class/summary", headers=headers)
    assert page.status_code == 200
    text = page.text
    assert text.count('data-testid="member-row"') == 1 and own in text
    assert chart_of(text)["y"] == own_line
    assert other not in text and "Sam Coach" in text  # the trainer's name is the class's
    for number in other_numbers:
        assert number not in text, number
    for hidden in ("summary-alert", "alert-count", "class_intensity", "sustained_high",
                   "total-effort", AVA if member == BEN else BEN):
        assert hidden not in text, hidden


def test_a_member_who_was_not_in_the_class_gets_nothing(api_world) -> None:
    store_class(api_world.database_url)
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        db.add(Member(id="stranger", display_name="Stranger"))
    engine.dispose()
    headers = bearer_for(api_world.database_url, "stranger", "stranger@test.spotter")
    page = api_world.client.get("/trainer/classes/demo-class/summary", headers=headers)
    assert page.status_code == 404 and "Ava" not in page.text and "41.5" not in page.text


def test_the_device_is_refused_and_anonymous_asked_to_log_in(api_world) -> None:
    client = api_world.client
    assert client.get("/trainer/classes/demo-class/summary",
                      headers=api_world.auth("device")).status_code == 403
    anonymous = client.get("/trainer/classes/demo-class/summary", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_before_the_class_ends_each_role_is_told_it_is_not_built_yet(api_world) -> None:
    for role in ("trainer", "member"):
        page = api_world.client.get("/trainer/classes/demo-class/summary",
                                    headers=api_world.auth(role))
        assert page.status_code == 200 and 'data-testid="no-summary"' in page.text


def test_an_acknowledgement_after_the_summary_was_built_shows_on_it(api_world) -> None:
    store_class(api_world.database_url)
    trainer = api_world.auth("trainer")
    answer = api_world.client.post("/api/alerts/al-class/ack", headers=trainer)
    assert answer.status_code == 200, answer.text
    page = api_world.client.get("/trainer/classes/demo-class/summary", headers=trainer).text
    class_alert = page.split('data-rule="class_intensity"')[1].split("</p>")[0]
    assert "acknowledged by Sam Coach" in class_alert
    assert int(time.time()) > START  # acknowledged now, not at the alert's time
