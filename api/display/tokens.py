"""Room display tokens: issued by an admin (CLI or API), shown once, stored as SHA-256.

They open one room's wall screen and nothing else: the accounts layer never sees them,
so they cannot act as a user or as the room's edge box.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.accounts.security import new_token, same, token_digest
from db.display import DisplayToken
from db.models import Room


class DisplayTokenError(ValueError):
    """A display token cannot be issued or revoked as asked; the message says why."""


def issue(database_url: str, room_id: str, name: str = "wall screen") -> tuple[str, str]:
    """(token id, token) for the room's wall screen; the token is shown only now."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            if db.get(Room, room_id) is None:
                known = ", ".join(sorted(db.scalars(select(Room.id)))) or "none"
                raise DisplayTokenError(f"no room {room_id!r} (rooms: {known})")
            token = new_token()
            row = DisplayToken(token_hash=token_digest(token), room_id=room_id, name=name)
            db.add(row)
            db.flush()
            return row.id, token
    finally:
        engine.dispose()


def list_tokens(database_url: str, room_id: str | None = None) -> list[DisplayToken]:
    engine = create_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            query = select(DisplayToken).order_by(DisplayToken.created_at)
            if room_id:
                query = query.where(DisplayToken.room_id == room_id)
            return list(db.scalars(query))
    finally:
        engine.dispose()


def revoke(database_url: str, token_id: str) -> DisplayToken:
    engine = create_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as db, db.begin():
            row = db.get(DisplayToken, token_id)
            if row is None:
                raise DisplayTokenError(f"no display token {token_id!r}: "
                                        "'spotter display list' shows them")
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            return row
    finally:
        engine.dispose()


async def issue_async(db: AsyncSession, room_id: str, name: str) -> tuple[DisplayToken, str]:
    if await db.get(Room, room_id) is None:
        raise DisplayTokenError(f"no room {room_id!r}")
    token = new_token()
    row = DisplayToken(token_hash=token_digest(token), room_id=room_id, name=name)
    db.add(row)
    await db.commit()
    return row, token


async def opens(db: AsyncSession, room_id: str, token: str | None) -> bool:
    """The token is a live display token of this room."""
    if not token:
        return False
    row = await db.scalar(select(DisplayToken).where(
        DisplayToken.token_hash == token_digest(token)))
    return (row is not None and row.revoked_at is None
            and same(row.room_id, room_id))
