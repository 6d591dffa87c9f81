"""Exercise library queries and admin changes; the planner functions do the thinking."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.exceptions import ConflictError, InvalidInput, NotFoundError
from api.exercises.library import (
    ADMIN,
    Entry,
    changed,
    library_of,
    merge_import,
    relinked,
    row_values,
    upgraded,
)
from api.exercises.schemas import ExerciseIn, ExercisePatch
from db.training import ExerciseRow
from planner.derive import derive_exercise
from planner.errors import PlannerError
from planner.importer import ImportReport, import_exercises
from planner.io import default_library, read_overrides
from planner.library import ExerciseLibrary
from planner.models import Exercise

_cached: tuple[tuple[int, object], dict[str, Entry], ExerciseLibrary] | None = None


async def _stamp(db: AsyncSession) -> tuple[int, object]:
    row = (await db.execute(select(func.count(), func.max(ExerciseRow.updated_at))
                            .select_from(ExerciseRow))).one()
    return int(row[0]), row[1]


async def _load(db: AsyncSession) -> tuple[dict[str, Entry], ExerciseLibrary]:
    """Entries and library, from the table when it holds rows, else the packaged library.

    Cached per (row count, newest change): every process sees an admin's edit at its next
    request without validating 870 rows for each plan."""
    global _cached
    stamp = await _stamp(db)
    if stamp[0] == 0:
        library = default_library()
        return {ex.id: Entry(ex, "library") for ex in library}, library
    if _cached is not None and _cached[0] == stamp:
        return _cached[1], _cached[2]
    rows = await db.scalars(select(ExerciseRow))
    found = upgraded({r.id: (r.data, r.source) for r in rows}, default_library(),
                     read_overrides())
    library = library_of(found.values())
    _cached = (stamp, found, library)
    return found, library


async def current_library(db: AsyncSession) -> ExerciseLibrary:
    """The library plans are made from."""
    return (await _load(db))[1]


async def entries(db: AsyncSession) -> dict[str, Entry]:
    """The whole library with sources (a copy: callers may change it)."""
    return dict((await _load(db))[0])


async def _write(db: AsyncSession, before: dict[str, Entry], after: dict[str, Entry]) -> int:
    """Write what changed (all rows when the table was still empty) and commit."""
    empty = (await _stamp(db))[0] == 0
    todo = list(after.values()) if empty else changed(before, after)
    now = datetime.now(UTC)
    for entry in todo:
        values = row_values(entry)
        row = None if empty else await db.get(ExerciseRow, entry.exercise.id)
        if row is None:
            db.add(ExerciseRow(**values, updated_at=now))
        else:
            row.name, row.data, row.source, row.updated_at = (
                values["name"], values["data"], values["source"], now)
    await db.commit()
    return len(todo)


async def search(db: AsyncSession, *, q: str | None = None, pattern: str | None = None,
                 equipment: str | None = None, offset: int = 0, limit: int = 50
                 ) -> tuple[int, list[Entry]]:
    needle = (q or "").strip().lower()
    found = [e for e in (await entries(db)).values()
             if (needle in e.exercise.name.lower() or needle in e.exercise.id.lower())
             and (not pattern or e.exercise.pattern == pattern)
             and (not equipment or e.exercise.equipment == equipment)]
    found.sort(key=lambda e: e.exercise.name.lower())
    return len(found), found[offset:offset + limit]


async def get_entry(db: AsyncSession, exercise_id: str) -> Entry:
    entry = (await entries(db)).get(exercise_id)
    if entry is None:
        raise NotFoundError(f"no exercise {exercise_id!r} in the library; search with "
                            "GET /api/exercises?q=...")
    return entry


def _slug(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")[:128] or "Exercise"


def _derive(fields: dict[str, Any], overrides: dict[str, Any]) -> Exercise:
    """The planner's own derivation rules over a record in the dataset's shape."""
    record = {"id": fields["id"], "name": fields["name"], "level": fields["level"],
              "category": fields["category"], "equipment": fields["equipment"],
              "mechanic": fields.get("mechanic"), "force": fields.get("force"),
              "primaryMuscles": list(fields["primary_muscles"]),
              "secondaryMuscles": list(fields.get("secondary_muscles") or [])}
    try:
        table = read_overrides()
        ex = derive_exercise(record, table)
        extra = {k: (tuple(v) if isinstance(v, list) else v)
                 for k, v in overrides.items() if v is not None}
        if "needs" in extra:
            extra["needs"] = tuple(tuple(g) for g in extra["needs"])
        if "positions" in extra and "contraindications" not in extra:
            extra["contraindications"] = table.injury_rules().contraindications(
                extra["positions"])
        return Exercise.model_validate({**ex.model_dump(), **extra})
    except (ValidationError, PlannerError) as exc:
        raise InvalidInput(f"the exercise does not validate: {exc}") from exc


async def add_exercise(db: AsyncSession, data: ExerciseIn) -> Entry:
    before = await entries(db)
    ex_id = data.id or _slug(data.name)
    if ex_id in before:
        raise ConflictError(f"exercise id {ex_id!r} exists; edit it with PATCH "
                            f"/api/exercises/{ex_id} or choose another id")
    fields = data.model_dump() | {"id": ex_id}
    ex = _derive(fields, {"pattern": data.pattern, "contraindications": data.contraindications,
                          "positions": data.positions, "needs": data.needs,
                          "staple": data.staple, "specialty": data.specialty})
    after = relinked({**before, ex.id: Entry(ex, ADMIN)}, read_overrides())
    await _write(db, before, after)
    return after[ex.id]


async def edit_exercise(db: AsyncSession, exercise_id: str, patch: ExercisePatch) -> Entry:
    before = await entries(db)
    if exercise_id not in before:
        raise NotFoundError(f"no exercise {exercise_id!r} in the library")
    old = before[exercise_id].exercise
    change = patch.model_dump(exclude_unset=True)
    fields = {"id": old.id, "name": old.name, "level": old.level, "category": old.category,
              "equipment": old.equipment, "mechanic": old.mechanic, "force": old.force,
              "primary_muscles": list(old.primary_muscles),
              "secondary_muscles": list(old.secondary_muscles)}
    fields.update({k: v for k, v in change.items() if k in fields})
    keep: dict[str, Any] = {"staple": old.staple, "specialty": old.specialty}
    # facts changed: derive pattern and contraindications again unless given; else keep them
    facts_changed = any(k in change for k in fields)
    if not facts_changed:
        keep |= {"pattern": old.pattern, "contraindications": list(old.contraindications),
                 "positions": list(old.positions), "needs": [list(g) for g in old.needs]}
    if "positions" in change:   # new positions: the rules decide the areas again
        keep.pop("contraindications", None)
    keep |= {k: change[k] for k in ("pattern", "positions", "needs", "contraindications",
                                    "staple", "specialty") if k in change}
    ex = _derive(fields, keep)
    after = relinked({**before, ex.id: Entry(ex, ADMIN)}, read_overrides())
    await _write(db, before, after)
    return after[ex.id]


async def import_library(db: AsyncSession, data: object, *, replace_admin: bool = False
                         ) -> tuple[ImportReport, int, int]:
    """Import free-exercise-db records; (report, rows written, admin entries kept)."""
    try:
        report = import_exercises(data, read_overrides())
    except PlannerError as exc:
        raise InvalidInput(str(exc)) from exc
    before = await entries(db)
    kept = sum(1 for ex in report.exercises
               if ex.id in before and before[ex.id].source == ADMIN and not replace_admin)
    after = merge_import(before, report, read_overrides(), replace_admin=replace_admin)
    written = await _write(db, before, after)
    return report, written, kept
