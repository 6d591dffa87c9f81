"""Timetable pages (``/trainer/schedules``): drafts and the published week as a grid of
rooms x days, two scenarios side by side, suggested adjustments with their evidence.
Trainers propose drafts; admins publish, repair and pin (``calendar_pages`` holds leave,
closures, lookahead proposals and class ratings).

Writes are htmx posts (the CSRF header comes from ``base.html``); they answer with
``HX-Redirect`` to the resulting page, or a fragment naming the problem. Without
JavaScript the same forms post (with the ``csrf_token`` field) and get a 303.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.accounts.dependencies import AdminPage, TrainerPage
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.schedules import service
from api.schedules.calendar_pages import calendar_context
from api.schedules.exceptions import NoTimetable
from api.schedules.schemas import GenerateIn, PinIn, RepairIn, ScheduleOut
from api.schedules.studio import monday_of, next_monday
from api.templating import templates
from scheduler.config import ObjectiveWeights, load_settings
from scheduler.schemas import ObjectiveTerm
from scheduler.scoring import signed
from scheduler.timegrid import DAYS

router = APIRouter(tags=["pages"], include_in_schema=False)
WEIGHTS = tuple(ObjectiveWeights.model_fields)  # the scheduler's own model names them
# Scenario presets a manager can pick without knowing the weights (unset = admin's value).
SCENARIOS: dict[str, tuple[str, dict[str, float]]] = {
    "admin": ("Studio settings (admin weights)", {}),
    "attendance": ("Fill the most places (revenue ignored)", {"revenue": 0.0}),
    "revenue": ("Favour high-price classes", {"revenue": 0.5}),
    "comfort": ("Trainer comfort (short waits, few early/late asks)",
                {"idle_minute": 0.2, "preference": 10.0, "imbalance": 5.0}),
}


def _done(request: Request, url: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _problem(request: Request, message: str, lines: list[str] | None = None) -> HTMLResponse:
    """The reason a write did nothing, as a fragment (htmx) or an error page."""
    if request.headers.get("hx-request") == "true":
        return templates.TemplateResponse(request, "schedules_error.html", {
            "message": message, "lines": lines or []})
    return templates.TemplateResponse(request, "errors.html", {
        "title": "Request refused", "status": 422, "message": " ".join([message, *(lines or [])]),
        "request_id": str(getattr(request.state, "request_id", "-")), "fragment": False},
        status_code=422)


def _grid(schedule: ScheduleOut) -> dict[str, Any]:
    """Rooms x days with each cell's classes in time order (indexes kept for pins)."""
    names = schedule.names
    rooms = sorted({c.room for c in schedule.schedule} | set(names.get("rooms", {})),
                   key=lambda r: names.get("rooms", {}).get(r, r))
    cells: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for i, c in enumerate(schedule.schedule):
        cells.setdefault((c.room, c.day), []).append((i, c))
    for found in cells.values():
        found.sort(key=lambda pair: pair[1].start)
    return {"rooms": rooms, "days": DAYS, "cells": cells, "pinned": set(schedule.pinned)}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f} %"


def _versus(value: float, base: float | None) -> str:
    """Relative difference for the figures: '+6.5 %'; '0.0 %' rather than '-0.0 %'."""
    if not base:
        return "–"
    change = round(100 * (value / base - 1), 1)
    return f"{change:+.1f} %" if change else "0.0 %"


# What each objective term means, in a manager's words (the page shows these, not keys).
TERM_LABELS = {
    "attendance": "Expected attendees",
    "revenue": "Revenue (price × expected attendees)",
    "idle_time": "Trainer waiting time between classes",
    "imbalance": "Uneven spread over the week",
    "trainer_preferences": "Classes in times trainers asked to avoid",
    "changes": "Changes to the published timetable",
}

templates.env.filters["pct"] = _pct
templates.env.filters["versus"] = _versus
templates.env.filters["week_monday"] = lambda week: monday_of(int(week)).strftime("%d %b")


async def _list_context(db: Any, principal: Principal) -> dict[str, Any]:
    rows = await service.list_schedules(db)
    return {"title": "Timetables", "principal": principal, "schedules": rows,
            "published": next((r for r in rows if r.status == "published"), None),
            "scenarios": SCENARIOS, "weights": WEIGHTS,
            "next_monday": next_monday(date.today()),
            "time_limit": load_settings().studio.time_limit_s,
            **await calendar_context(db, principal)}


@router.get("/trainer/schedules", response_class=HTMLResponse)
async def schedules_page(request: Request, db: SessionDep, principal: TrainerPage
                         ) -> HTMLResponse:
    return templates.TemplateResponse(request, "schedules.html",
                                      await _list_context(db, principal))


@router.get("/trainer/schedules/compare", response_class=HTMLResponse)
async def compare_page(request: Request, db: SessionDep, principal: TrainerPage,
                       a: str, b: str) -> HTMLResponse:
    compared = await service.compare(db, a, b)
    return templates.TemplateResponse(request, "schedules_compare.html", {
        "title": "Compare timetables", "principal": principal, "c": compared,
        "a": compared.a, "b": compared.b, "diff": compared.diff, "grid_a": _grid(compared.a),
        "grid_b": _grid(compared.b)})


@router.get("/trainer/schedules/{schedule_id}", response_class=HTMLResponse)
async def schedule_page(schedule_id: str, request: Request, db: SessionDep,
                        principal: TrainerPage) -> HTMLResponse:
    schedule = await service.get_schedule(db, schedule_id)
    current = await service.published_row(db)
    return templates.TemplateResponse(request, "schedules_detail.html", {
        "title": schedule.name, "principal": principal, "s": schedule,
        "grid": _grid(schedule), "published_id": current.id if current else None,
        "days": DAYS, "just_published": request.query_params.get("published") == "1"})


@router.get("/trainer/schedules/{schedule_id}/adjustments", response_class=HTMLResponse)
async def adjustments_fragment(schedule_id: str, request: Request, db: SessionDep,
                               principal: TrainerPage) -> HTMLResponse:
    found = await service.adjustments(db, schedule_id)
    return templates.TemplateResponse(request, "schedules_adjustments.html", {
        "found": found, "names": (await service.get_schedule(db, schedule_id)).names})


def breakdown_rows(terms: dict[str, ObjectiveTerm]) -> dict[str, Any]:
    """Rows as the page shows them (1 decimal, signed) and their total, summed from the
    shown numbers so the column adds up exactly to the total printed under it."""
    rows = []
    for name, term in terms.items():
        shown = round(signed(term), 1) + 0.0
        rows.append({"name": name, "label": TERM_LABELS.get(name, name.replace("_", " ")),
                     "term": term, "shown": shown})
    return {"rows": rows, "total": round(sum(r["shown"] for r in rows), 1) + 0.0}


templates.env.globals["breakdown_rows"] = breakdown_rows


def _generate_body(form: dict[str, str]) -> GenerateIn:
    overrides = dict(SCENARIOS.get(form.get("scenario", "admin"), SCENARIOS["admin"])[1])
    for name in WEIGHTS:  # explicit numbers beat the preset
        if form.get(f"w_{name}", "").strip():
            overrides[name] = float(form[f"w_{name}"])
    return GenerateIn.model_validate({
        "name": form.get("name") or None, "week_start": form.get("week_start") or None,
        "weeks": form.get("weeks") or None, "time_limit_s": form.get("time_limit_s") or None,
        "weights": overrides or None})


@router.post("/trainer/schedules/generate", response_class=HTMLResponse)
async def generate(request: Request, db: SessionDep, principal: TrainerPage) -> Response:
    """Trainers propose a draft (admins are notified); admins plan one."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        draft = await service.generate(db, principal, _generate_body(form))
    except (ValidationError, ValueError) as exc:
        lines = ([f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
                 if isinstance(exc, ValidationError) else [str(exc)])
        return _problem(request, "Please check the form:", lines)
    except NoTimetable as exc:
        return _problem(request, "No timetable is possible with these rules.",
                        exc.explanation)
    except SpotterError as exc:
        if exc.status_code >= 500 or exc.status_code in (401, 403):
            raise
        return _problem(request, str(exc))
    return _done(request, f"/trainer/schedules/{draft.id}")


@router.post("/trainer/schedules/{schedule_id}/publish", response_class=HTMLResponse)
async def publish(schedule_id: str, request: Request, db: SessionDep, principal: AdminPage
                  ) -> Response:
    try:
        await service.publish(db, schedule_id)
    except SpotterError as exc:
        if exc.status_code not in (409, 422):
            raise
        return _problem(request, str(exc))
    return _done(request, f"/trainer/schedules/{schedule_id}?published=1")


@router.post("/trainer/schedules/{schedule_id}/pins/{index}", response_class=HTMLResponse)
async def toggle_pin(schedule_id: str, index: int, request: Request, db: SessionDep,
                     principal: AdminPage) -> Response:
    """Pin or unpin one class (new drafts keep pinned classes of the published week)."""
    schedule = await service.get_schedule(db, schedule_id)
    try:
        await service.pin(db, schedule_id, PinIn(index=index,
                                                 pinned=index not in schedule.pinned))
    except (ValidationError, SpotterError) as exc:
        if isinstance(exc, SpotterError) and exc.status_code not in (409, 422):
            raise
        return _problem(request, str(exc))
    return _done(request, f"/trainer/schedules/{schedule_id}")


@router.post("/trainer/schedules/{schedule_id}/repair", response_class=HTMLResponse)
async def repair(schedule_id: str, request: Request, db: SessionDep, principal: AdminPage
                 ) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    kind = form.get("kind", "")
    subject = "trainer" if kind == "trainer_unavailable" else "room"
    try:
        body = RepairIn.model_validate({"change": {
            "kind": kind, subject: form.get("subject", ""), "day": form.get("day") or None}})
        fixed = await service.repair(db, principal, schedule_id, body)
    except ValidationError as exc:
        return _problem(request, "Please check the form:",
                        [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                         for e in exc.errors()])
    except NoTimetable as exc:
        return _problem(request, "No repair is possible.", exc.explanation)
    except SpotterError as exc:
        if exc.status_code not in (409, 422, 429):
            raise
        return _problem(request, str(exc))
    return _done(request, f"/trainer/schedules/{fixed.draft.id}")
