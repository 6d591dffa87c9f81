"""Import exercises in the free-exercise-db JSON format, keeping facts only.

Each record is validated on its own: a bad record is reported with its index and reason
and the rest still import (nothing good is lost because of one bad row). Instructions and
images are read past and dropped: the library keeps facts, not prose or pictures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.derive import Overrides, derive_exercise, link
from planner.errors import ExerciseImportError
from planner.models import Exercise
from planner.vocab import Category, Equipment, Force, Mechanic, Muscle


class RawExerciseRecord(BaseModel):
    """One record of free-exercise-db's ``exercises.json`` (its schema.json, the fields we keep)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[0-9A-Za-z_\-]+$")
    name: str = Field(min_length=1)
    force: Force | None = None
    level: Literal["beginner", "intermediate", "expert", "advanced"]
    mechanic: Mechanic | None = None
    equipment: Equipment | None = None
    primaryMuscles: list[Muscle] = Field(min_length=1)  # noqa: N815 (dataset's key)
    secondaryMuscles: list[Muscle] = Field(default_factory=list)  # noqa: N815
    category: Category


@dataclass(frozen=True)
class RejectedRecord:
    index: int
    id: str | None
    reason: str


@dataclass
class ImportReport:
    """What an import produced: the library entries and every record it had to skip."""

    exercises: list[Exercise]
    rejected: list[RejectedRecord] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.exercises)} exercises imported, {len(self.rejected)} records rejected"


def _reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<record>'}: {e['msg']}"
                     for e in exc.errors()[:4])


def import_exercises(data: object, overrides: Overrides | None = None) -> ImportReport:
    """Validate and derive a list of raw records; raise only when nothing is usable."""
    if not isinstance(data, list):
        raise ExerciseImportError(
            "expected a JSON array of exercise objects (free-exercise-db dist/exercises.json "
            f"format), got {type(data).__name__}")
    table = overrides or Overrides()
    derived: list[Exercise] = []
    rejected: list[RejectedRecord] = []
    seen: set[str] = set()
    for index, record in enumerate(data):
        rec_id = record.get("id") if isinstance(record, dict) else None
        rec_id = rec_id if isinstance(rec_id, str) else None
        try:
            raw = RawExerciseRecord.model_validate(record)
        except ValidationError as exc:
            rejected.append(RejectedRecord(index, rec_id, _reason(exc)))
            continue
        if raw.id in seen:
            rejected.append(RejectedRecord(index, raw.id, "duplicate id; first one kept"))
            continue
        seen.add(raw.id)
        derived.append(derive_exercise(raw.model_dump(), table))
    if not derived:
        shown = "; ".join(f"#{r.index}: {r.reason}" for r in rejected[:3])
        raise ExerciseImportError(f"no valid exercise records in the file ({shown}); "
                                  "check it is free-exercise-db's exercises.json format")
    return ImportReport(exercises=link(derived, table), rejected=rejected)


def import_exercises_json(text: str | bytes, overrides: Overrides | None = None) -> ImportReport:
    """Parse JSON text, then :func:`import_exercises`."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ExerciseImportError(f"not valid JSON: {exc}; export the exercises as a JSON "
                                  "array") from exc
    return import_exercises(data, overrides)
