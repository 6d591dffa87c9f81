"""Server-rendered trainer pages; live parts arrive as HTML fragments over one SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.accounts.dependencies import TrainerPage
from api.classes import service as classes
from api.deps import RedisDep, SessionDep
from api.exceptions import ServiceUnavailableError
from api.live import fragments
from api.live import service as live
from api.live.hub import HubDep
from api.templating import templates
from db.live import PostClassSummary
from db.models import ClassSession

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/trainer", response_class=HTMLResponse)
async def trainer_page(request: Request, db: SessionDep, redis: RedisDep,
                       principal: TrainerPage, class_session: str | None = None
                       ) -> HTMLResponse:
    class_id = class_session or await classes.current_session_id(db, principal)
    session = await classes.session_out(db, class_id, principal) if class_id else None
    try:
        view = await live.load_view(redis, class_id) if class_id else None
    except ServiceUnavailableError:
        view = None  # the page still renders; the 'live data paused' banner explains
    return templates.TemplateResponse(request, "trainer.html", {
        "title": "Live class", "class_session": session, "principal": principal,
        **fragments.page_context(view, class_id, session.status if session else ""),
    })


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
    async for view, changes in live.view_stream(hub, redis, class_session_id):
        if not changes:
            shown = set(view.tiles)
            html = fragments.snapshot(view, db_status)
        else:
            html = fragments.changes(view, changes, shown, db_status)
        if html:
            yield ServerSentEvent(event="update", raw_data=html.replace("\n", " "))


@router.get("/trainer/classes/{class_session_id}/summary", response_class=HTMLResponse)
async def summary_page(class_session_id: str, request: Request, db: SessionDep,
                       principal: TrainerPage) -> HTMLResponse:
    session = await classes.get_session(db, class_session_id, principal)
    live.ensure_trainer_access(principal, session)
    row = await db.get(PostClassSummary, class_session_id)
    return templates.TemplateResponse(request, "summary.html", {
        "title": "Class summary", "principal": principal,
        "class_session": await classes.session_out(db, class_session_id, principal),
        "summary": row.payload if row else None,
    })
