"""The ``spotter schedule`` contract: names, flags, exit codes and JSON keys."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["schedule", *args])
    return result.exit_code, result.stdout, result.stderr


def test_example_solve_validate_repair(tmp_path: Path) -> None:
    code, out, _ = run("example")
    assert code == 0
    instance = tmp_path / "instance.json"
    instance.write_text(out)
    assert json.loads(out)["rooms"]

    code, out, _ = run("solve", str(instance), "--time-limit", "4", "--json", "--workers", "1")
    assert code == 0
    result = json.loads(out)  # stdout is pure JSON: logs went to stderr
    assert {"status", "objective", "best_bound", "gap", "classes", "objective_breakdown",
            "violations"} <= set(result)
    assert result["status"] in ("OPTIMAL", "FEASIBLE") and result["violations"] == []
    assert set(result["classes"][0]) == {"class_type", "room", "trainer", "day", "start", "end",
                                         "predicted_attendance"}
    assert result["best_bound"] >= result["objective"] > 0
    schedule = tmp_path / "schedule.json"
    schedule.write_text(out)

    code, out, _ = run("validate", str(instance), str(schedule))
    assert code == 0 and json.loads(out)["valid"] is True

    broken = json.loads(schedule.read_text())
    broken["classes"].append(dict(broken["classes"][0]))  # the same class twice
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    code, out, err = run("validate", str(instance), str(bad))
    assert code == 1
    assert "room_double_booked" in err and json.loads(out)["valid"] is False

    code, out, _ = run("repair", str(instance), str(schedule), "--trainer-unavailable", "Ana",
                       "--day", "Tue", "--time-limit", "3")
    assert code == 0
    repaired = json.loads(out)
    assert repaired["violations"] == [] and "changes" in repaired


def test_bad_input_exits_2_with_advice(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rooms": []}))
    code, _, err = run("solve", str(bad), "--json")
    assert code == 2
    assert "opening_hours" in err and "advice" in err
    code, _, err = run("solve", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


def test_infeasible_week_exits_1_with_explanation(tmp_path: Path) -> None:
    code, out, _ = run("example")
    data = json.loads(out)
    data["class_types"][0]["min_sessions"] = 40
    data["class_types"][0]["max_sessions"] = 40
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(data))
    code, out, _ = run("solve", str(path), "--json", "--time-limit", "5", "--workers", "1")
    assert code == 1
    result = json.loads(out)
    assert result["status"] == "INFEASIBLE"
    assert any("HIIT" in line for line in result["explanation"])


def test_demand_eval_reports_model_and_baselines() -> None:
    code, out, _ = run("demand-eval", "--size", "tiny", "--weeks", "8", "--test-weeks", "2")
    assert code == 0
    report = json.loads(out)["synthetic"]
    assert {s["method"] for s in report["scores"]} == {"model", "class_type_mean",
                                                       "same_slot_recent"}
    assert report["test_weeks"] == 2


def test_schema_command_documents_the_instance() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert "class_types" in schema["properties"] and "$defs" in schema
