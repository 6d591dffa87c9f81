"""``/api/admin/display-tokens`` (admins issue and revoke a room's wall-screen token) and
``/api/members/me/wall-name`` (a member chooses how the wall names them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.accounts.dependencies import AdminPrincipal, require_roles
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.display import service, tokens
from api.display.schemas import (
    DisplayTokenIn,
    DisplayTokenOut,
    IssuedDisplayToken,
    WallNameIn,
    WallNameOut,
)
from api.exceptions import InvalidInput, NotFoundError
from db.display import DisplayToken

router = APIRouter(tags=["display"])
MemberPrincipal = Annotated[Principal, Depends(require_roles("member"))]


def _out(row: DisplayToken) -> DisplayTokenOut:
    return DisplayTokenOut(id=row.id, room_id=row.room_id, name=row.name,
                           created_at=service.aware(row.created_at),
                           revoked_at=service.aware(row.revoked_at) if row.revoked_at
                           else None)


@router.post("/api/admin/display-tokens", status_code=201)
async def issue_display_token(body: DisplayTokenIn, db: SessionDep, _: AdminPrincipal
                              ) -> IssuedDisplayToken:
    """A token for one room's wall screen (shown once). It opens /display/{room} and
    nothing else: no account, no roster, no live alerts."""
    try:
        row, token = await tokens.issue_async(db, body.room_id, body.name)
    except tokens.DisplayTokenError as exc:
        raise InvalidInput(str(exc)) from exc
    return IssuedDisplayToken(**_out(row).model_dump(), token=token,
                              path=f"/display/{quote(row.room_id)}?token={token}")


@router.get("/api/admin/display-tokens")
async def list_display_tokens(db: SessionDep, _: AdminPrincipal, room_id: str | None = None
                              ) -> list[DisplayTokenOut]:
    """Every wall-screen token (never the token itself), oldest first."""
    query = select(DisplayToken).order_by(DisplayToken.created_at)
    if room_id:
        query = query.where(DisplayToken.room_id == room_id)
    return [_out(r) for r in await db.scalars(query)]


@router.delete("/api/admin/display-tokens/{token_id}")
async def revoke_display_token(token_id: str, db: SessionDep, _: AdminPrincipal
                               ) -> DisplayTokenOut:
    """Revoke a wall-screen token: the screen shows nothing more from its next request."""
    row = await db.get(DisplayToken, token_id)
    if row is None:
        raise NotFoundError(f"no display token {token_id!r}")
    row.revoked_at = row.revoked_at or datetime.now(UTC)
    await db.commit()
    return _out(row)


@router.get("/api/members/me/wall-name")
async def my_wall_name(db: SessionDep, principal: MemberPrincipal) -> WallNameOut:
    """How the studio's wall screen shows the calling member (members only)."""
    return WallNameOut(**await service.my_preference(db, principal))


@router.put("/api/members/me/wall-name")
async def set_my_wall_name(body: WallNameIn, db: SessionDep, principal: MemberPrincipal
                           ) -> WallNameOut:
    """Choose a nickname for the wall screen, or stay off it (shown as "Member N")."""
    return WallNameOut(**await service.set_my_preference(db, principal, body.nickname,
                                                         body.on_wall))
