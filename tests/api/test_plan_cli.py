"""``spotter plan generate`` in text mode reads as a plan (every week, units and words,
no field names); ``spotter plan batch`` takes its input as an argument, as ``schedule
solve`` does, a folder or one file, and still accepts the older ``--profiles DIR``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    result = runner.invoke(app, ["plan", "example-profile"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.fixture
def profile_file(tmp_path: Path, profile: dict) -> Path:
    path = tmp_path / "member.json"
    path.write_text(json.dumps(profile))
    return path


def test_text_mode_prints_every_week_in_words(profile_file: Path) -> None:
    result = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                                 "--weeks", "5", "--json"])
    plan = json.loads(result.stdout)
    text = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                               "--weeks", "5"])
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert [f"Week {n}" in out for n in range(1, 6)] == [True] * 5
    for raw in ("load_kg", "percent_1rm", "rpe ", "upper_lower", "dup,", "day 1 "):
        assert raw not in out, raw
    first = plan["weeks"][0]["sessions"][0]["exercises"][0]
    kind, value = next(iter(first["intensity"].items()))
    shown = {"load_kg": f"{value:g} kg", "percent_1rm": f"{value:g} % of 1-rep max",
             "rpe": f"RPE {value:g} (about"}[kind]
    assert f"{first['name']}: {first['sets']} sets × " in out and shown in out
    assert "daily undulating" in out or "steady progression" in out or "block" in out
    deloads = [w["week"] for w in plan["weeks"] if w["deload"]]
    for week in deloads:
        assert f"Week {week} · lighter week (deload" in out


def test_text_mode_can_print_one_week(profile_file: Path) -> None:
    text = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                               "--weeks", "4", "--week", "3"]).stdout
    assert "Week 3" in text and "Week 1" not in text and "Week 4" not in text
    past = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                               "--weeks", "4", "--week", "6"])
    assert past.exit_code == 2 and "past the plan's 4 weeks" in past.stderr


def outcomes(path: Path) -> dict[str, str]:
    return {o["source"]: o["status"] for o in map(json.loads, path.read_text().splitlines())}


@pytest.mark.parametrize("form", ["argument", "old flag"])
def test_batch_takes_a_folder_as_argument_or_with_the_old_flag(tmp_path: Path, profile: dict,
                                                                form: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(profile))
    (folder / "b.json").write_text(json.dumps({**profile, "member_id": "b"}))
    where = [str(folder)] if form == "argument" else ["--profiles", str(folder)]
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["plan", "batch", *where, "--weeks", "1", "--workers", "1",
                                 "--jsonl", str(out)])
    assert result.exit_code == 0, result.output
    assert outcomes(out) == {"a.json": "ok", "b.json": "ok"}


def test_batch_takes_one_jsonl_file(tmp_path: Path, profile: dict) -> None:
    source = tmp_path / "members.jsonl"
    source.write_text(json.dumps(profile) + "\n" + json.dumps({**profile, "member_id": "x"})
                      + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["plan", "batch", str(source), "--weeks", "1",
                                 "--workers", "1", "--jsonl", str(out)])
    assert result.exit_code == 0, result.output
    assert outcomes(out) == {"members.jsonl:1": "ok", "members.jsonl:2": "ok"}


@pytest.mark.parametrize(("args", "message"), [
    ([], "missing PROFILES"),
    (["nowhere"], "does not exist"),
    (["notes.txt"], "not a .json or .jsonl file"),
    (["in", "--profiles", "other"], "two inputs given"),
])
def test_batch_input_mistakes_exit_2_with_the_reason(tmp_path: Path, monkeypatch,
                                                      args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "notes.txt").write_text("hi")
    result = runner.invoke(app, ["plan", "batch", *args, "--workers", "1"])
    assert result.exit_code == 2 and message in result.stderr, result.output
