"""Server-rendered pages; live parts arrive as HTML fragments over SSE (htmx)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.accounts.dependencies import TrainerPage
from api.classes import service as classes
from api.deps import HubDep, RedisDep, SessionDep
from api.exceptions import ServiceUnavailableError
from api.live import service as live
from api.templating import render_fragment, templates

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/trainer", response_class=HTMLResponse)
async def trainer_page(request: Request, db: SessionDep, redis: RedisDep,
                       principal: TrainerPage, class_session: str | None = None
                       ) -> HTMLResponse:
    class_id = class_session or await classes.current_session_id(db, principal)
    session = await classes.session_out(db, class_id, principal) if class_id else None
    try:
        tiles = live.display_order(await live.board(redis, class_id)) if class_id else []
    except ServiceUnavailableError:
        tiles = []
    return templates.TemplateResponse(request, "trainer.html", {
        "title": "Live class", "class_session": session, "tiles": tiles,
        "principal": principal,
    })


@router.get("/trainer/classes/{class_session_id}/stream", response_class=EventSourceResponse)
async def trainer_stream(class_session_id: str, hub: HubDep, redis: RedisDep,
                         db: SessionDep, principal: TrainerPage
                         ) -> AsyncIterator[ServerSentEvent]:
    """The tile grid once, then each changed tile as an out-of-band fragment."""
    classes.ensure_staff_access(principal,
                                await classes.get_session(db, class_session_id, principal))
    shown: set[str] = set()
    async for event, data in live.tile_stream(hub, redis, class_session_id):
        if event == "snapshot":
            shown = {t["member_id"] for t in data}
            html = render_fragment("_tiles.html", tiles=data)
        else:
            oob = "true" if data["member_id"] in shown else "beforeend:#tiles"
            shown.add(data["member_id"])
            html = render_fragment("_tile.html", tile=data, oob=oob)
        yield ServerSentEvent(event=event, raw_data=html.replace("\n", " "))
