"""The guidance table loads, covers every case, and refuses broken edits."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from planner.config import default_config_path, load_config, parse_config
from planner.errors import ConfigError
from planner.vocab import GOALS, LEVELS


@pytest.fixture()
def raw() -> dict[str, Any]:
    return tomllib.loads(default_config_path().read_text(encoding="utf-8"))


def test_every_goal_role_level_has_a_dose_row() -> None:
    config = load_config()
    for goal in GOALS:
        for role in ("main", "accessory", "core", "timed", "conditioning"):
            for level in LEVELS:
                assert config.dose_row(goal, role, level).source


def test_issue_guidance_is_what_the_table_says() -> None:
    config = load_config()
    strength = config.dose_row("strength", "main", "advanced")
    assert strength.reps[1] <= 6 and strength.percent_1rm[0] >= 85
    assert strength.rest_seconds == (120, 300)
    hyper = config.dose_row("hypertrophy", "accessory", "intermediate")
    assert hyper.reps == (6, 12) and hyper.percent_1rm == (67, 85)
    assert hyper.rest_seconds == (30, 90)
    endurance = config.dose_row("endurance", "main", "advanced")
    assert endurance.reps[0] >= 12 and endurance.percent_1rm[1] <= 67
    assert endurance.rest_seconds[1] <= 30
    assert config.dose_row("hypertrophy", "main", "beginner").reps == (8, 12)
    assert config.volume.targets["hypertrophy"].min >= 10
    assert config.volume.flag_above == 22 and config.volume.indirect_weight == 0.5
    assert strength.rir == (1, 3)


def _break(raw: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    (["dose", 0, "reps"], [6, 3], "reversed"),
    (["dose", 0, "rest"], 20, "rest must lie inside"),
    (["dose", 0, "source"], "nobody2020", "missing from [sources]"),
    (["periodization", "deload_every_weeks", "beginner"], 9, "4-6"),
    (["volume", "targets", "strength", "min"], 30, "min <= typical <= max"),
    (["one_rep_max", "formula"], "guess", "formula"),
])
def test_broken_tables_are_refused(raw: dict[str, Any], path: list[Any], value: Any,
                                   message: str) -> None:
    with pytest.raises(ConfigError, match="invalid planner config") as info:
        parse_config(_break(raw, path, value))
    assert message in str(info.value)


def test_a_table_without_a_row_says_what_to_add(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["dose"] = [row for row in data["dose"] if "core" not in row["roles"]]
    config = parse_config(data)
    with pytest.raises(ConfigError, match="add one to configs/planner.toml"):
        config.dose_row("strength", "core", "beginner")
