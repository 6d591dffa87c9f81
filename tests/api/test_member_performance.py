"""The member performance summary from stored records: API, pages, CLI, and the plans
generated and adapted from it (reasons that say so)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.live import MemberClassSummary
from tests.api.test_plans_api import AVA, PlanWorld, generate
from tests.api.test_plans_api import world as world  # noqa: F401  (the fixture)


def overreaching_classes(world: PlanWorld) -> None:
    """Four weekly classes ending 21, 14, 7 and 0 days ago: effort 100, 120, 140, 160,
    TRIMP 50 each, 60-s recovery 30, 27, 24, 21 bpm, and 10 squats with 4 faulty each."""
    now = datetime.now(UTC)
    engine = create_engine(world.api.database_url)
    with Session(engine) as db, db.begin():
        for k in range(4):
            ended = now - timedelta(days=21 - 7 * k, hours=1)
            db.add(MemberClassSummary(
                class_session_id=f"past-{k}", member_id=AVA, ended_at=ended.timestamp(),
                payload={"totals": {"effort_points": 100 + 20 * k, "trimp": 50,
                                    "recovery_bpm_60s": 30 - 3 * k},
                         "form": {"sets": [{"exercise": "squat", "reps": 10, "faulty": 4}]}}))
    engine.dispose()


def test_the_summary_states_trends_faults_and_what_planning_does(world) -> None:
    overreaching_classes(world)
    body = world.get("member", "/api/members/me/performance").json()
    assert body["weeks"] == 4
    assert [w["effort_points"] for w in body["load"]["weeks"]] == [100, 120, 140, 160]
    assert body["load"]["effort_points_slope"] == 20.0
    assert body["load"]["direction"] == "rising"
    assert body["recovery"]["slope_bpm_per_week"] == -3.0
    assert body["recovery"]["direction"] == "worsening"
    squat = next(e for e in body["exercises"] if e["exercise"] == "squat")
    assert (squat["reps"], squat["faulty_reps"], squat["fault_rate"]) == (40, 16, 0.4)
    assert [s["kind"] for s in body["signals"]] == ["deload_early", "regress"]
    trainer = world.get("trainer", f"/api/members/{AVA}/performance?weeks=2").json()
    assert trainer["weeks"] == 2 and len(trainer["load"]["weeks"]) == 2
    assert world.get("other_trainer", f"/api/members/{AVA}/performance").status_code == 403
    assert world.get("member", "/api/members/demo-member-02/performance").status_code == 403
    assert world.get("member", "/api/members/me/performance?weeks=0").status_code == 422


def test_a_new_plan_brings_the_deload_forward_and_says_why(world) -> None:
    overreaching_classes(world)
    plan = generate(world)
    deloads = [w["week"] for w in plan["plan"]["weeks"] if w["deload"]]
    assert deloads and deloads[0] == 4      # intermediate: week 5 without the summary
    (record,) = plan["adaptations"]
    assert record["source"] == "performance summary"
    notes = [a["reason"] for a in record["adjustments"]]
    assert any(n.startswith("deload brought forward to week 4 (was week 5)") and
               "+15.4 % a week" in n and "-3 bpm a week" in n for n in notes), notes
    assert any("16 of 40 squat reps on camera had a form fault" in n for n in notes), notes
    reasons = [i["reason"] for s in plan["plan"]["weeks"][3]["sessions"] for i in s["exercises"]]
    assert all("Deload brought forward" in r for r in reasons)
    page = world.get("trainer", f"/trainer/members/{AVA}/performance")
    assert page.status_code == 200 and "Bring the deload forward" in page.text


def test_adapting_acts_on_a_signal_once(world) -> None:
    plan = generate(world)
    assert plan["adaptations"] == []          # no classes yet: nothing to act on
    assert world.post("trainer", f"/api/plans/{plan['id']}/approve").status_code == 200
    overreaching_classes(world)
    first = world.post("member", f"/api/plans/{plan['id']}/adapt").json()
    assert any(n.startswith("deload brought forward to week 4") for n in first["performance"])
    again = world.post("member", f"/api/plans/{plan['id']}/adapt").json()
    assert not any(n.startswith("deload brought forward") for n in again["performance"])
    stored = world.get("member", f"/api/plans/{plan['id']}").json()
    assert [w["week"] for w in stored["plan"]["weeks"] if w["deload"]][0] == 4


def test_member_page_fragment(world) -> None:
    overreaching_classes(world)
    page = world.get("member", "/member/performance")
    assert page.status_code == 200
    assert "effort points +15.4 % a week" in page.text and "16 of 40 reps" in page.text


def spotter(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPOTTER_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_the_cli_prints_the_same_summary_as_json(world) -> None:
    overreaching_classes(world)
    done = spotter("member", "performance", AVA, "--json", database_url=world.api.database_url)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) >= {"member_id", "start", "end", "weeks", "load", "recovery",
                         "exercises", "adherence", "readiness", "feedback", "signals"}
    assert body == world.get("member", "/api/members/me/performance").json()
    words = spotter("member", "performance", AVA, database_url=world.api.database_url)
    assert words.returncode == 0 and "-> deload_early" in words.stdout
    missing = spotter("member", "performance", "nobody", "--json",
                      database_url=world.api.database_url)
    assert missing.returncode == 2 and "member 'nobody' does not exist" in missing.stderr
    bad = spotter("member", "performance", AVA, "--weeks", "0",
                  database_url=world.api.database_url)
    assert bad.returncode == 2
