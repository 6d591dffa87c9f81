"""The exercise library as the API sees it: database rows when an admin has curated them,
else the packaged library; plus the pure merge rules for imports and admin edits.

Rows hold the planner's :class:`~planner.models.Exercise` as JSON (``exercises.data``).
The first write copies the packaged library into the table, so the database then holds
the whole library and every later read comes from it. After any add, edit or import the
regression/progression links of the whole library are derived again (``planner.derive.link``):
a new easier squat becomes the regression of the squats it is easier than.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.derive import Overrides, derive_exercise, link
from planner.importer import ImportReport
from planner.library import ExerciseLibrary
from planner.models import Exercise

LIBRARY, ADMIN = "library", "admin"


@dataclass(frozen=True)
class Entry:
    exercise: Exercise
    source: str  # library (imported) | admin (added or edited by an admin)


def relinked(entries: Mapping[str, Entry], overrides: Overrides) -> dict[str, Entry]:
    """Every entry with links derived again over the whole set (ids in a stable order)."""
    ordered = [entries[k].exercise for k in sorted(entries)]
    return {ex.id: Entry(ex, entries[ex.id].source) for ex in link(ordered, overrides)}


def merge_import(current: Mapping[str, Entry], report: ImportReport, overrides: Overrides,
                 *, replace_admin: bool = False) -> dict[str, Entry]:
    """The library after an import: imported records replace library entries of the same
    id; admin-curated entries stay unless ``replace_admin``; nothing else is dropped."""
    merged = dict(current)
    for ex in report.exercises:
        have = merged.get(ex.id)
        if have is not None and have.source == ADMIN and not replace_admin:
            continue
        merged[ex.id] = Entry(ex, LIBRARY)
    return relinked(merged, overrides)


def upgraded(rows: Mapping[str, tuple[dict[str, Any], str]], packaged: ExerciseLibrary,
             overrides: Overrides) -> dict[str, Entry]:
    """Entries from stored rows; rows written before joint positions and fixtures existed
    take them (with equipment, contraindications and links) from the packaged library, or
    from the derivation rules for an admin's own exercise, and all links are derived again,
    so an old table never lets a body-only member have a pull-up."""
    entries: dict[str, Entry] = {}
    stale = False
    for ex_id, (data, source) in rows.items():
        if "positions" in data:
            entries[ex_id] = Entry(Exercise.model_validate(data), source)
            continue
        stale = True
        if ex_id in packaged:
            fresh = packaged.get(ex_id)
            keep = {k: v for k, v in data.items() if k in ("name", "staple", "specialty")}
            entries[ex_id] = Entry(fresh.model_copy(update=keep), source)
            continue
        record = {"id": ex_id, "name": data["name"], "level": data["level"],
                  "category": data["category"], "equipment": data["equipment"],
                  "mechanic": data.get("mechanic"), "force": data.get("force"),
                  "primaryMuscles": list(data["primary_muscles"]),
                  "secondaryMuscles": list(data.get("secondary_muscles") or [])}
        fresh = derive_exercise(record, overrides)
        entries[ex_id] = Entry(fresh.model_copy(update={"pattern": data["pattern"]}), source)
    return relinked(entries, overrides) if stale else entries


def changed(before: Mapping[str, Entry], after: Mapping[str, Entry]) -> list[Entry]:
    """Entries that are new or differ (what an adapter must write)."""
    return [e for k, e in after.items() if before.get(k) != e]


def library_of(entries: Iterable[Entry]) -> ExerciseLibrary:
    return ExerciseLibrary(e.exercise for e in entries)


def row_values(entry: Entry) -> dict[str, Any]:
    return {"id": entry.exercise.id, "name": entry.exercise.name,
            "data": entry.exercise.model_dump(mode="json"), "source": entry.source}
