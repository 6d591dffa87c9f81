"""CLI contract: ``spotter plan ...`` and ``spotter exercises ...`` (names, flags, JSON keys)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from planner.models import MemberProfile

runner = CliRunner()
PLAN_KEYS = {"member_id", "split", "progression_model", "weeks", "weekly_sets_per_muscle",
             "warnings"}
ITEM_KEYS = {"exercise_id", "name", "primary_muscles", "secondary_muscles", "equipment", "sets",
             "reps", "duration_seconds", "rest_seconds", "intensity", "reason"}


@pytest.fixture(scope="module")
def profile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = runner.invoke(app, ["plan", "example-profile"])
    assert result.exit_code == 0, result.output
    MemberProfile.model_validate_json(result.stdout)
    path = tmp_path_factory.mktemp("profiles") / "member.json"
    path.write_text(result.stdout)
    return path


def test_generate_prints_the_documented_json(profile_file: Path) -> None:
    result = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                                 "--weeks", "6", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert set(plan) == PLAN_KEYS and len(plan["weeks"]) == 6
    week = plan["weeks"][0]
    assert set(week) == {"week", "deload", "sessions"}
    session = week["sessions"][0]
    assert set(session) == {"day", "focus", "estimated_minutes", "exercises"}
    for item in session["exercises"]:
        assert set(item) == ITEM_KEYS
        assert len(item["intensity"]) == 1
        assert set(item["intensity"]) <= {"percent_1rm", "rpe", "load_kg"}


def test_generate_without_json_prints_a_summary(profile_file: Path) -> None:
    result = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                                 "--weeks", "2"])
    assert result.exit_code == 0 and "Week 2" in result.stdout  # every week, in words
    assert "Monday" in result.stdout and "load_kg" not in result.stdout


def test_infeasible_profile_exits_3_with_reasons(tmp_path: Path, profile_file: Path) -> None:
    data = json.loads(profile_file.read_text())
    data.update(goals=["hypertrophy"], days_per_week=1, minutes_per_session=20)
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["plan", "generate", "--profile", str(path), "--json"])
    assert result.exit_code == 3
    body = json.loads(result.stdout)
    assert body["error"] == "infeasible" and body["reasons"]


@pytest.mark.parametrize(("content", "message"), [
    ("{broken", "invalid profile"),
    ('{"member_id": "x"}', "age"),
])
def test_bad_profile_exits_2_with_advice(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = runner.invoke(app, ["plan", "generate", "--profile", str(path), "--json"])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_profile_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["plan", "profile-schema"])
    schema = json.loads(result.stdout)
    assert "goals" in schema["properties"] and "training_history" in schema["properties"]


def test_batch_writes_one_outcome_per_profile(tmp_path: Path, profile_file: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = json.loads(profile_file.read_text())
    (folder / "a.json").write_text(json.dumps(good))
    (folder / "b.jsonl").write_text(json.dumps({**good, "member_id": "b1"}) + "\n{oops\n")
    (folder / "c.json").write_text(json.dumps([{**good, "member_id": "c1",
                                                "days_per_week": 9}]))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["plan", "batch", "--profiles", str(folder), "--weeks", "2",
                                 "--jsonl", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    outcomes = {o["source"]: o for o in map(json.loads, out.read_text().splitlines())}
    assert {k: o["status"] for k, o in outcomes.items()} == {
        "a.json": "ok", "b.jsonl:1": "ok", "b.jsonl:2": "invalid", "c.json[0]": "invalid"}
    assert outcomes["a.json"]["plan"]["member_id"] == "member-0042"
    assert outcomes["b.jsonl:1"]["plan"]["member_id"] == "b1"
    assert any("days_per_week" in r for r in outcomes["c.json[0]"]["reasons"])
    assert "2 planned" in result.stderr


def test_check_flags_a_hand_edited_plan(tmp_path: Path, profile_file: Path) -> None:
    result = runner.invoke(app, ["plan", "generate", "--profile", str(profile_file),
                                 "--weeks", "1", "--json"])
    plan = json.loads(result.stdout)
    plan["weeks"][0]["sessions"][0]["exercises"][0]["reps"] = 40
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    checked = runner.invoke(app, ["plan", "check", "--plan", str(path), "--profile",
                                  str(profile_file)])
    assert checked.exit_code == 1
    assert "reps 40" in json.loads(checked.stdout)["violations"][0]


def test_exercises_import_reports_bad_records_and_writes(tmp_path: Path) -> None:
    records = [{"id": "Goblet_Squat", "name": "Goblet Squat", "level": "beginner",
                "category": "strength", "equipment": "kettlebells", "mechanic": "compound",
                "force": "push", "primaryMuscles": ["quadriceps"], "secondaryMuscles": [],
                "instructions": [], "images": []},
               {"id": "Bad", "name": "Bad", "level": "godlike", "category": "strength",
                "primaryMuscles": ["quadriceps"]}]
    src, dst = tmp_path / "ex.json", tmp_path / "lib.json"
    src.write_text(json.dumps(records))
    result = runner.invoke(app, ["exercises", "import", str(src), "--output", str(dst),
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["imported"] == 1 and report["rejected"][0]["id"] == "Bad"
    assert "rejected record #1" in result.stderr
    assert json.loads(dst.read_text())["exercises"][0]["pattern"] == "squat"


def test_exercises_import_refuses_a_non_list(tmp_path: Path) -> None:
    src = tmp_path / "ex.json"
    src.write_text('{"exercises": 3}')
    result = runner.invoke(app, ["exercises", "import", str(src), "--dry-run"])
    assert result.exit_code == 2 and "JSON array" in result.stderr


def test_exercises_import_of_the_dataset(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "free-exercise-db" / "exercises.json"
    result = runner.invoke(app, ["exercises", "import", str(src), "--output",
                                 str(tmp_path / "lib.json")])
    assert result.exit_code == 0 and "873 exercises imported, 0 records rejected" in result.stdout


def test_alternative_lookup() -> None:
    result = runner.invoke(app, ["exercises", "alternative", "Pushups", "--direction", "easier"])
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "Incline_Push-Up"


def test_alternative_respects_fixtures_level_and_a_profile(tmp_path: Path) -> None:
    def alt(*args: str) -> object:
        result = runner.invoke(app, ["exercises", "alternative", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    squat = alt("Bodyweight_Squat", "--direction", "easier")
    assert squat is None or squat["equipment"] == "body only"     # never a leg press
    assert alt("Chin-Up", "--direction", "same", "--equipment", "body only") is None
    found = alt("Chin-Up", "--direction", "same", "--equipment", "pull-up bar")
    assert found and ["pull-up bar"] in found["needs"]
    member = tmp_path / "member.json"
    member.write_text(json.dumps({
        "member_id": "m", "age": 40, "sex": "male", "body_weight_kg": 80, "goals": ["strength"],
        "fitness_level": "beginner", "days_per_week": 3, "minutes_per_session": 60,
        "equipment": ["dumbbell", "bench"], "injuries": [{"area": "shoulder"}]}))
    press = alt("Standing_Military_Press", "--direction", "easier", "--profile", str(member))
    assert press is None or ("shoulder" not in press["contraindications"]
                             and press["level"] == "beginner")
    bench = alt("Barbell_Bench_Press_-_Medium_Grip", "--direction", "easier", "--profile",
                str(member))
    assert bench and bench["id"] == "Dumbbell_Bench_Press"


@pytest.mark.parametrize("args", [["--equipment", "spaceship"], ["--level", "godlike"],
                                  ["--profile", "/nonexistent/member.json"]])
def test_alternative_refuses_bad_input_clearly(args: list[str]) -> None:
    result = runner.invoke(app, ["exercises", "alternative", "Pushups", *args])
    assert result.exit_code == 2 and "error:" in result.output


def test_library_review_counts_each_rule_against_an_older_library(tmp_path: Path) -> None:
    from planner.io import LIBRARY_FILE

    before = json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))
    for entry in before["exercises"]:   # an older library that knew no shoulder positions
        entry["contraindications"] = [a for a in entry["contraindications"] if a != "shoulder"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(before))
    out = tmp_path / "review.md"
    result = runner.invoke(app, ["exercises", "review", "--before", str(old), "--output",
                                 str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    shoulder = next(line for line in text.splitlines() if line.startswith("| shoulder |"))
    cells = [c.strip() for c in shoulder.strip("|").split("|")]
    assert cells[2] == "kolber2010" and cells[4].startswith("0 ")
    assert cells[3].split()[0] == cells[5].split()[0] != "0"     # all newly kept out
    assert "Triceps Overhead Extension with Rope" in text
    bad = runner.invoke(app, ["exercises", "review", "--before", str(tmp_path / "nope.json")])
    assert bad.exit_code == 2
