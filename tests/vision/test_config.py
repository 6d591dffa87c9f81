"""configs/vision.toml loads and validates; bad values fail with the key's name."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from vision.config import DEFAULT_PATH, EXERCISES, load_config, parse_config
from vision.errors import ConfigError


def test_the_shipped_config_loads_and_covers_every_exercise() -> None:
    cfg = load_config()
    assert set(cfg.exercise) == set(EXERCISES)
    assert cfg.counter.enter < cfg.counter.exit
    assert cfg.rule("squat", "depth_ratio_max") > 0


@pytest.mark.parametrize(("patch", "message"), [
    ({"counter": {"enter": 0.7, "exit": 0.6}}, "hysteresis"),
    ({"pose": {"min_visibility": 1.5}}, "min_visibility"),
    # the counting floor for partly hidden limbs sits below the form floor, never above
    ({"pose": {"track_min_visibility": 0.7}}, "track_min_visibility"),
    ({"exercise": {"deadlift": {"min_range_deg": 30}}}, "deadlift"),
    ({"counter": {"window": 3}}, "window"),  # a typo of window_s is an error, not ignored
])
def test_invalid_settings_are_rejected(patch: dict, message: str) -> None:
    data = tomllib.loads(DEFAULT_PATH.read_text())
    for section, values in patch.items():
        data.setdefault(section, {}).update(values)
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_a_missing_threshold_names_the_section() -> None:
    cfg = parse_config({"exercise": {"squat": {}}})
    with pytest.raises(ConfigError, match=r"\[exercise.squat\] depth_ratio_max"):
        cfg.rule("squat", "depth_ratio_max")


@pytest.mark.parametrize(("text", "message"),
                         [("not = [valid", "not valid TOML"), (None, "not found")])
def test_unreadable_config_files(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "vision.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
