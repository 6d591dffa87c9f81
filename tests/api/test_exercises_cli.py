"""``spotter exercises import FILE --db`` into a real migrated database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app
from configs.settings import get_settings
from db.training import ExerciseRow

RECORD = {"id": "Cli_Box_Squat", "name": "Cli Box Squat", "level": "beginner",
          "category": "strength", "equipment": "body only", "mechanic": "compound",
          "force": "push", "primaryMuscles": ["quadriceps"], "secondaryMuscles": ["glutes"]}


@pytest.fixture
def cli_db(tmp_path: Path, seeded_database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    template, _demo = seeded_database
    path = tmp_path / "cli.db"
    shutil.copyfile(template, path)
    monkeypatch.setenv("SPOTTER_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield f"sqlite:///{path}"
    get_settings.cache_clear()


def rows(url: str) -> dict[str, ExerciseRow]:
    engine = create_engine(url)
    with Session(engine) as db:
        found = {r.id: r for r in db.scalars(select(ExerciseRow))}
    engine.dispose()
    return found


def test_import_into_the_database_keeps_admin_entries(cli_db: str, tmp_path: Path) -> None:
    src = tmp_path / "ex.json"
    src.write_text(json.dumps([RECORD, {"id": "Bad", "name": "Bad", "level": "godlike",
                                        "category": "strength", "primaryMuscles": ["chest"]}]))
    result = CliRunner().invoke(app, ["exercises", "import", str(src), "--db", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["imported"] == 1 and report["rows_written"] > 800
    assert "rejected record #1" in result.stderr
    found = rows(cli_db)
    assert found["Cli_Box_Squat"].data["pattern"] == "squat" and found["Barbell_Squat"]
    engine = create_engine(cli_db)
    with Session(engine) as db, db.begin():
        row = db.get(ExerciseRow, "Cli_Box_Squat")
        assert row is not None
        row.source, row.data = "admin", {**row.data, "name": "Curated Box Squat"}
    engine.dispose()
    again = CliRunner().invoke(app, ["exercises", "import", str(src), "--db", "--json"])
    assert json.loads(again.stdout)["kept_admin"] == 1
    assert rows(cli_db)["Cli_Box_Squat"].data["name"] == "Curated Box Squat"
    both = CliRunner().invoke(app, ["exercises", "import", str(src), "--db", "--output", "x"])
    assert both.exit_code == 2
