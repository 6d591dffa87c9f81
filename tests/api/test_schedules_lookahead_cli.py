"""``spotter schedule lookahead``: leave recorded before it came into the lookahead's range
(no proposal then) is caught by the daily check, with the same validated cover."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from api.cli import app
from configs.settings import get_settings
from db.timetable import ScheduleProposal, TrainerLeave

from .test_schedules_api import add_trainer, db_session, generate, world  # noqa: F401
from .test_schedules_calendar import next_monday

pytestmark = pytest.mark.timeout(180)


def test_the_daily_check_opens_cover_for_leave_that_came_into_range(
        world, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    add_trainer(world)
    monday = next_monday()
    draft = generate(world, week_start=monday.isoformat())
    assert world.client.post(f"/api/schedules/{draft['id']}/publish",
                             headers=world.admin).status_code == 200
    with db_session(world) as db, db.begin():  # as if recorded weeks ago, never checked
        db.add(TrainerLeave(trainer_id="demo-trainer", starts_on=monday,
                            ends_on=monday + timedelta(days=1), reason="course"))
    assert world.client.get("/api/schedules/proposals", headers=world.admin).json() == []

    monkeypatch.setenv("SPOTTER_DATABASE_URL", world.database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["schedule", "lookahead"])
        again = CliRunner().invoke(app, ["schedule", "lookahead"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.stderr
    opened = json.loads(result.stdout)["opened"]
    assert opened and all(p["detail"]["violations"] == [] for p in opened)
    assert {p["kind"] for p in opened} <= {"substitute", "move", "cancel"}
    assert json.loads(again.stdout)["opened"] == []  # a second run opens nothing twice
    with db_session(world) as db:
        assert db.query(ScheduleProposal).count() == len(opened)
    shown = world.client.get("/api/schedules/proposals", headers=world.admin).json()
    assert {p["id"] for p in shown} == {p["id"] for p in opened}
