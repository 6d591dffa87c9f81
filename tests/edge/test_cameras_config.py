"""The camera file: cameras, their stations, pacing and pool settings, checked before a
class starts; members given to stations from the class roster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from edge.camera_config import (
    DEFAULT_CAMERAS,
    CameraConfigError,
    StationConfig,
    assign_members,
    load_cameras,
)

GOOD = """
[pacing]
idle_fps = 4
working_fps = 15

[[camera]]
id = "left"
source = "clips/left.mp4"
exercise = "squat"

[[camera.station]]
id = "l1"
region = [0, 0, 0.5, 1]

[[camera.station]]
id = "l2"
region = [0.5, 0, 0.5, 1]
exercise = "lunge"
member = "ann"

[[camera]]
id = "right"
source = "rtsp://user:secret@10.0.0.7/stream"
width = 1280
height = 720
fps = 30

[[camera.station]]
id = "r1"
region = [640, 0, 640, 720]
exercise = "push-up"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cameras.toml"
    path.write_text(text)
    return path


def test_the_shipped_camera_file_is_valid() -> None:
    cameras = load_cameras(DEFAULT_CAMERAS)
    assert len(cameras.camera) == 2
    assert sum(len(c.station) for c in cameras.camera) == 8
    assert cameras.pacing.rule().idle_fps < cameras.pacing.rule().working_fps


def test_a_camera_file_reads_cameras_stations_and_pacing(tmp_path: Path) -> None:
    cameras = load_cameras(write(tmp_path, GOOD))
    left, right = cameras.camera
    assert left.source == str(tmp_path / "clips" / "left.mp4")  # beside the camera file
    assert left.is_file and not right.is_file
    assert [left.exercise_of(s) for s in left.station] == ["squat", "lunge"]
    assert left.station[1].member == "ann"
    assert (right.width, right.height, right.fps) == (1280, 720, 30)
    assert cameras.pacing.rule().working_fps == 15


@pytest.mark.parametrize(("change", "message"), [
    (("exercise = \"squat\"", ""), "names no exercise"),
    (("id = \"l2\"", "id = \"l1\""), "station ids must be unique"),
    (("id = \"right\"", "id = \"left\""), "camera ids must be unique"),
    (("region = [0, 0, 0.5, 1]", "region = [0.6, 0, 0.5, 1]"), "outside the image"),
    (("region = [0, 0, 0.5, 1]", "region = [0, 0, 0, 1]"), "w, h > 0"),
    (("exercise = \"push-up\"", "exercise = \"yoga\""), "unknown exercise 'yoga'"),
    (("idle_fps = 4", "idle_fps = 20"), "idle_fps must not exceed"),
    (("width = 1280", "width = 1280\ncolour = true"), "Extra inputs"),
    (("id = \"l1\"", "id = \"l 1\""), "station id 'l 1'"),
])
def test_bad_camera_files_name_the_problem(tmp_path: Path, change: tuple[str, str],
                                           message: str) -> None:
    with pytest.raises(CameraConfigError, match=message) as info:
        load_cameras(write(tmp_path, GOOD.replace(*change, 1)))
    assert "cameras.toml" in str(info.value)


def test_a_missing_camera_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(CameraConfigError, match="not found"):
        load_cameras(tmp_path / "nope.toml")


def st(station_id: str, member: str | None = None) -> StationConfig:
    return StationConfig(id=station_id, region=(0, 0, 1, 1), member=member)


@pytest.mark.parametrize(("stations", "roster", "chosen", "expected", "free", "without"), [
    # roster order onto file order
    ([st("a"), st("b"), st("c")], ["m1", "m2"], {}, {"a": "m1", "b": "m2"}, ["c"], []),
    # a fixed member keeps their station; the rest follow the roster
    ([st("a"), st("b", "m1")], ["m1", "m2"], {}, {"b": "m1", "a": "m2"}, [], []),
    # more members than stations: the last ones have none
    ([st("a")], ["m1", "m2"], {}, {"a": "m1"}, [], ["m2"]),
    # the admin's choice on the station page comes before roster order
    ([st("a"), st("b")], ["m1", "m2"], {"a": "m2"}, {"a": "m2", "b": "m1"}, [], []),
    # a choice for a member not in this class leaves the station to the roster
    ([st("a"), st("b")], ["m1", "m2"], {"a": "old"}, {"a": "m1", "b": "m2"}, [], []),
])
def test_members_follow_the_class_roster(stations: list, roster: list, chosen: dict,
                                         expected: dict, free: list, without: list) -> None:
    result = assign_members(stations, roster, chosen)
    assert result.station_to_member == expected
    assert result.unassigned_stations == free
    assert result.members_without_station == without


def test_a_fixed_member_not_in_the_class_is_reported() -> None:
    result = assign_members([st("a", "ghost"), st("b")], ["m1"])
    assert result.off_roster == ["a"]
    assert result.station_to_member == {"a": "ghost", "b": "m1"}


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from configs.settings import get_settings

    monkeypatch.setenv("SPOTTER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SPOTTER_KAFKA_URL", "kafka://127.0.0.1:1")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    structlog.reset_defaults()  # the command logs to CliRunner's stream, closed by now


def run_edge_cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["edge", "run", "--class-session", "c1", *args])
    return result.exit_code, result.output


def test_edge_run_refuses_a_missing_camera_file(cli_env: Path) -> None:
    code, output = run_edge_cli("--cameras", str(cli_env / "nowhere.toml"))
    assert code == 2 and "nowhere.toml not found" in output


def test_edge_run_takes_a_camera_file_or_camera_flags_not_both(cli_env: Path) -> None:
    code, output = run_edge_cli("--cameras", str(write(cli_env, GOOD)), "--camera", "0",
                                "--station", "ann::squat")
    assert code == 2 and "choose --cameras FILE or --camera" in output


def test_edge_run_names_the_camera_file_field_at_fault(cli_env: Path) -> None:
    bad = write(cli_env, GOOD.replace('exercise = "squat"', "", 1))
    code, output = run_edge_cli("--cameras", str(bad))
    assert code == 2
    assert "names no exercise" in output and "cameras.toml" in output
