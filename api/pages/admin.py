"""Admin pages: studio settings, accounts and device tokens. Plain forms (with the CSRF
field) that post back and redirect, so they work without JavaScript on any tablet.
Rooms, class types, trainers' availability and members are edited in SQLAdmin
(``/admin/db``); the exercise library page belongs to the planner (``/admin/exercises``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import users
from api.accounts.dependencies import AdminPage
from api.accounts.principal import Principal
from api.accounts.schemas import TokenIn, UserIn, UserPatch
from api.admin import service
from api.admin.schemas import AiFeatures, RetentionPolicy, SchedulerPolicy
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.templating import templates
from db.accounts import User
from db.models import ClassSession, Member, Room, Trainer
from db.notify import EVENTS
from db.platform import OutboxMessage
from scheduler.config import ObjectiveWeights

router = APIRouter(tags=["pages"], include_in_schema=False)
# Names, labels and what each weight buys: the scheduler's own model defines them once.
WEIGHT_FIELDS = tuple(ObjectiveWeights.model_fields)
WEIGHT_WORDS = {name: (f.title or name, f.description or "")
                for name, f in ObjectiveWeights.model_fields.items()}
RETENTION_FIELDS = RetentionPolicy.model_fields
CONSTRAINT_FIELDS = ("max_trainer_hours", "changeover_minutes", "max_classes_per_trainer_day",
                     "opens", "closes")


def problems(exc: ValidationError) -> list[str]:
    """Readable lines from a pydantic error: 'weights.revenue: must be ≥ 0'."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


async def _page(request: Request, name: str, principal: Principal, status: int = 200,
                **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {
        "principal": principal, "saved": request.query_params.get("saved"), **context,
    }, status_code=status)


async def _count(db: AsyncSession, model: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


@router.get("/admin", response_class=HTMLResponse)
async def dashboard(request: Request, db: SessionDep, principal: AdminPage) -> HTMLResponse:
    counts = {"users": await _count(db, User), "members": await _count(db, Member),
              "trainers": await _count(db, Trainer), "rooms": await _count(db, Room),
              "classes": await _count(db, ClassSession)}
    outbox = list(await db.scalars(select(OutboxMessage)
                                   .order_by(OutboxMessage.created_at.desc()).limit(10)))
    people = {u.id: u.display_name or u.email for u in await users.list_users(db)}
    return await _page(request, "admin.html", principal, title="Admin", counts=counts,
                       outbox=outbox, people=people, events=EVENTS,
                       features=await service.ai_features(db))


async def _settings_page(request: Request, db: AsyncSession, principal: Principal,
                         status: int = 200, errors: dict[str, list[str]] | None = None
                         ) -> HTMLResponse:
    rooms = list(await db.scalars(select(Room).order_by(Room.name)))
    return await _page(request, "admin_settings.html", principal, status,
                       title="Studio settings", rooms=rooms, errors=errors or {},
                       features=await service.ai_features(db),
                       policy=await service.scheduler_policy(db),
                       weight_fields=WEIGHT_FIELDS, weight_words=WEIGHT_WORDS,
                       constraint_fields=CONSTRAINT_FIELDS,
                       retention=await service.retention(db), retention_fields=RETENTION_FIELDS,
                       insights_env=insights_override(request))


@router.get("/admin/settings", response_class=HTMLResponse)
async def settings_page(request: Request, db: SessionDep, principal: AdminPage
                        ) -> HTMLResponse:
    return await _settings_page(request, db, principal)


@router.post("/admin/settings/ai-features", response_class=HTMLResponse)
async def save_features(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = await request.form()
    rooms = {str(k).removeprefix("vision_room:"): str(v) for k, v in form.items()
             if str(k).startswith("vision_room:") and v in ("on", "off")}
    try:
        value = AiFeatures(planner="planner" in form, live_alerts="live_alerts" in form,
                           vision_default="vision_default" in form,
                           vision_rooms={room: state == "on" for room, state in rooms.items()})
        await service.save(db, value)
    except ValidationError as exc:
        return await _settings_page(request, db, principal, 422, {"ai": problems(exc)})
    except SpotterError as exc:
        return await _settings_page(request, db, principal, exc.status_code, {"ai": [str(exc)]})
    return RedirectResponse("/admin/settings?saved=ai-features", status_code=303)


@router.post("/admin/settings/scheduler-policy", response_class=HTMLResponse)
async def save_policy(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = await request.form()

    def field(name: str) -> Any:
        value = str(form.get(name, "")).strip()
        return value or None

    weights = {f: field(f"weights.{f}") for f in WEIGHT_FIELDS}
    constraints = {f: field(f"constraints.{f}") for f in CONSTRAINT_FIELDS}
    try:
        value = SchedulerPolicy.model_validate({
            "weights": {k: v for k, v in weights.items() if v is not None},
            "constraints": {k: v for k, v in constraints.items()
                            if v is not None or k == "max_classes_per_trainer_day"},
        })
        await service.save(db, value)
    except ValidationError as exc:
        return await _settings_page(request, db, principal, 422,
                                    {"scheduler": problems(exc)})
    return RedirectResponse("/admin/settings?saved=scheduler-policy", status_code=303)


def insights_override(request: Request) -> int | None:
    """SPOTTER_INSIGHTS_RETENTION_DAYS when the operator set it: it wins over the page."""
    settings = request.app.state.settings
    if "insights_retention_days" in settings.model_fields_set:
        return int(settings.insights_retention_days)
    return None


@router.post("/admin/settings/retention", response_class=HTMLResponse)
async def save_retention(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = await request.form()
    document = {f: str(form.get(f, "")).strip() for f in RETENTION_FIELDS}
    try:
        value = RetentionPolicy.model_validate({k: v for k, v in document.items() if v})
        await service.save(db, value)
    except ValidationError as exc:
        return await _settings_page(request, db, principal, 422, {"retention": problems(exc)})
    return RedirectResponse("/admin/settings?saved=retention", status_code=303)


async def _users_page(request: Request, db: AsyncSession, principal: Principal,
                      status: int = 200, errors: list[str] | None = None,
                      form: dict[str, Any] | None = None) -> HTMLResponse:
    return await _page(request, "admin_users.html", principal, status, title="Accounts",
                       users=await users.list_users(db), errors=errors or [],
                       form=form or {})


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request, db: SessionDep, principal: AdminPage) -> HTMLResponse:
    return await _users_page(request, db, principal)


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, db: SessionDep, principal: AdminPage) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()
            if k != "csrf_token" and str(v).strip()}
    try:
        body = UserIn.model_validate(form)
        await users.create_user(db, **body.model_dump())
    except ValidationError as exc:
        return await _users_page(request, db, principal, 422, problems(exc), form)
    except SpotterError as exc:
        return await _users_page(request, db, principal, exc.status_code, [str(exc)], form)
    return RedirectResponse("/admin/users?saved=created", status_code=303)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
async def update_user(user_id: str, request: Request, db: SessionDep, principal: AdminPage
                      ) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()
            if k != "csrf_token" and str(v).strip()}
    if "is_active" in form:
        form["is_active"] = form["is_active"] == "true"  # type: ignore[assignment]
    try:
        patch = UserPatch.model_validate(form)
        await users.update_user(db, user_id, acting_user_id=principal.user_id,
                                **patch.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return await _users_page(request, db, principal, 422, problems(exc))
    except SpotterError as exc:
        return await _users_page(request, db, principal, exc.status_code, [str(exc)])
    return RedirectResponse("/admin/users?saved=updated", status_code=303)


async def _devices_page(request: Request, db: AsyncSession, principal: Principal,
                        status: int = 200, errors: list[str] | None = None,
                        issued: tuple[str, str] | None = None) -> HTMLResponse:
    rooms = list(await db.scalars(select(Room).order_by(Room.name)))
    tokens = await users.list_tokens(db)
    emails = {u.id: u.email for u in await users.list_users(db)}
    return await _page(request, "admin_devices.html", principal, status,
                       title="Devices and tokens", rooms=rooms, tokens=tokens, emails=emails,
                       errors=errors or [], issued=issued)


@router.get("/admin/devices", response_class=HTMLResponse)
async def devices_page(request: Request, db: SessionDep, principal: AdminPage) -> HTMLResponse:
    return await _devices_page(request, db, principal)


@router.post("/admin/devices", response_class=HTMLResponse)
async def issue_device_token(request: Request, db: SessionDep, principal: AdminPage
                             ) -> HTMLResponse:
    form = await request.form()
    try:
        body = TokenIn(name=str(form.get("name", "")).strip() or "edge box",
                       room_id=str(form.get("room_id", "")).strip() or None)
        if body.room_id is None:
            raise ValueError("choose the room the device is in")
        row, secret = await users.issue_token(db, name=body.name, room_id=body.room_id)
    except ValidationError as exc:
        return await _devices_page(request, db, principal, 422, problems(exc))
    except (SpotterError, ValueError) as exc:
        status = exc.status_code if isinstance(exc, SpotterError) else 422
        return await _devices_page(request, db, principal, status, [str(exc)])
    # Shown once, never stored: the page is the only place the secret appears.
    return await _devices_page(request, db, principal, 201, issued=(row.name, secret))


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(token_id: str, db: SessionDep, principal: AdminPage) -> Response:
    await users.revoke_token(db, token_id)
    return RedirectResponse("/admin/devices?saved=revoked", status_code=303)
