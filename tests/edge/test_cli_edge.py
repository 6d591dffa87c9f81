"""``spotter edge`` commands: clear errors with advice, pairings kept on the box."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from api.cli import app
from configs.settings import get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SPOTTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SPOTTER_KAFKA_URL", "kafka://127.0.0.1:1")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    structlog.reset_defaults()  # the commands log to CliRunner's stream, closed by now


@pytest.mark.parametrize(("args", "message"), [
    ([], "choose exactly one heart-rate source"),
    (["--simulate", "2", "--ble"], "choose exactly one heart-rate source"),
    (["--replay"], "--replay needs at least one recording file"),
    (["some.fit"], "recording files need --replay"),
    (["--replay", "missing.fit"], "no such file"),
])
def test_run_refuses_a_bad_source_with_advice(data_dir: Path, args: list[str],
                                              message: str) -> None:
    result = CliRunner().invoke(app, ["edge", "run", "--class-session", "c1", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_pairings_made_on_the_box_are_kept(data_dir: Path) -> None:
    runner = CliRunner()
    for strap, member in [("c0:ff:ee:00:00:01", "ann"), ("C0:FF:EE:00:00:02", "bo"),
                          ("C0:FF:EE:00:00:03", "ann")]:  # ann moves to another strap
        result = runner.invoke(app, ["edge", "pair", "--class-session", "c1", "--strap", strap,
                                     "--member", member])
        assert result.exit_code == 0, result.output
    saved = json.loads((data_dir / "pairings.json").read_text())["sessions"]["c1"]["pairings"]
    assert {(p["member_id"], p["strap_id"]) for p in saved} == {
        ("ann", "C0:FF:EE:00:00:03"), ("bo", "C0:FF:EE:00:00:02")}


def test_status_without_a_running_agent_says_so(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["edge", "status"])
    assert result.exit_code == 2 and "no edge agent is running" in result.output


def test_end_class_without_broker_keeps_the_end_in_the_buffer(data_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setenv("SPOTTER_EDGE_REQUEST_TIMEOUT_S", "0.5")
    result = CliRunner().invoke(app, ["edge", "end-class", "--class-session", "c1",
                                      "--wait", "0.5"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"class_session_id": "c1", "via": "buffer", "delivered": False,
                       "records_waiting": 1}
    assert "waits in the disk buffer" in result.output
