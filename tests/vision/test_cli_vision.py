"""``spotter vision analyze`` / ``landmarks``: JSON on stdout, clear errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from vision.landmarks import PoseSequence

runner = CliRunner()
KEYS = {"exercise", "reps", "reps_detail", "frames", "pose_detected_frames", "fps_processed"}


def test_analyze_prints_the_documented_json(shared_data: Path) -> None:
    clip = shared_data / "exercise-clips" / "s01_squat_front_band.mp4"
    result = runner.invoke(app, ["vision", "analyze", str(clip), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= KEYS
    assert doc["exercise"] == "squat" and doc["recognized"]["exercise"] == "squat"
    assert doc["frames"] == 65 and doc["pose_detected_frames"] == 65
    assert doc["reps"] == len(doc["reps_detail"]) and doc["reps"] in (2, 3)  # label: 2 (2-3)
    for rep in doc["reps_detail"]:
        assert set(rep) == {"start_s", "end_s", "rom_deg", "faults"}
        assert 0 <= rep["start_s"] < rep["end_s"] <= 13.0
    assert doc["fps_processed"] > 0


def test_analyze_one_station_with_a_given_exercise(shared_data: Path) -> None:
    clip = shared_data / "exercise-clips" / "s01_squat_front_band.mp4"
    result = runner.invoke(app, ["vision", "analyze", str(clip), "--exercise", "squat",
                                 "--station", "0,0.1,1,0.9", "--json", "--details",
                                 "--max-fps", "2.5"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["exercise"] == "squat" and "recognized" not in doc
    assert all("tempo_s" in rep for rep in doc["reps_detail"])


@pytest.mark.parametrize(("args", "message"), [
    (["--exercise", "burpee"], "unknown exercise"),
    (["--station", "1,2,3"], "four numbers"),
])
def test_bad_options_exit_2_with_advice(shared_data: Path, args: list[str], message: str) -> None:
    clip = shared_data / "exercise-clips" / "s01_squat_front_band.mp4"
    result = runner.invoke(app, ["vision", "analyze", str(clip), *args, "--json"])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_a_missing_video_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["vision", "analyze", str(tmp_path / "nope.mp4"), "--json"])
    assert result.exit_code == 2 and "not found" in result.stderr


def test_landmarks_records_an_archive(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "s01.npz"
    clip = shared_data / "exercise-clips" / "s01_squat_front_band.mp4"
    result = runner.invoke(app, ["vision", "landmarks", str(clip), "--out", str(out),
                                 "--max-fps", "2.5"])
    assert result.exit_code == 0, result.output
    seq = PoseSequence.load(out)
    assert len(seq) == 33 and seq.detected.all()  # every other frame of the 5 fps clip
