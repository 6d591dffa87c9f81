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
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import FloatField
from wtforms.validators import NumberRange

from api.accounts import service as accounts
from api.accounts.dependencies import SAFE_METHODS, SESSION_COOKIE
from api.accounts.principal import Principal
from api.templating import templates
from db.access_log import record_access
from db.models import ClassSession, ClassType, Member, Room, Trainer
from scheduler.schemas import MAX_PLACES, MAX_PRICE

BASE_URL = "/admin/db"
# Our own SQLAdmin templates (the app's header and dark theme), found before SQLAdmin's.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
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


def refused(request: Request, principal: Principal, message: str) -> Response:
    """The app's own 403 page (its header, a way back), not a bare 'Forbidden'."""
    return templates.TemplateResponse(request, "errors.html", {
        "title": "Error 403", "status": 403, "message": message, "principal": principal,
        "request_id": str(getattr(request.state, "request_id", "-")), "fragment": False,
    }, status_code=403)


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
            return refused(request, principal, "The studio data (rooms, class types, "
                           "trainers, members) is edited by admins.")
        if (principal.via == "cookie" and request.method not in SAFE_METHODS
                and not same_origin(request)):
            return refused(request, principal, "A form posted from another site was refused.")
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
    name, name_plural = "Room", "Rooms"
    column_list = [Room.id, Room.name, Room.capacity, Room.features]
    column_labels = {Room.id: "Id", Room.name: "Name", Room.capacity: "Capacity (people)",
                     Room.features: "Equipment and features"}
    form_args = {"features": {"description": 'a JSON list, e.g. ["bikes", "mirrors"]'},
                 "capacity": {"validators": [NumberRange(1, MAX_PLACES)]}}
    column_searchable_list = [Room.name]


class ClassTypeAdmin(ModelView, model=ClassType):
    name, name_plural = "Class type", "Class types"
    column_list = [ClassType.id, ClassType.name, ClassType.duration_min,
                   ClassType.qualification, ClassType.revenue_weight]
    column_labels = {ClassType.id: "Id", ClassType.name: "Name",
                     ClassType.duration_min: "Length (min)",
                     ClassType.required_features: "Room equipment needed",
                     ClassType.qualification: "Trainer qualification needed",
                     ClassType.revenue_weight: "Revenue per attendee"}
    form_args = {"revenue_weight": {"description": "what one attendee brings in, in the "
                                                   "studio's currency; the timetable weighs "
                                                   "classes by it",
                                    "validators": [NumberRange(0, MAX_PRICE)]},
                 "required_features": {"description": 'a JSON list of room features, '
                                                      'e.g. ["bikes"]'}}
    column_searchable_list = [ClassType.name]
    # SQLAlchemy 2.1's Float is no longer a Numeric, so SQLAdmin finds no converter.
    form_overrides = {"revenue_weight": FloatField}


class TrainerAdmin(ModelView, model=Trainer):
    name, name_plural = "Trainer", "Trainers and availability"
    column_list = [Trainer.id, Trainer.display_name, Trainer.qualifications,
                   Trainer.max_hours_per_week, Trainer.availability]
    column_labels = {Trainer.id: "Id", Trainer.display_name: "Name", Trainer.email: "Email",
                     Trainer.qualifications: "Qualifications",
                     Trainer.max_hours_per_week: "Most hours a week",
                     Trainer.availability: "Weekly availability"}
    form_args = {"availability": {"description": 'a JSON list of windows, day 0 = Monday: '
                                                 '[{"day": 0, "start": "07:00", '
                                                 '"end": "12:00"}]'},
                 "qualifications": {"description": 'a JSON list, e.g. ["hiit", "yoga"]'}}
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
    name, name_plural = "Member", "Members"
    column_list = [Member.id, Member.display_name, Member.email, Member.birth_year,
                   Member.hr_max, Member.hr_rest]
    column_labels = {Member.id: "Id", Member.display_name: "Name", Member.email: "Email",
                     Member.birth_year: "Birth year", Member.sex: "Sex",
                     Member.weight_kg: "Weight (kg)",
                     Member.hr_max: "Maximum heart rate (bpm)",
                     Member.hr_rest: "Resting heart rate (bpm)"}
    form_args = {"hr_max": {"description": "measured if known; empty = estimated from the "
                                           "birth year (208 - 0.7 x age); the live zones "
                                           "are shares of it"},
                 "hr_rest": {"description": "morning resting pulse, for training load "
                                            "(TRIMP); empty = learned in class, else 60"}}
    column_searchable_list = [Member.display_name, Member.email]
    form_overrides = {"weight_kg": FloatField}

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                              request: Request) -> None:
        email = data.get("email")
        if email and not re.match(r"^[^@\s]+@[^@\s]+$", str(email)):
            raise ValueError(f"{email!r} is not an email address")

    # The access log (issue 20): an admin opening or changing a member's record here is
    # a read or change of their profile. The list view (names and emails) is not logged.
    async def _logged(self, request: Request, member: Any, action: str) -> None:
        principal = getattr(request.state, "principal", None)
        if member is None or principal is None:
            return
        async with self.session_maker() as db:
            await record_access(db, principal, member.id, action, "profile", "studio data")

    async def get_object_for_details(self, request: Request) -> Any:
        member = await super().get_object_for_details(request)
        await self._logged(request, member, "view")
        return member

    async def get_object_for_edit(self, request: Request) -> Any:
        member = await super().get_object_for_edit(request)
        if request.method == "GET":
            await self._logged(request, member, "view")
        return member

    async def after_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                                 request: Request) -> None:
        await self._logged(request, model, "change")


class ClassSessionAdmin(ModelView, model=ClassSession):
    name, name_plural = "Class session", "Class sessions"
    column_list = [ClassSession.id, ClassSession.class_type, ClassSession.starts_at,
                   ClassSession.status, ClassSession.room, ClassSession.trainer]
    column_labels = {ClassSession.id: "Id", ClassSession.class_type: "Class",
                     ClassSession.starts_at: "Starts (UTC)", ClassSession.ends_at: "Ends (UTC)",
                     ClassSession.status: "Status", ClassSession.room: "Room",
                     ClassSession.trainer: "Trainer", ClassSession.bookings: "Bookings"}
    column_formatters = {
        ClassSession.class_type: lambda m, _: m.class_type.name if m.class_type else "",
        ClassSession.room: lambda m, _: m.room.name if m.room else "",
        ClassSession.trainer: lambda m, _: m.trainer.display_name if m.trainer else "",
        ClassSession.starts_at: lambda m, _: m.starts_at.strftime("%a %d %b %Y %H:%M"),
    }
    column_formatters_detail = column_formatters

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool,
                              request: Request) -> None:
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise ValueError("a class must end after it starts")


def mount_database_admin(app: FastAPI,
                         sessions: Callable[[], async_sessionmaker[AsyncSession]]) -> Admin:
    admin = Admin(app, session_maker=sessions(), base_url=BASE_URL, title="Studio data",
                  authentication_backend=SessionAuth(sessions),
                  templates_dir=str(TEMPLATES_DIR), favicon_url="/static/favicon.svg")
    for view in (RoomAdmin, ClassTypeAdmin, TrainerAdmin, MemberAdmin, ClassSessionAdmin):
        admin.add_view(view)
    return admin
