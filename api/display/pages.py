"""The wall screen ``/display/{room}`` (a TV in the studio, opened with the room's display
token, no account) and the member's page for choosing how it names them.

The TV is given ``/display/{room}?token=...`` once; the token moves into a cookie scoped
to that room's display path and the address loses it, so it does not sit in the screen's
address bar. Live updates come over one SSE stream, as on the tablet: the screen follows
whichever class is live in the room, keeps the final numbers up when it ends, and moves
on to the next class by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.accounts.dependencies import MemberPage, OptionalPrincipal, mark_gate
from api.deps import RedisDep, SessionDep
from api.display import service, tokens
from api.exceptions import AuthenticationRequired, Forbidden, SpotterError
from api.live import service as live
from api.live.hub import HubDep
from api.templating import render_fragment, templates
from scheduler.config import studio_zone

router = APIRouter(tags=["pages"], include_in_schema=False)
COOKIE = "spotter_display"
COOKIE_DAYS = 400  # browsers cap cookie lifetimes at about 400 days
IDLE_POLL_S = 5.0  # how often a screen with no live class looks for one


async def display_access(room_id: str, request: Request, db: SessionDep,
                         principal: OptionalPrincipal, token: str | None = None) -> str:
    """The room's display token (query or the screen's cookie), or an admin checking the
    screen. Nobody else: a trainer or member login does not open a wall screen."""
    if await tokens.opens(db, room_id, token or request.cookies.get(COOKIE)):
        return room_id
    if principal is not None and principal.is_admin:
        return room_id
    if principal is not None:
        raise Forbidden("a wall screen opens with its room's display link, not an account "
                        "(an admin issues one: spotter display token --room ROOM)")
    raise AuthenticationRequired("this wall screen needs its room's display link; an admin "
                                 "issues one with 'spotter display token --room ROOM'")


mark_gate(display_access, "api", frozenset({"admin"}))
DisplayRoom = Annotated[str, Depends(display_access)]


@router.get("/display/{room_id}", response_class=HTMLResponse)
async def display_page(room_id: DisplayRoom, request: Request, db: SessionDep,
                       token: str | None = None) -> Response:
    if token:  # first visit with the link: keep the token in a cookie, drop it from the URL
        answer = RedirectResponse(f"/display/{quote(room_id)}", status_code=303)
        answer.set_cookie(COOKIE, token, max_age=COOKIE_DAYS * 86400,
                          path=f"/display/{quote(room_id)}", httponly=True, samesite="strict",
                          secure=request.url.scheme == "https")
        return answer
    room = await service.room(db, room_id)
    return templates.TemplateResponse(request, "display.html", {
        "title": f"{room.name} · wall screen", "room": room,
        "stream": f"/display/{quote(room_id)}/stream"})


@router.get("/display/{room_id}/stream", response_class=EventSourceResponse)
async def display_stream(room_id: DisplayRoom, request: Request, db: SessionDep,
                         hub: HubDep, redis: RedisDep) -> AsyncIterator[ServerSentEvent]:
    """The screen's content once, then only what changed: tiles of the class live in the
    room, its end, and the room's next class."""
    room = await service.room(db, room_id)  # 404 before the stream's headers
    async for html in wall_updates(request, hub, redis, room_id, room.name):
        yield ServerSentEvent(event="update", raw_data=html.replace("\n", " "))


def _wall(wall: service.WallClass | None, tiles: list[dict[str, Any]], state: str,
          room_name: str, upcoming: dict[str, Any] | None = None) -> str:
    return render_fragment("_wall.html", wall=wall, tiles=tiles, state=state,
                           room_name=room_name, upcoming=upcoming, oob=True)


async def _upcoming(request: Request, room_id: str) -> dict[str, Any] | None:
    async with request.app.state.sessionmaker() as db:
        found = await service.next_class_today(db, room_id)
        if found is None:
            return None
        starts = service.aware(found.starts_at).astimezone(studio_zone())
        return {"class_type": found.class_type.name, "at": starts.strftime("%H:%M")}


async def _live_wall(request: Request, room_id: str) -> service.WallClass | None:
    async with request.app.state.sessionmaker() as db:
        session = await service.live_class(db, room_id)
        return await service.wall_class(db, session) if session else None


async def wall_updates(request: Request, hub: Any, redis: Any, room_id: str,
                       room_name: str) -> AsyncIterator[str]:
    """Fragments for one screen, forever: idle (with the next class), then the live class
    tile by tile, then its final board until another class goes live."""
    last_idle: Any = ()
    while True:
        wall = await _live_wall(request, room_id)
        if wall is None:
            upcoming = await _upcoming(request, room_id)
            if upcoming != last_idle:
                last_idle = upcoming
                yield _wall(None, [], "idle", room_name, upcoming)
            await asyncio.sleep(IDLE_POLL_S)
            continue
        last_idle = ()
        shown: set[str] = set()
        async for view, changes in live.view_stream(hub, redis, wall.class_session_id):
            tiles = service.wall_tiles(view.tiles, wall)
            state = "ended" if view.ended else "live"
            if not changes or {t["slot"] for t in tiles} - shown:
                shown = {t["slot"] for t in tiles}
                yield _wall(wall, tiles, state, room_name)
            else:
                touched = {m["tile"]["member_id"] for what, m in changes if what == "tile"}
                parts = [render_fragment("_wall_tile.html", tile=t, oob=True) for t in
                         service.wall_tiles({k: v for k, v in view.tiles.items()
                                             if k in touched}, wall)]
                if any(what == "ended" for what, _ in changes):
                    parts.append(render_fragment("_wall_state.html", state="ended",
                                                 wall=wall, oob=True))
                if parts:
                    yield "".join(parts)
            if view.ended:
                break
        while True:  # the final board stays up until the room's next class goes live
            await asyncio.sleep(IDLE_POLL_S)
            following = await _live_wall(request, room_id)
            if following is not None and following.class_session_id != wall.class_session_id:
                break


# -- the member's choice ------------------------------------------------------------

@router.get("/member/wall-name", response_class=HTMLResponse)
async def wall_name_page(request: Request, db: SessionDep, principal: MemberPage,
                         saved: bool = False) -> HTMLResponse:
    return templates.TemplateResponse(request, "wall_name.html", {
        "title": "Your name on the wall screen", "principal": principal,
        "pref": await service.my_preference(db, principal), "saved": saved, "error": None})


@router.post("/member/wall-name", response_class=HTMLResponse)
async def save_wall_name(request: Request, db: SessionDep, principal: MemberPage,
                         nickname: Annotated[str, Form(max_length=100)] = "",
                         show: Annotated[str, Form()] = "name") -> Response:
    try:
        await service.set_my_preference(db, principal, nickname or None,
                                        on_wall=show != "off")
    except SpotterError as exc:
        return templates.TemplateResponse(request, "wall_name.html", {
            "title": "Your name on the wall screen", "principal": principal,
            "pref": {"nickname": nickname, "on_wall": show != "off", "shown_as": ""},
            "saved": False, "error": str(exc)}, status_code=422)
    return RedirectResponse("/member/wall-name?saved=true", status_code=303)
