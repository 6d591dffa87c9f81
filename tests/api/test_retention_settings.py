"""Retention settings (issue 20, item 4): bounds and reasons, the admin API and page,
``spotter db prune``'s JSON report and the daily job ``spotter up`` runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.admin.schemas import RetentionPolicy
from api.cli import app
from api.retention_job import DailyJob
from configs.retention import Retention
from configs.settings import get_settings
from db.live import RealTimeInsight
from db.migrate import upgrade
from tests.api.test_admin_database import login_admin


@pytest.mark.parametrize(("change", "needle"), [
    ({"raw_samples_days": 0}, "greater than or equal to 1"),
    ({"raw_samples_days": 31}, "less than or equal to 30"),
    ({"access_log_days": 30}, "greater than or equal to 365"),
    ({"sessions_days": "soon"}, "valid integer"),
    ({"raw_samples_days": 20, "insights_days": 10}, "longer than the insights"),
    ({"insights_days": 900}, "longer than class summaries"),
    ({"forever": 1}, "Extra inputs"),
])
def test_bad_retention_is_refused_with_the_reason(change, needle) -> None:
    with pytest.raises(ValidationError, match=needle):
        Retention.model_validate({**Retention.default().model_dump(), **change})


def test_defaults_are_sensible() -> None:
    shipped = RetentionPolicy.default()
    assert shipped.raw_samples_days <= 30 and shipped.access_log_days >= 365
    assert shipped.insights_days == 180  # the old SPOTTER_INSIGHTS_RETENTION_DAYS default
    assert Retention.default().with_insights_override(3).raw_samples_days == 3


def test_admin_api_reads_and_replaces_retention(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    url = "/api/admin/settings/retention"
    assert client.get(url, headers=admin).json() == Retention.default().model_dump()
    wanted = {**Retention.default().model_dump(), "notifications_days": 14}
    assert client.put(url, json=wanted, headers=admin).status_code == 200
    assert client.get(url, headers=admin).json()["notifications_days"] == 14
    assert client.get("/api/admin/settings", headers=admin).json()["retention"] == wanted
    bad = client.put(url, json={**wanted, "raw_samples_days": 365}, headers=admin)
    assert bad.status_code == 422
    assert any(e["loc"][-1] == "raw_samples_days" for e in bad.json()["detail"])
    crossed = client.put(url, json={**wanted, "insights_days": 3000}, headers=admin)
    assert crossed.status_code == 422 and "class summaries" in crossed.text
    assert client.put(url, json=wanted, headers=api_world.auth("trainer")).status_code == 403


def test_settings_page_shows_and_edits_retention(api_world) -> None:
    login_admin(api_world)
    client = api_world.client
    page = client.get("/admin/settings")
    assert page.status_code == 200 and 'id="retention"' in page.text
    assert 'name="access_log_days" value="730"' in page.text and 'min="365"' in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {**{k: str(v) for k, v in Retention.default().model_dump().items()},
            "csrf_token": token}
    refused = client.post("/admin/settings/retention", data={**form, "raw_samples_days": "40",
                                                              "checkins_days": "1"})
    assert refused.status_code == 422
    assert "raw_samples_days" in refused.text and "checkins_days" in refused.text
    saved = client.post("/admin/settings/retention", data={**form, "summaries_days": "400"},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert 'name="summaries_days" value="400"' in client.get("/admin/settings").text


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("SPOTTER_DATABASE_URL", url)
    monkeypatch.setenv("SPOTTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPOTTER_KAFKA_URL", raising=False)
    monkeypatch.delenv("SPOTTER_INSIGHTS_RETENTION_DAYS", raising=False)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _insight_days_old(url: str, *ages: int) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as db, db.begin():
        db.add_all(RealTimeInsight(id=f"i{age}", class_session_id="c", member_id="m", at=0.0,
                                   kind="minute", data={}, created_at=now - timedelta(days=age))
                   for age in ages)
    engine.dispose()


def test_prune_command_reports_per_kind_and_honours_the_env_override(
        cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _insight_days_old(cli_db, 1, 30, 200)
    result = CliRunner().invoke(app, ["db", "prune"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["removed"]["insights"]["real_time_class_insights"] == 1  # 180 days
    assert set(report["removed"]) == {"insights", "summaries", "notifications", "sessions",
                                      "checkins", "access_log"}
    assert report["retention_days"]["insights_days"] == 180
    assert "skipped" in report["topics"]
    monkeypatch.setenv("SPOTTER_INSIGHTS_RETENTION_DAYS", "10")
    get_settings.cache_clear()
    again = json.loads(CliRunner().invoke(app, ["db", "prune", "--no-topics"]).stdout)
    assert again["insights_override"] == 10 and again["removed_total"]["insights"] == 1
    assert "topics" not in again


def test_daily_prune_runs_one_at_a_time_and_keeps_its_rhythm(tmp_path: Path) -> None:
    started: list[list[str]] = []

    def popen(argv, log_path, env):  # a real short-lived child, like the stack's
        import subprocess

        started.append(argv)
        return subprocess.Popen(argv)

    argv = [sys.executable, "-c", "import time; time.sleep(0.5)"]
    job = DailyJob.for_stack(tmp_path, argv, tmp_path, popen, now=1000.0)
    job.tick(1000.0)
    assert started == []  # not during start-up
    job.tick(1061.0)
    job.tick(1062.0 + 86_400)  # due again, but the first one still runs
    assert len(started) == 1
    assert job.running is not None
    job.running.wait(5)
    job.tick(1063.0)
    assert job.running is None and len(started) == 1  # reaped; next one in a day
    # A restart an hour later does not prune again until the day is over.
    restarted = DailyJob.for_stack(tmp_path, argv, tmp_path, popen, now=1061.0 + 3600)
    assert restarted.next_at == pytest.approx(1061.0 + 86_400)
    restarted.tick(1061.0 + 86_401)
    assert len(started) == 2
    restarted.stop()
    assert restarted.running is None


def test_a_failed_daily_run_is_tried_again_within_the_hour(tmp_path: Path) -> None:
    import subprocess

    from api.retention_job import RETRY_AFTER_S

    started: list[float] = []
    code = {"exit": 1}

    def popen(argv, log_path, env):
        started.append(1)
        return subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code['exit']})"])

    job = DailyJob.for_stack(tmp_path, ["lookahead"], tmp_path, popen, now=0.0,
                             name="lookahead")
    job.tick(61.0)
    assert job.running is not None
    job.running.wait(5)
    job.tick(62.0)  # reaped: it failed
    assert job.next_at == pytest.approx(62.0 + RETRY_AFTER_S) and RETRY_AFTER_S <= 3600
    code["exit"] = 0
    job.tick(62.0 + RETRY_AFTER_S)
    assert len(started) == 2
    job.running.wait(5)
    job.tick(63.0 + RETRY_AFTER_S)  # this one succeeded: the next is a day after it
    assert job.next_at == pytest.approx(62.0 + RETRY_AFTER_S + 86_400)


def test_spotter_up_hands_the_insights_override_on_only_when_set(tmp_path: Path) -> None:
    from api.stack import Stack
    from configs.settings import Settings

    plain = Stack(Settings(data_dir=tmp_path)).settings_env()
    assert "SPOTTER_INSIGHTS_RETENTION_DAYS" not in plain and "SPOTTER_DATA_DIR" in plain
    held = Stack(Settings(data_dir=tmp_path, insights_retention_days=400))
    held.settings = held.settings.model_copy(update={"kafka_url": "kafka://127.0.0.1:1"})
    assert held.settings_env()["SPOTTER_INSIGHTS_RETENTION_DAYS"] == "400"


def test_each_daily_job_keeps_its_own_rhythm_file(tmp_path: Path) -> None:
    started: list[str] = []

    def popen(argv, log_path, env):
        import subprocess

        started.append(log_path.name)
        return subprocess.Popen([sys.executable, "-c", "pass"])

    prune = DailyJob.for_stack(tmp_path, ["prune"], tmp_path, popen, now=0.0)
    lookahead = DailyJob.for_stack(tmp_path, ["lookahead"], tmp_path, popen, now=0.0,
                                   name="lookahead")
    for job in (prune, lookahead):
        job.tick(61.0)
        assert job.running is not None
        job.running.wait(5)
    assert started == ["prune.log", "lookahead.log"]
    assert (tmp_path / "prune.json").exists() and (tmp_path / "lookahead.json").exists()
