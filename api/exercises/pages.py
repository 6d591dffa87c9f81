"""Admin pages of the exercise library (``/admin/exercises``): search, add, edit, import.

Plain forms with the CSRF field that post and redirect; the library rules (derived pattern,
positions, fixtures, contraindications, links) are the planner's, exactly as in the API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from api.accounts.dependencies import AdminPage
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.exercises import service
from api.exercises.schemas import ExerciseIn, ExercisePatch
from api.templating import templates
from planner.vocab import (
    CATEGORIES,
    EQUIPMENT,
    INJURY_AREAS,
    LEVELS,
    MUSCLES,
    PATTERNS,
    POSITIONS,
)

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = 40
MAX_UPLOAD = 8 * 1024 * 1024
VOCAB = {"muscles": MUSCLES, "equipment": EQUIPMENT, "levels": LEVELS, "patterns": PATTERNS,
         "categories": CATEGORIES, "areas": INJURY_AREAS, "positions": POSITIONS}


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


def _fields(form: FormData, *, partial: bool) -> dict[str, Any]:
    """Form -> ExerciseIn/ExercisePatch fields (empty optional fields are left out)."""
    def one(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v]

    data: dict[str, Any] = {k: one(k) for k in ("id", "name", "equipment", "level", "category",
                                                "mechanic", "force", "pattern")}
    data |= {"primary_muscles": many("primary_muscles"),
             "secondary_muscles": many("secondary_muscles"),
             "staple": one("staple") == "on", "specialty": one("specialty") == "on"}
    if one("set_positions") == "on":
        data["positions"] = many("positions")
    if partial:
        data.pop("id")
        return {k: v for k, v in data.items() if v not in (None, [])
                or k in ("secondary_muscles", "positions")}
    return {k: v for k, v in data.items() if v is not None}


async def _list_page(request: Request, db: SessionDep, principal: Principal, status: int = 200,
                     errors: list[str] | None = None, report: dict[str, Any] | None = None,
                     values: dict[str, Any] | None = None) -> HTMLResponse:
    q = request.query_params.get("q") or None
    pattern = request.query_params.get("pattern") or None
    equipment = request.query_params.get("equipment") or None
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    total, found = await service.search(db, q=q, pattern=pattern if pattern in PATTERNS else None,
                                        equipment=equipment if equipment in EQUIPMENT else None,
                                        offset=(page - 1) * PAGE, limit=PAGE)
    return templates.TemplateResponse(request, "exercises.html", {
        "title": "Exercise library", "principal": principal, "found": found, "total": total,
        "page": page, "pages": max(1, -(-total // PAGE)), "q": q or "", "pattern": pattern,
        "equipment_filter": equipment, "errors": errors or [], "report": report,
        "values": values or {}, "saved": request.query_params.get("saved"),
        "css": "/static/plans.css", **VOCAB}, status_code=status)


@router.get("/admin/exercises", response_class=HTMLResponse)
async def library_page(request: Request, db: SessionDep, principal: AdminPage) -> HTMLResponse:
    return await _list_page(request, db, principal)


@router.post("/admin/exercises", response_class=HTMLResponse)
async def add(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = await request.form()
    data = _fields(form, partial=False)
    try:
        entry = await service.add_exercise(db, ExerciseIn.model_validate(data))
    except ValidationError as exc:
        return await _list_page(request, db, principal, 422, _problems(exc), values=data)
    except SpotterError as exc:
        return await _list_page(request, db, principal, exc.status_code, [str(exc)],
                                values=data)
    return RedirectResponse(f"/admin/exercises/{entry.exercise.id}?saved=added",
                            status_code=303)


@router.post("/admin/exercises/import", response_class=HTMLResponse)
async def import_file(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return await _list_page(request, db, principal, 422, ["choose a JSON file to import"])
    raw = await upload.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        return await _list_page(request, db, principal, 413, ["the file is over 8 MB"])
    try:
        data = json.loads(raw)
        report, written, kept = await service.import_library(
            db, data, replace_admin=form.get("replace_admin") == "on")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return await _list_page(request, db, principal, 422, [f"not valid JSON: {exc}"])
    except SpotterError as exc:
        return await _list_page(request, db, principal, exc.status_code, [str(exc)])
    return await _list_page(request, db, principal, report={
        "imported": len(report.exercises), "written": written, "kept": kept,
        "rejected": report.rejected})


async def _edit_page(request: Request, db: SessionDep, principal: Principal, exercise_id: str,
                     status: int = 200, errors: list[str] | None = None) -> HTMLResponse:
    entry = await service.get_entry(db, exercise_id)
    everything = await service.entries(db)
    names = {k: e.exercise.name for k, e in everything.items()}
    return templates.TemplateResponse(request, "exercises_edit.html", {
        "title": entry.exercise.name, "principal": principal, "entry": entry, "ex": entry.exercise,
        "names": names, "errors": errors or [], "saved": request.query_params.get("saved"),
        "css": "/static/plans.css", **VOCAB}, status_code=status)


@router.get("/admin/exercises/{exercise_id}", response_class=HTMLResponse)
async def edit_page(exercise_id: str, request: Request, db: SessionDep, principal: AdminPage
                    ) -> HTMLResponse:
    return await _edit_page(request, db, principal, exercise_id)


@router.post("/admin/exercises/{exercise_id}", response_class=HTMLResponse)
async def save(exercise_id: str, request: Request, db: SessionDep, principal: AdminPage
               ) -> Response:
    form = await request.form()
    try:
        await service.edit_exercise(db, exercise_id,
                                    ExercisePatch.model_validate(_fields(form, partial=True)))
    except ValidationError as exc:
        return await _edit_page(request, db, principal, exercise_id, 422, _problems(exc))
    except SpotterError as exc:
        if exc.status_code == 404:
            raise
        return await _edit_page(request, db, principal, exercise_id, exc.status_code,
                                [str(exc)])
    return RedirectResponse(f"/admin/exercises/{exercise_id}?saved=edited", status_code=303)
