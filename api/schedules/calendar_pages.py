"""The calendar side of ``/trainer/schedules``: trainers' time off, studio closures, the
lookahead's proposals (admins apply or dismiss each with one button), and the class
ratings page (``/trainer/class-feedback``).

Forms post with the CSRF field (htmx adds the header); every write answers with a 303 back
to the section it came from (``HX-Refresh`` under htmx), or the reason it did nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from api.accounts.dependencies import AdminPage, TrainerPage
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.feedback import service as class_feedback
from api.schedules import closures, leave, lookahead
from api.templating import templates
from db.models import Trainer

router = APIRouter(tags=["pages"], include_in_schema=False)


async def calendar_context(db: Any, principal: Principal) -> dict[str, Any]:
    """What the timetables page shows beside the timetables."""
    return {"leave": await leave.upcoming(db),
            "proposals": await lookahead.list_proposals(db, "open"),
            "closures": await closures.closures(db),
            "trainers": {t.id: t.display_name for t in await db.scalars(
                select(Trainer).order_by(Trainer.display_name))},
            "today": date.today()}


def _back(request: Request, anchor: str) -> Response:
    """htmx: reload the page (a redirect to the same path plus an anchor would only
    scroll); without JavaScript: 303 back to the section."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return RedirectResponse(f"/trainer/schedules#{anchor}", status_code=303)


def _refused(request: Request, message: str) -> HTMLResponse:
    if request.headers.get("hx-request") == "true":
        return templates.TemplateResponse(request, "schedules_error.html", {
            "message": message, "lines": []})
    return templates.TemplateResponse(request, "errors.html", {
        "title": "Request refused", "status": 422, "message": message,
        "request_id": str(getattr(request.state, "request_id", "-")), "fragment": False},
        status_code=422)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


@router.post("/trainer/schedules/leave", response_class=HTMLResponse)
async def add_leave(request: Request, db: SessionDep, principal: TrainerPage) -> Response:
    """Record time off: trainers their own, admins anyone's (the lookahead runs at once)."""
    form = await _form(request)
    try:
        body = leave.LeaveIn.model_validate({
            "trainer_id": form.get("trainer_id") or None, "starts_on": form.get("starts_on"),
            "ends_on": form.get("ends_on") or form.get("starts_on"),
            "reason": form.get("reason") or None})
        await leave.add(db, principal, body)
    except (ValidationError, SpotterError) as exc:
        if isinstance(exc, SpotterError) and exc.status_code not in (403, 404, 422):
            raise
        return _refused(request, f"Time off not recorded: {_reason(exc)}")
    return _back(request, "leave")


@router.post("/trainer/schedules/leave/{leave_id}/delete", response_class=HTMLResponse)
async def delete_leave(leave_id: str, request: Request, db: SessionDep,
                       principal: TrainerPage) -> Response:
    try:
        await leave.remove(db, principal, leave_id)
    except SpotterError as exc:
        if exc.status_code not in (403, 404):
            raise
        return _refused(request, str(exc))
    return _back(request, "leave")


@router.post("/trainer/schedules/closures", response_class=HTMLResponse)
async def save_closures(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    """One closure per line: ``2026-12-25 Christmas`` (the label is optional)."""
    form = await _form(request)
    dates, labels, bad = [], {}, []
    for line in form.get("closures", "").splitlines():
        if not line.strip():
            continue
        day, _, label = line.strip().partition(" ")
        try:
            when = date.fromisoformat(day)
        except ValueError:
            bad.append(line.strip())
            continue
        dates.append(when)
        if label.strip():
            labels[when.isoformat()] = label.strip()[:80]
    if bad:
        return _refused(request, "Not a date (use YYYY-MM-DD, one per line): "
                        + ", ".join(bad[:5]))
    try:
        await closures.save(db, closures.StudioClosures(dates=dates, labels=labels))
    except ValidationError as exc:
        return _refused(request, _reason(exc))
    return _back(request, "closures")


@router.post("/trainer/schedules/lookahead", response_class=HTMLResponse)
async def run_lookahead(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    await lookahead.scan(db)
    return _back(request, "lookahead")


@router.post("/trainer/schedules/proposals/{proposal_id}/{action}",
             response_class=HTMLResponse)
async def decide(proposal_id: str, action: str, request: Request, db: SessionDep,
                 principal: AdminPage) -> Response:
    """Apply or dismiss one lookahead proposal."""
    if action not in ("apply", "dismiss"):
        return _refused(request, f"unknown action {action!r}: apply or dismiss")
    try:
        await (lookahead.apply if action == "apply" else lookahead.dismiss)(
            db, proposal_id, principal)
    except SpotterError as exc:
        if exc.status_code not in (404, 409):
            raise
        return _refused(request, str(exc))
    return _back(request, "lookahead")


@router.get("/trainer/class-feedback", response_class=HTMLResponse)
async def feedback_page(request: Request, db: SessionDep, principal: TrainerPage,
                        mine: bool = False) -> HTMLResponse:
    """Members' ratings of recent classes: trainers see how their classes land."""
    trainer_id = principal.trainer_id if mine and principal.trainer_id else None
    rated = await class_feedback.by_class(db, days=28, trainer_id=trainer_id)
    return templates.TemplateResponse(request, "schedules_feedback.html", {
        "title": "Class feedback", "principal": principal, "rated": rated, "mine": mine})
