"""Plain CRUD of studio records (rooms, class types, trainers and their availability,
members, class sessions) with SQLAdmin, mounted at ``/admin/db``.

It sits behind the same session cookie as every page: anonymous visitors go to /login,
other roles get 403. SQLAdmin's forms carry no CSRF token of ours, so writes must come
from this site (the Origin or Referer header names our host), on top of the SameSite
cookie.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from wtforms import FloatField

from api.accounts import service as accounts
from api.accounts.dependencies import SAFE_METHODS, SESSION_COOKIE
from api.accounts.principal import Principal
from db.models import ClassSession, ClassType, Member, Room, Trainer

BASE_URL = "/admin/db"
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class AvailabilityWindow(BaseModel):
    """One weekly window a trainer can teach: ``{"day": 0..6 (Mon..Sun), "start", "end"}``."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=0, le=6)
    start: str = Field(pattern=_CLOCK)
    end: str = Field(pattern=_CLOCK)

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityWindow:
        if self.start >= self.end:
            raise ValueError(f"a window must start before it ends ({self.start}-{self.end})")
        return self


_WINDOWS = TypeAdapter(list[AvailabilityWindow])


def check_availability(value: Any) -> list[dict[str, Any]]:
    """Validated availability, or ValueError with a message SQLAdmin shows on the form."""
    try:
        windows = _WINDOWS.validate_python(value or [])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"availability {where}: {first['msg']} — expected a list like "
                         '[{"day": 0, "start": "07:00", "end": "12:00"}]') from exc
    return [w.model_dump() for w in windows]


def same_origin(request: Request) -> bool:
    """Does the Origin (or, failing that, Referer) header name this very host?"""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host", "")


class SessionAuth(AuthenticationBackend):
    """Our own session cookie (or bearer token), admins only. No SQLAdmin login form."""

    def __init__(self, sessions: Callable[[], async_sessionmaker[AsyncSession]]) -> None:
        self.middlewares = []  # no Starlette SessionMiddleware: our cookie is the session
        self._sessions = sessions

    async def _principal(self, request: Request) -> Principal | None:
        async with self._sessions()() as db:
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer "):
                return await accounts.principal_from_bearer(db, header[7:].strip())
            cookie = request.cookies.get(SESSION_COOKIE)
            return await accounts.principal_from_cookie(db, cookie) if cookie else None

    async def authenticate(self, request: Request) -> Response | bool:
        principal = await self._principal(request)
        if principal is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if principal.role != "admin":
            return HTMLResponse("<h1>Forbidden</h1><p>The studio database is for admins.</p>",
                                status_code=403)
        if (principal.via == "cookie" and request.method not in SAFE_METHODS
                and not same_origin(request)):
            return HTMLResponse("<h1>Forbidden</h1><p>Cross-site form post refused.</p>",
                                status_code=403)
        request.state.principal = principal
        return True

    async def get_user_id(self, request: Request) -> Any:
        principal = getattr(request.state, "principal", None)
        return principal.user_id if principal else None

    async def login(self, request: Request) -> Response | bool:
        return RedirectResponse(f"/login?next={quote(BASE_URL + '/')}", status_code=303)

    async def logout(self, request: Request) -> Response | bool:
        return RedirectResponse("/admin", status_code=303)


class RoomAdmin(ModelView, model=Room):
    name_plural = "Rooms"
    column_list = [Room.id, Room.name, Room.capacity, Room.features]
    column_searchable_list = [Room.name]


class ClassTypeAdmin(ModelView, model=ClassType):
    name_plural = "Class types"
    column_list = [ClassType.id, ClassType.name, ClassType.duration_min,
                   ClassType.qualification, ClassType.revenue_weight]
    column_searchable_list = [ClassType.name]
    # SQLAlchemy 2.1's Float is no longer a Numeric, so SQLAdmin finds no converter.
    form_overrides = {"revenue_weight": FloatField}


class TrainerAdmin(ModelView, model=Trainer):
    name_plural = "Trainers and availability"
    column_list = [Trainer.id, Trainer.display_name, Trainer.qualifications,
                   Trainer.max_hours_per_week, Trainer.availability]
    column_searchable_list = [Trainer.display_name]
    form_overrides = {"max_hours_per_week": FloatField}

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                              request: Request) -> None:
        if "availability" in data:
            data["availability"] = check_availability(data["availability"])
        hours = data.get("max_hours_per_week")
        if hours is not None and not 0 < float(hours) <= 80:
            raise ValueError("max hours per week must be between 0 and 80")


class MemberAdmin(ModelView, model=Member):
    name_plural = "Members"
    column_list = [Member.id, Member.display_name, Member.email, Member.birth_year,
                   Member.hr_max, Member.hr_rest]
    column_searchable_list = [Member.display_name, Member.email]
    form_overrides = {"weight_kg": FloatField}

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                              request: Request) -> None:
        email = data.get("email")
        if email and not re.match(r"^[^@\s]+@[^@\s]+$", str(email)):
            raise ValueError(f"{email!r} is not an email address")


class ClassSessionAdmin(ModelView, model=ClassSession):
    name_plural = "Class sessions"
    column_list = [ClassSession.id, ClassSession.starts_at, ClassSession.status,
                   ClassSession.room_id, ClassSession.trainer_id]

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                              request: Request) -> None:
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise ValueError("a class must end after it starts")


def mount_database_admin(app: FastAPI,
                         sessions: Callable[[], async_sessionmaker[AsyncSession]]) -> Admin:
    admin = Admin(app, session_maker=sessions(), base_url=BASE_URL, title="Spotter data",
                  authentication_backend=SessionAuth(sessions))
    for view in (RoomAdmin, ClassTypeAdmin, TrainerAdmin, MemberAdmin, ClassSessionAdmin):
        admin.add_view(view)
    return admin
