"""The exercise library: anyone logged in may look things up; admins curate it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.accounts.dependencies import AdminPrincipal, UserPrincipal
from api.deps import SessionDep
from api.exercises import service
from api.exercises.schemas import (
    AlternativeOut,
    ExerciseIn,
    ExerciseOut,
    ExercisePatch,
    ImportOut,
    RejectedOut,
)
from planner.graph import Limits, find_alternative
from planner.vocab import Direction, Equipment, Kit, Level, Pattern

router = APIRouter(prefix="/api/exercises", tags=["exercises"])


def _out(entry: service.Entry) -> ExerciseOut:
    return ExerciseOut(exercise=entry.exercise, source=entry.source)


@router.get("")
async def list_exercises(db: SessionDep, principal: UserPrincipal,
                         q: str | None = Query(default=None, max_length=100),
                         pattern: Pattern | None = None, equipment: Equipment | None = None,
                         offset: int = Query(default=0, ge=0),
                         limit: int = Query(default=50, ge=1, le=500)) -> dict[str, Any]:
    """Search the library by name or id, movement pattern and equipment."""
    total, found = await service.search(db, q=q, pattern=pattern, equipment=equipment,
                                        offset=offset, limit=limit)
    return {"total": total, "items": [_out(e).model_dump(mode="json") for e in found]}


@router.get("/{exercise_id}")
async def get_exercise(exercise_id: str, db: SessionDep, principal: UserPrincipal
                       ) -> ExerciseOut:
    return _out(await service.get_entry(db, exercise_id))


@router.get("/{exercise_id}/alternative")
async def alternative(exercise_id: str, db: SessionDep, principal: UserPrincipal,
                      direction: Direction = "same",
                      equipment: list[Kit] | None = Query(default=None),
                      avoid: list[str] | None = Query(default=None, max_length=30),
                      level: Level | None = None) -> AlternativeOut:
    """The best easier / harder / same substitute within the kit on hand (``equipment``,
    repeatable, fixtures such as ``pull-up bar`` or ``bench`` included; body-only work
    always fits) avoiding injury areas or exercise ids, at or below ``level``. The same
    graph the plan editor and in-session modifications use."""
    entry = await service.get_entry(db, exercise_id)
    library = await service.current_library(db)
    alt = await run_in_threadpool(find_alternative, entry.exercise, direction, library=library,
                                  limits=Limits.parse(equipment, avoid, level))
    if alt is None:
        why = (f"nothing {direction} than {entry.exercise.name} fits the kit and limits "
               "given; widen the equipment or ask a coach")
    else:
        why = (f"{alt.name}: {alt.pattern.replace('_', ' ')} for "
               f"{', '.join(alt.primary_muscles)}, needs {alt.kit_words()}, {alt.level}")
    return AlternativeOut(exercise_id=exercise_id, direction=direction, alternative=alt,
                          reason=why)


@router.post("", status_code=201)
async def add_exercise(body: ExerciseIn, db: SessionDep, principal: AdminPrincipal
                       ) -> ExerciseOut:
    """Add an exercise; pattern, contraindications and links are derived unless given."""
    return _out(await service.add_exercise(db, body))


@router.patch("/{exercise_id}")
async def edit_exercise(exercise_id: str, body: ExercisePatch, db: SessionDep,
                        principal: AdminPrincipal) -> ExerciseOut:
    """Change an exercise; its derived fields and every link are worked out again."""
    return _out(await service.edit_exercise(db, exercise_id, body))


@router.post("/import")
async def import_exercises(body: list[dict[str, Any]], db: SessionDep,
                           principal: AdminPrincipal, replace_admin: bool = False
                           ) -> ImportOut:
    """Import records in free-exercise-db's ``exercises.json`` format into the database.

    Bad records are listed with their index and reason; good ones still import. Entries an
    admin curated are kept unless ``replace_admin=true``."""
    report, written, kept = await service.import_library(db, body, replace_admin=replace_admin)
    return ImportOut(imported=len(report.exercises), written=written, kept_admin=kept,
                     rejected=[RejectedOut(index=r.index, id=r.id, reason=r.reason)
                               for r in report.rejected])
