"""``spotter vision analyze`` on a damaged video: the result still prints, with a warning on
stderr and exit 3, so a script cannot take a partial analysis for a whole one. (The issue's
probe: a corrupt MP4 exited 0 with "0/42 frames with a pose" for a 65-frame clip.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.vision import DAMAGED_EXIT

pytestmark = pytest.mark.timeout(240)
CLIP = "exercise-clips/s01_squat_front_band.mp4"  # 65 frames


def damaged_copy(shared_data: Path, tmp_path: Path) -> Path:
    """The clip with a stretch of its video data overwritten: the container still opens,
    a run of frames no longer decodes."""
    data = bytearray((shared_data / CLIP).read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 30_000, 5):
        data[i] ^= 0xFF
    path = tmp_path / "damaged.mp4"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("as_json", [True, False])
def test_a_damaged_video_warns_and_exits_3(shared_data: Path, tmp_path: Path,
                                           as_json: bool) -> None:
    video = damaged_copy(shared_data, tmp_path)
    args = ["vision", "analyze", str(video), "--exercise", "squat"] + (["--json"] if as_json
                                                                      else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == DAMAGED_EXIT == 3, result.output
    assert "could not be read" in result.stderr and "of 65 frames" in result.stderr
    if as_json:
        doc = json.loads(result.stdout)
        assert doc["frames_dropped"] > 0 and doc["frames"] + doc["frames_dropped"] == 65
    else:
        assert "reps" in result.stdout


def test_landmarks_of_a_damaged_video_warn_and_exit_3(shared_data: Path,
                                                      tmp_path: Path) -> None:
    video = damaged_copy(shared_data, tmp_path)
    out = tmp_path / "marks.npz"
    result = CliRunner().invoke(app, ["vision", "landmarks", str(video), "--out", str(out)])
    assert result.exit_code == 3 and "could not be read" in result.stderr
    assert json.loads(result.stdout)["frames_dropped"] > 0 and out.exists()
