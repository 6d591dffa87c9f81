"""``spotter hr summary FILE --json``: the batch summary of a recording (same code as live)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
KEYS = ["duration_s", "avg_hr", "max_hr", "zones_s", "effort_points", "trimp", "kcal",
        "rmssd_ms", "recovery_bpm_60s"]


def run(*args: str) -> dict:
    result = runner.invoke(app, ["hr", "summary", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_tiny_csv_hand_computed(tmp_path: Path) -> None:
    # 0 s 100 bpm, 1 s 150, 2 s 150 (RR from a chest strap), then a 9 s gap, 11 s 190.
    # HRmax 200: 100 = 50 % (Z1), 150 = 75 % (Z3), 190 = 95 % (Z5). The 9 s gap is no data;
    # the last sample counts 1 s. Covered: 1 s Z1 + 1 s Z3 + 0 s (gap) + 1 s Z5 = 3 s.
    csv = tmp_path / "class.csv"
    csv.write_text("time,hr,rr_ms\n0,100,\n1,150,400 410\n2,150,405 400\n11,190,\n")
    out = run(str(csv), "--hr-max", "200", "--hr-rest", "50", "--age", "35", "--sex", "male",
              "--weight", "75")
    assert list(out)[:len(KEYS)] == KEYS
    assert out["duration_s"] == 3.0 and out["no_data_s"] == 9.0
    assert out["zones_s"] == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert out["avg_hr"] == pytest.approx((100 + 150 + 190) / 3, abs=0.05)
    assert out["max_hr"] == 190
    # Myzone points: (1 + 3 + 4) per minute for one second each
    assert out["effort_points"] == pytest.approx(8 / 60, abs=0.005)
    assert out["kcal"] is not None and out["kcal"] > 0
    assert out["rmssd_ms"] is None  # three RR pairs are too few to report
    assert out["recovery_bpm_60s"] is None


def test_profile_defaults_when_nothing_is_known(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("time,hr\n0,120\n1,121\n")
    out = run(str(csv))
    assert out["hr_max_used"] == 184 and out["hr_max_source"] == "default"
    assert out["kcal"] is None


@pytest.mark.parametrize("args", [
    ["missing.fit"],
    ["--age", "3", "x.csv"],
    ["--sex", "robot", "x.csv"],
])
def test_bad_input_is_refused_with_a_message(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "x.csv").write_text("time,hr\n0,120\n")
    args = [str(tmp_path / a) if a.endswith((".csv", ".fit")) else a for a in args]
    result = runner.invoke(app, ["hr", "summary", *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_unreadable_csv_names_the_problem(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("time,hr\n0,abc\n")
    result = runner.invoke(app, ["hr", "summary", str(csv), "--json"])
    assert result.exit_code == 2 and "not a number" in result.stderr


def test_human_table_without_json(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("time,hr\n0,120\n1,121\n")
    result = runner.invoke(app, ["hr", "summary", str(csv)])
    assert result.exit_code == 0 and "effort points" in result.stdout


def test_real_chest_strap_recording(shared_data: Path) -> None:
    out = run(str(shared_data / "hr-recordings" / "garmin-fenix-5-run.fit"), "--hr-max", "183",
              "--hr-rest", "47", "--sex", "male", "--age", "30", "--weight", "68")
    assert out["max_hr"] == 112 and out["elapsed_s"] == 57.0
    assert out["rr_beats"] == 113 and out["rmssd_ms"] is not None
    assert 10 < out["rmssd_ms"] < 200  # a plausible RMSSD, not a collapsed or exploded one
    assert sum(out["zones_s"]) + out["below_zone1_s"] == pytest.approx(out["duration_s"])


def test_real_interval_class(shared_data: Path) -> None:
    out = run(str(shared_data / "hr-recordings" / "sample-activity-indoor-trainer.fit"),
              "--hr-max", "185", "--hr-rest", "50", "--sex", "male")
    assert out["duration_s"] == pytest.approx(2264, abs=2) and out["max_hr"] == 176
    assert out["rmssd_ms"] is None  # no RR in this file
    assert out["recovery_bpm_60s"] is not None and out["recovery_bpm_60s"] > 0
    assert out["effort_points"] > 100  # 37 min, mostly in zones 3-5


def test_csv_export_and_fit_agree(shared_data: Path) -> None:
    folder = shared_data / "hr-recordings"
    fit = run(str(folder / "garmin-fenix-5-run.fit"), "--hr-max", "183")
    csv = run(str(folder / "garmin-fenix-5-run-records.csv"), "--hr-max", "183")
    for key in ("duration_s", "avg_hr", "max_hr", "zones_s", "effort_points", "trimp"):
        assert fit[key] == csv[key], key
