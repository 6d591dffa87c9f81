"""The member portal speaks plainly: a check-in explains its score and what to do, past
classes carry the class's name, a machine-readable time (shown in the phone's own zone)
and a chart, the feedback form waits for an answer, and the plan's shorthand (dup,
e1RM, acsm2009) is said in words."""

from __future__ import annotations

import re

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.live import MemberClassSummary
from db.models import ClassSession
from tests.api.test_member_pages import AVA, approved_plan, member_session


def check_in(api_world, csrf: str, **answers: str) -> str:
    form = {"csrf_token": csrf, "sleep": "3", "energy": "3", "stress": "3", "soreness": "3",
            "pain": "1", **answers}
    assert api_world.client.post("/member/checkin", data=form,
                                 follow_redirects=False).status_code == 303
    page = api_world.client.get("/member").text
    return page[page.index('data-testid="readiness"'):page.index('action="/member/checkin"')]


def test_a_check_in_says_what_the_score_means_and_what_pulled_it_down(api_world) -> None:
    csrf = member_session(api_world)
    block = check_in(api_world, csrf, sleep="2", energy="3", stress="4", soreness="3")
    # (1/4 + 2/4 + 1/4 + 2/4 + 4/4) / 5 = 50/100: between reduce_at 40 and train_at 60
    assert "<strong>50/100</strong>" in block
    assert "Go lighter today" in block
    assert "10 % less weight" in block and "33 % fewer sets" in block  # [live] in planner.toml
    assert "What pulled it down: sleep 2 of 5, stress 4 of 5." in block
    assert "60 or more: train as planned" in block
    assert "readiness" in block and 'class="tip"' in block  # the word itself is explained


def test_a_ready_member_is_told_to_train_as_planned(api_world) -> None:
    csrf = member_session(api_world)
    block = check_in(api_world, csrf, sleep="5", energy="5", stress="1", soreness="1")
    assert "<strong>100/100</strong>" in block and "Train as planned" in block
    assert "What pulled it down" not in block


def test_pain_of_four_stops_loading_and_says_so(api_world) -> None:
    csrf = member_session(api_world)
    block = check_in(api_world, csrf, sleep="5", energy="5", stress="1", soreness="1",
                     pain="4")
    assert "Make it a recovery day" in block and "What pulled it down: pain 4 of 5." in block
    assert "Pain reported: no loading of the painful area" in block


def test_the_feedback_form_has_no_answer_until_the_member_picks_one(api_world) -> None:
    approved_plan(api_world)
    member_session(api_world)
    page = api_world.client.get("/member?week=1").text
    select = re.search(r'<select name="rating" required>(.*?)</select>', page, re.S)
    assert select, "the rating must be required"
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0] == '<option value="" selected disabled>'
    assert all("selected" not in o for o in options[1:])


def test_the_plan_is_described_in_words_not_shorthand(api_world) -> None:
    plan = approved_plan(api_world)
    member_session(api_world)
    page = api_world.client.get("/member?week=1").text
    visible = re.sub(r'<span class="tip" role="tooltip">.*?</span>', "", page)
    model = plan["plan"]["progression_model"]
    assert f"· {model} ·" not in visible
    for shorthand in ("e1RM", "acsm2009", "nsca)", "RPE chart"):
        assert shorthand not in visible, shorthand
    if any("RPE" in i["reason"] for w in plan["plan"]["weeks"] for s in w["sessions"]
           for i in s["exercises"]):
        assert "effort 7 out of 10" in page or "out of 10" in page


def add_classes(database_url: str) -> None:
    engine = create_engine(database_url)
    with Session(engine) as db, db.begin():
        for n, ended in enumerate((1_767_000_000.0, 1_767_600_000.0, 1_768_200_000.0)):
            db.add(MemberClassSummary(
                class_session_id="demo-class" if n == 0 else f"past-{n}", member_id=AVA,
                ended_at=ended, payload={"member_id": AVA, "totals": {
                    "effort_points": 20.0 + 10 * n, "avg_hr": 140, "max_hr": 175,
                    "duration_s": 2700.0}}))
        live = db.get(ClassSession, "demo-class")
        for n in (1, 2):
            db.add(ClassSession(id=f"past-{n}", class_type_id=live.class_type_id,
                                room_id=live.room_id, trainer_id=live.trainer_id,
                                starts_at=live.starts_at, ends_at=live.ends_at, status="ended"))
    engine.dispose()


def test_past_classes_carry_their_name_a_real_time_and_a_chart(api_world) -> None:
    add_classes(api_world.database_url)
    member_session(api_world)
    page = api_world.client.get("/member").text
    section = page[page.index('id="my-classes"'):]
    assert section.count("<h3>HIIT 45 · ") == 3  # the demo class type's name
    # newest first, each with an ISO time the browser turns into the phone's own zone
    stamps = re.findall(r'<time datetime="([^"]+)" data-local>([^<]+)</time>', section)
    assert [iso for iso, _ in stamps] == ["2026-01-12T06:40:00+00:00",
                                          "2026-01-05T08:00:00+00:00",
                                          "2025-12-29T09:20:00+00:00"]
    assert stamps[0][1] == "Mon 12 Jan 06:40"  # the studio's zone (UTC) until script runs
    assert 'data-testid="history-chart"' in section
    data = re.search(r'<script type="application/json" id="history-data">(.*?)</script>',
                     section, re.S)
    assert data and '"effort_points": [20.0, 30.0, 40.0]' in data.group(1)
    assert "oldest first: 20.0, 30.0, 40.0" in section  # the chart's text alternative


def test_one_class_is_listed_without_a_chart(api_world) -> None:
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        db.add(MemberClassSummary(class_session_id="demo-class", member_id=AVA,
                                  ended_at=1_767_000_000.0, payload={"totals": {}}))
    engine.dispose()
    member_session(api_world)
    section = api_world.client.get("/member").text.split('id="my-classes"')[1]
    assert "HIIT 45" in section and "history-chart" not in section
