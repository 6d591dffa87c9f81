"""In-app notifications: a JSON API and the header bell's htmx fragments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.accounts.dependencies import UserPage, UserPrincipal
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.notifications import service
from api.notifications.schemas import MarkedOut, NotificationOut
from api.templating import templates
from db.platform import OutboxMessage

router = APIRouter(tags=["notifications"])
pages = APIRouter(tags=["pages"], include_in_schema=False)


def _out(message: OutboxMessage) -> NotificationOut:
    return NotificationOut(id=message.id, event=message.event,
                           title=service.headline(message), url=service.link(message),
                           payload=message.payload, created_at=message.created_at,
                           read_at=message.read_at)


def _user(principal: Principal) -> str:
    assert principal.user_id  # people only: the role gate keeps devices out
    return principal.user_id


@router.get("/api/notifications")
async def list_notifications(db: SessionDep, principal: UserPrincipal,
                             unread: bool = False) -> list[NotificationOut]:
    """Your notifications, newest first (at most 50)."""
    rows = await service.inbox(db, _user(principal), unread_only=unread)
    return [_out(m) for m in rows]


@router.post("/api/notifications/read-all")
async def read_all(db: SessionDep, principal: UserPrincipal) -> MarkedOut:
    """Mark every notification of yours as read."""
    return MarkedOut(marked=await service.mark_all_read(db, _user(principal)))


@router.post("/api/notifications/{notification_id}/read")
async def read_one(notification_id: str, db: SessionDep, principal: UserPrincipal
                   ) -> NotificationOut:
    """Mark one notification as read (404 if it is not yours)."""
    return _out(await service.mark_read(db, _user(principal), notification_id))


async def _panel(request: Request, db: SessionDep, principal: Principal) -> HTMLResponse:
    user_id = _user(principal)
    return templates.TemplateResponse(request, "_notifications.html", {
        "notifications": [_out(m) for m in await service.inbox(db, user_id, limit=20)],
        "unread": await service.unread_count(db, user_id), "principal": principal,
    })


@pages.get("/notifications/bell", response_class=HTMLResponse)
async def bell(request: Request, db: SessionDep, principal: UserPage) -> HTMLResponse:
    """The bell with its unread count (polled by htmx from base.html)."""
    return templates.TemplateResponse(request, "_bell.html", {
        "unread": await service.unread_count(db, _user(principal))})


@pages.get("/notifications/panel", response_class=HTMLResponse)
async def panel(request: Request, db: SessionDep, principal: UserPage) -> HTMLResponse:
    return await _panel(request, db, principal)


@pages.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
async def panel_read(notification_id: str, request: Request, db: SessionDep,
                     principal: UserPage) -> HTMLResponse:
    await service.mark_read(db, _user(principal), notification_id)
    return await _panel(request, db, principal)


@pages.post("/notifications/read-all", response_class=HTMLResponse)
async def panel_read_all(request: Request, db: SessionDep, principal: UserPage
                         ) -> HTMLResponse:
    await service.mark_all_read(db, _user(principal))
    return await _panel(request, db, principal)
