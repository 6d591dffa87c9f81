"""Trainer planner pages: pick a member, keep their profile, generate a plan, review every
item with its reason, edit items (the rule check decides), approve or archive.

Plain forms with the CSRF field that post and redirect (they work without JavaScript);
item edits also answer htmx with just the changed item."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.accounts.dependencies import TrainerPage
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.exercises.service import current_library
from api.plans import access, display, editor, forms, lifecycle, service
from api.plans.exceptions import PlanRefused
from api.plans.schemas import PlanCreate, PlanEdit
from api.templating import templates
from db.access_log import logged, record_access
from planner.editing import DOSE_FIELDS, ItemEdit
from planner.library import ExerciseLibrary
from planner.vocab import GOALS, INJURY_AREAS, LEVELS

router = APIRouter(tags=["pages"], include_in_schema=False)
CSS = "/static/plans.css"


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


async def _planner_page(request: Request, db: SessionDep, principal: Principal,
                        member_id: str | None, status: int = 200,
                        errors: list[str] | None = None, reasons: list[str] | None = None,
                        values: dict[str, Any] | None = None) -> HTMLResponse:
    members = await access.visible_members(db, principal)
    chosen = next((m for m in members if m.id == member_id), None)
    stored = await service.stored_profile(db, chosen.id) if chosen else None
    plans = await service.list_plans(db, principal, member_id=chosen.id) if chosen else []
    await logged(db, principal, chosen.id if chosen else None, "profile", None, detail="planner")
    return templates.TemplateResponse(request, "plans.html", {
        "title": "Plans", "principal": principal, "members": members, "member": chosen,
        "stored": stored, "plans": plans, "errors": errors or [], "reasons": reasons or [],
        "values": values or (forms.starting_values(chosen, stored) if chosen else {}),
        "goals": GOALS, "levels": LEVELS, "equipment": editor.KIT_CHOICES,
        "areas": INJURY_AREAS, "saved": request.query_params.get("saved"), "css": CSS,
        "recent": await service.list_plans(db, principal, status="draft", limit=20)},
        status_code=status)


@router.get("/trainer/plans", response_class=HTMLResponse)
async def planner(request: Request, db: SessionDep, principal: TrainerPage,
                  member: str | None = None) -> HTMLResponse:
    return await _planner_page(request, db, principal, member)


@router.post("/trainer/plans/profile", response_class=HTMLResponse)
async def save_profile(request: Request, db: SessionDep, principal: TrainerPage) -> Response:
    form = await request.form()
    member_id = forms.text(form, "member_id") or ""
    member = await access.ensure_member_access(db, principal, member_id)
    try:
        profile = forms.profile_from_form(form, member, await service.stored_profile(db, member.id))
    except ValidationError as exc:
        return await _planner_page(request, db, principal, member.id, 422, _problems(exc))
    except ValueError as exc:
        return await _planner_page(request, db, principal, member.id, 422, [str(exc)])
    await service.save_profile(db, member.id, profile, principal.user_id)
    await db.commit()
    await record_access(db, principal, member.id, "change", "profile", "planner profile saved")
    return RedirectResponse(f"/trainer/plans?member={member.id}&saved=profile", status_code=303)


@router.post("/trainer/plans/generate", response_class=HTMLResponse)
async def generate(request: Request, db: SessionDep, principal: TrainerPage) -> Response:
    form = await request.form()
    member_id = forms.text(form, "member_id") or ""
    try:
        body = PlanCreate(member_id=member_id, weeks=forms.whole(form, "weeks") or 12)
        row = await service.generate(db, principal, body)
    except PlanRefused as exc:
        return await _planner_page(request, db, principal, member_id, 422,
                                   [exc.message], exc.reasons)
    except (ValidationError, ValueError) as exc:
        message = _problems(exc) if isinstance(exc, ValidationError) else [str(exc)]
        return await _planner_page(request, db, principal, member_id, 422, message)
    except SpotterError as exc:
        if exc.status_code in (403, 404):
            raise
        return await _planner_page(request, db, principal, member_id, exc.status_code,
                                   [str(exc)])
    await record_access(db, principal, row.member_id, "change", "plan", f"plan {row.id} generated")
    return RedirectResponse(f"/trainer/plans/{row.id}", status_code=303)


def _choices(item: dict[str, Any], library: ExerciseLibrary, profile: dict[str, Any]
             ) -> list[tuple[str, str]]:
    """Swap options for an item: the planner graph's variants that fit the member."""
    return editor.swap_choices(item, library, profile)


async def _review(request: Request, db: SessionDep, principal: Principal, plan_id: str,
                  week: int | None, status: int = 200, errors: list[str] | None = None
                  ) -> HTMLResponse:
    row = await access.plan_for(db, principal, plan_id)
    out = await service.plan_out(db, row)
    await record_access(db, principal, out.member_id, "view", "plan", f"plan {plan_id}")
    number = week or 1
    shown = display.week_of(out.plan, number) or display.week_of(out.plan, 1)
    library = await current_library(db)
    options = {(s["day"], i): _choices(item, library, out.profile)
               for s in (shown or {}).get("sessions", [])
               for i, item in enumerate(s["exercises"])}
    return templates.TemplateResponse(request, "plans_review.html", {
        "title": "Plan review", "principal": principal, "plan": out, "week": shown,
        "options": options, "fmt": display, "errors": errors or [], "css": CSS,
        "saved": request.query_params.get("saved")}, status_code=status)


@router.get("/trainer/plans/{plan_id}", response_class=HTMLResponse)
async def review(plan_id: str, request: Request, db: SessionDep, principal: TrainerPage,
                 week: int | None = None) -> HTMLResponse:
    return await _review(request, db, principal, plan_id, week)


def only_changes(edit: ItemEdit, item: dict[str, Any]) -> ItemEdit:
    """Drop form fields that repeat the item's current values (the form shows them all)."""
    def unchanged(field: str) -> bool:
        value = getattr(edit, field)
        if value is None:
            return False
        if field == "intensity":
            return bool(value.model_dump(exclude_none=True) == item["intensity"])
        return bool(value == item.get(field))

    same = {f: None for f in DOSE_FIELDS if unchanged(f)}
    return edit.model_copy(update=same)


@router.post("/trainer/plans/{plan_id}/items", response_class=HTMLResponse)
async def edit_item(plan_id: str, request: Request, db: SessionDep, principal: TrainerPage
                    ) -> Response:
    form = await request.form()
    htmx = request.headers.get("hx-request") == "true"
    week = forms.whole(form, "week") or 1
    row = await access.plan_for(db, principal, plan_id)
    errors: list[str] = []
    try:
        edit = forms.item_edit_from_form(form)
        shown = display.week_of(row.plan, edit.week) or {}
        current = next((s["exercises"][edit.index] for s in shown.get("sessions", [])
                        if s["day"] == edit.day and edit.index < len(s["exercises"])), None)
        if current is not None:
            edit = only_changes(edit, current)
        if not edit.remove and edit.exercise_id is None and edit.reason is None and all(
                getattr(edit, f) is None for f in DOSE_FIELDS):
            errors = ["nothing changed"]
        else:
            await service.edit(db, principal, plan_id, PlanEdit(changes=[edit]))
            await record_access(db, principal, row.member_id, "change", "plan", f"plan {plan_id}")
    except PlanRefused as exc:
        errors = [exc.message, *exc.reasons]
    except ValidationError as exc:
        errors = _problems(exc)
    except ValueError as exc:
        errors = [str(exc)]
    if htmx or errors:
        return await _review(request, db, principal, plan_id, week,
                             422 if errors and not htmx else 200, errors)
    return RedirectResponse(f"/trainer/plans/{plan_id}?week={week}&saved=item",
                            status_code=303)


@router.post("/trainer/plans/{plan_id}/approve", response_class=HTMLResponse)
async def approve(plan_id: str, request: Request, db: SessionDep, principal: TrainerPage
                  ) -> Response:
    try:
        approved = await lifecycle.approve(db, principal, plan_id)
        await record_access(db, principal, approved.member_id, "change", "plan", "approved")
    except PlanRefused as exc:
        return await _review(request, db, principal, plan_id, None, 422,
                             [exc.message, *exc.reasons])
    return RedirectResponse(f"/trainer/plans/{plan_id}?saved=approved", status_code=303)


@router.post("/trainer/plans/{plan_id}/archive", response_class=HTMLResponse)
async def archive(plan_id: str, request: Request, db: SessionDep, principal: TrainerPage
                  ) -> Response:
    archived = await service.archive(db, principal, plan_id)
    await record_access(db, principal, archived.member_id, "change", "plan", "archived")
    return RedirectResponse(f"/trainer/plans/{plan_id}?saved=archived", status_code=303)
