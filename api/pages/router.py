"""Server-rendered trainer pages; live parts arrive as HTML fragments over one SSE stream.

``/trainer`` is the day: the trainer's classes of today (an admin's: every room's), each
opening its live board at ``/trainer/classes/{id}`` (``/trainer?class_session=ID`` too).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.accounts.dependencies import TrainerPage, UserPage
from api.accounts.principal import Principal
from api.classes import service as classes
from api.deps import RedisDep, SessionDep
from api.exceptions import ServiceUnavailableError
from api.live import fragments
from api.live import service as live
from api.live.hub import HubDep
from api.pages import summary_page, today
from api.privacy import consent
from api.templating import templates
from db.models import ClassSession
from scheduler.config import studio_zone

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/trainer", response_class=HTMLResponse)
async def trainer_page(request: Request, db: SessionDep, redis: RedisDep,
                       principal: TrainerPage, class_session: str | None = None
                       ) -> HTMLResponse:
    """Today's classes; with ``?class_session=ID`` that class's live board."""
    if class_session:
        return await board_page(class_session, request, db, redis, principal)
    return templates.TemplateResponse(request, "trainer_today.html", {
        "title": "Today's classes", "principal": principal,
        **await today_context(db, principal)})


@router.get("/trainer/today", response_class=HTMLResponse)
async def today_fragment(request: Request, db: SessionDep, principal: TrainerPage
                         ) -> HTMLResponse:
    """The list alone, for the page's refresh every half minute (states, Start)."""
    return templates.TemplateResponse(request, "_today_list.html", {
        "principal": principal, **await today_context(db, principal)})


async def today_context(db: SessionDep, principal: Principal) -> dict[str, object]:
    tz = studio_zone()
    rows = await today.today_rows(db, principal, tz)
    return {"rows": rows, "tz": tz.key, "day": today.local_day(tz),
            "early_min": today.tablet_config().today.start_early_min}


@router.get("/trainer/classes/{class_session_id}", response_class=HTMLResponse)
async def class_board(class_session_id: str, request: Request, db: SessionDep,
                      redis: RedisDep, principal: TrainerPage) -> HTMLResponse:
    """One class's live board: tiles, alerts, clock, start and end."""
    return await board_page(class_session_id, request, db, redis, principal)


async def board_page(class_id: str, request: Request, db: SessionDep, redis: RedisDep,
                     principal: Principal) -> HTMLResponse:
    session = await classes.get_session(db, class_id, principal)  # 404: not theirs
    tz = studio_zone()
    row = today.today_row(session, datetime.now(UTC), tz, today.start_early())
    try:
        view = await live.load_view(redis, class_id, session.room_id)
    except ServiceUnavailableError:
        view = None  # the page still renders; the 'live data paused' banner explains
    return templates.TemplateResponse(request, "trainer.html", {
        "title": "Live class", "class_session": await classes.session_out(db, class_id,
                                                                          principal),
        "principal": principal, "row": row,
        "early_min": today.tablet_config().today.start_early_min,
        "opted_out": await opted_out(db, session),
        **fragments.page_context(view, class_id, session.status)})


async def opted_out(db: SessionDep, session: ClassSession) -> list[tuple[str, list[str]]]:
    """Booked members who switched heart rate or camera form off, with what is off: the
    trainer then knows why a member has no tile or no reps, and not to chase a strap."""
    allowed = await consent.choices_of(db, [b.member_id for b in session.bookings])
    found = []
    for booking in sorted(session.bookings, key=lambda b: b.member.display_name):
        now = allowed[booking.member_id]
        off = [word for word, on in (("HR off", now.hr_tracking),
                                     ("camera off", now.camera_form)) if not on]
        if off:
            found.append((booking.member.display_name, off))
    return found


async def streamable_page_class(class_session_id: str, redis: RedisDep, db: SessionDep,
                                principal: TrainerPage) -> ClassSession:
    """Refusals (404/403/503) happen here, before the stream's 200 headers go out."""
    session = await classes.get_session(db, class_session_id, principal)
    classes.ensure_staff_access(principal, session)
    await live.board(redis, class_session_id)
    return session


@router.get("/trainer/classes/{class_session_id}/stream", response_class=EventSourceResponse)
async def trainer_stream(class_session_id: str, hub: HubDep, redis: RedisDep,
                         session: Annotated[ClassSession, Depends(streamable_page_class)]
                         ) -> AsyncIterator[ServerSentEvent]:
    """The whole live view once, then out-of-band fragments of whatever changed."""
    db_status, shown = session.status, set()
    async for view, changes in live.view_stream(hub, redis, class_session_id,
                                                session.room_id):
        if not changes:
            shown = set(view.tiles)
            html = fragments.snapshot(view, db_status)
        else:
            html = fragments.changes(view, changes, shown, db_status)
        if html:
            yield ServerSentEvent(event="update", raw_data=html.replace("\n", " "))


@router.get("/trainer/classes/{class_session_id}/summary", response_class=HTMLResponse)
async def summary(class_session_id: str, request: Request, db: SessionDep,
                  principal: UserPage) -> HTMLResponse:
    """The post-class summary: the class's trainer and admins read all of it, a member
    who attended only their own row, chart line and highlights."""
    context = await summary_page.context(db, class_session_id, principal)
    return templates.TemplateResponse(request, "summary.html", {
        "title": "Class summary", "principal": principal, **context})
