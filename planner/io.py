"""File adapters of the planner: the packaged exercise library and the overrides table.

The only module here besides ``config`` that touches the filesystem, so the rest of the
package stays a set of functions over plain data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from configs.toml_model import read_toml
from planner.derive import Overrides
from planner.errors import ExerciseImportError, PlannerError
from planner.importer import ImportReport, import_exercises_json
from planner.injuries import default_rules
from planner.library import ExerciseLibrary
from planner.models import Exercise

DATA_DIR = Path(__file__).resolve().parent / "data"
LIBRARY_FILE = DATA_DIR / "exercises.json"
OVERRIDES_FILE = DATA_DIR / "overrides.toml"
EQUIPMENT_FILE = DATA_DIR / "equipment.toml"
POSITIONS_FILE = DATA_DIR / "positions.toml"
LIBRARY_FORMAT = "spotter-exercise-library/1"
SOURCE_NOTE = ("derived from free-exercise-db (github.com/yuhonas/free-exercise-db, "
               "The Unlicense): facts only, plus planner fields from planner/derive.py")


def _toml(path: Path) -> dict[str, object]:
    return read_toml(path, PlannerError)


def read_overrides(path: Path = OVERRIDES_FILE, equipment: Path = EQUIPMENT_FILE,
                   positions: Path = POSITIONS_FILE) -> Overrides:
    """The curated tables (staples, levels, patterns, links; equipment truth; positions)
    and the injury rules from ``configs/injury_rules.toml``."""
    kit, moves = _toml(equipment), _toml(positions)
    return Overrides.from_mapping(_toml(path), equipment=kit,  # type: ignore[arg-type]
                                  positions=moves, rules=default_rules())  # type: ignore[arg-type]


def read_exercise_file(path: Path, overrides: Overrides | None = None) -> ImportReport:
    """Import a free-exercise-db style JSON file (see :mod:`planner.importer`)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ExerciseImportError(f"cannot read {path}: {exc}") from exc
    return import_exercises_json(text, overrides if overrides is not None else read_overrides())


def library_document(exercises: list[Exercise]) -> dict[str, object]:
    return {"format": LIBRARY_FORMAT, "source": SOURCE_NOTE,
            "exercises": [e.model_dump(mode="json") for e in exercises]}


def write_library(exercises: list[Exercise], path: Path = LIBRARY_FILE) -> None:
    """One exercise per line, so a regenerated table diffs line by line in review."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = library_document(exercises)
    rows = ",\n".join(json.dumps(e, ensure_ascii=False) for e in doc["exercises"])  # type: ignore[attr-defined]
    head = json.dumps({"format": doc["format"], "source": doc["source"]}, ensure_ascii=False)
    path.write_text(head[:-1] + ', "exercises": [\n' + rows + "\n]}\n", encoding="utf-8")


def load_library_file(path: Path) -> ExerciseLibrary:
    """Read a library written by :func:`write_library`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != LIBRARY_FORMAT:
            raise PlannerError(f"{path} is not a {LIBRARY_FORMAT} file; regenerate it with "
                               "`spotter exercises import`")
        return ExerciseLibrary([Exercise.model_validate(e) for e in doc["exercises"]])
    except (OSError, json.JSONDecodeError, KeyError, ValidationError) as exc:
        raise PlannerError(f"cannot load exercise library {path}: {exc}") from exc


@lru_cache(maxsize=1)
def default_library() -> ExerciseLibrary:
    """The library shipped in ``planner/data/exercises.json`` (loaded once per process)."""
    return load_library_file(LIBRARY_FILE)
