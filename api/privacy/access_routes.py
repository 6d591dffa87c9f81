"""Showing the data access log: the admin's page and API over every entry, and each
member's own entries ("who looked at my data").

A member sees the entries about themselves and no one else's (403 for another member's
id): who (name and role), what and when. Trainers have no view of the log; it is an
oversight tool for the studio's admin and a transparency tool for members.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.dependencies import AdminPage, AdminPrincipal, MemberPage, UserPrincipal
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import Forbidden
from api.privacy import access_query
from api.privacy.access_log import ACTIONS
from api.privacy.access_query import AccessFilter, AccessPage
from api.templating import templates

router = APIRouter(tags=["privacy"])
pages = APIRouter(tags=["pages"], include_in_schema=False)
MEMBER_PAGE_SIZE = 20


def _blank_to_none(value: str | None) -> str | None:
    return value or None


def access_filter(member_id: str | None = Query(default=None, max_length=64),
                  actor: str | None = Query(default=None, max_length=64),
                  action: str | None = Query(default=None,
                                             pattern="^(" + "|".join(ACTIONS) + ")?$"),
                  page: int = Query(default=1, ge=1, le=100_000),
                  per_page: int = Query(default=access_query.PER_PAGE, ge=1,
                                        le=access_query.MAX_PER_PAGE)) -> AccessFilter:
    """Query parameters as a filter; empty form fields mean 'any'."""
    return AccessFilter(member_id=_blank_to_none(member_id), actor=_blank_to_none(actor),
                        action=_blank_to_none(action), page=page, per_page=per_page)


FilterDep = Annotated[AccessFilter, Depends(access_filter)]


def own_member_id(principal: Principal, member_id: str) -> str:
    """``me`` or the caller's own id for members; admins may read anyone's."""
    if principal.role == "admin" and member_id != "me":
        return member_id
    if principal.role != "member" or not principal.member_id:
        raise Forbidden("the access log is for the member it is about, and for admins")
    if member_id not in ("me", principal.member_id):
        raise Forbidden("members see only the entries about themselves")
    return principal.member_id


async def member_entries(db: AsyncSession, member_id: str, page: int = 1,
                         per_page: int = MEMBER_PAGE_SIZE) -> AccessPage:
    return await access_query.search(db, AccessFilter(member_id=member_id, page=page,
                                                      per_page=per_page))


@router.get("/api/admin/access-log")
async def admin_access_log(db: SessionDep, principal: AdminPrincipal, wanted: FilterDep
                           ) -> AccessPage:
    """Every access-log entry, newest first: filter by member, actor (user id) and
    action (view, change, export, erase)."""
    return await access_query.search(db, wanted)


@router.get("/api/members/{member_id}/access-log")
async def member_access_log(member_id: str, db: SessionDep, principal: UserPrincipal,
                            page: int = Query(default=1, ge=1, le=100_000),
                            per_page: int = Query(default=MEMBER_PAGE_SIZE, ge=1,
                                                  le=access_query.MAX_PER_PAGE)
                            ) -> AccessPage:
    """Who viewed or changed this member's data, and when (``me`` for the caller). A
    member reads only their own; admins anyone's."""
    return await member_entries(db, own_member_id(principal, member_id), page, per_page)


@pages.get("/admin/access-log", response_class=HTMLResponse)
async def admin_page(request: Request, db: SessionDep, principal: AdminPage,
                     wanted: FilterDep) -> HTMLResponse:
    found = await access_query.search(db, wanted)
    return templates.TemplateResponse(request, "admin_access_log.html", {
        "title": "Data access log", "principal": principal, "found": found,
        "wanted": wanted, "actions": ACTIONS, "actors": await access_query.actors(db)})


@pages.get("/member/data/access", response_class=HTMLResponse)
async def my_access(request: Request, db: SessionDep, principal: MemberPage,
                    page: int = Query(default=1, ge=1, le=100_000)) -> HTMLResponse:
    """The member page's fragment: who looked at or changed my data."""
    found = await member_entries(db, principal.member_id or "", page)
    return templates.TemplateResponse(request, "_privacy_access.html", {"found": found})
