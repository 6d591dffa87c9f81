"""Reading the data access log: the admin's filtered, paginated view and a member's own
entries. Names are looked up at read time, so an entry about a member who was since
erased (or by an account since removed) still shows, with its id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.privacy.access_log import ACTIONS
from db.accounts import User
from db.models import Member
from db.privacy import DataAccess

PER_PAGE = 50
MAX_PER_PAGE = 200


class AccessFilter(BaseModel):
    """What the admin asked for; every field optional."""

    member_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=64,
                              description="the acting account's user id")
    action: str | None = Field(default=None, pattern="^(" + "|".join(ACTIONS) + ")$")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=PER_PAGE, ge=1, le=MAX_PER_PAGE)


class AccessEntryOut(BaseModel):
    id: str
    at: datetime
    actor_user_id: str | None
    actor_name: str | None = Field(description="the account's name now; null if gone")
    actor_role: str
    member_id: str
    member_name: str | None = Field(description="null for members since erased")
    action: str
    resource: str
    detail: str | None


class AccessPage(BaseModel):
    entries: list[AccessEntryOut]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


async def search(db: AsyncSession, wanted: AccessFilter) -> AccessPage:
    """Entries matching ``wanted``, newest first, one page of them."""
    conditions: list[Any] = []
    if wanted.member_id:
        conditions.append(DataAccess.member_id == wanted.member_id)
    if wanted.actor:
        conditions.append(DataAccess.actor_user_id == wanted.actor)
    if wanted.action:
        conditions.append(DataAccess.action == wanted.action)
    total = int(await db.scalar(select(func.count()).select_from(DataAccess)
                                .where(*conditions)) or 0)
    rows = (await db.execute(
        select(DataAccess, User.display_name, Member.display_name)
        .outerjoin(User, User.id == DataAccess.actor_user_id)
        .outerjoin(Member, Member.id == DataAccess.member_id)
        .where(*conditions)
        .order_by(DataAccess.at.desc(), DataAccess.id)
        .offset((wanted.page - 1) * wanted.per_page).limit(wanted.per_page))).all()
    entries = [AccessEntryOut(
        id=row.id, at=row.at, actor_user_id=row.actor_user_id, actor_name=actor_name,
        actor_role=row.actor_role, member_id=row.member_id, member_name=member_name,
        action=row.action, resource=row.resource, detail=row.detail)
        for row, actor_name, member_name in rows]
    return AccessPage(entries=entries, total=total, page=wanted.page,
                      per_page=wanted.per_page)


async def actors(db: AsyncSession) -> list[tuple[str, str]]:
    """Accounts that appear in the log, for the admin page's filter: (id, name)."""
    rows = await db.execute(
        select(DataAccess.actor_user_id, User.display_name)
        .outerjoin(User, User.id == DataAccess.actor_user_id)
        .where(DataAccess.actor_user_id.is_not(None)).distinct())
    return sorted(((str(uid), name or str(uid)) for uid, name in rows), key=lambda r: r[1])
