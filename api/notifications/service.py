"""The in-app side of notifications: the bell's inbox, headlines and read marks.

Rows are written by :mod:`db.notify` in the caller's own transaction; they are shown here
(bell in the page header, ``/api/notifications``) and delivered by the webhook sender
(``api.notifications.webhook``) when one is configured.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.exceptions import NotFoundError
from db.notify import EVENTS
from db.platform import OutboxMessage


def headline(message: OutboxMessage) -> str:
    title = message.payload.get("title")
    return str(title) if title else EVENTS.get(message.event, message.event)


def link(message: OutboxMessage) -> str | None:
    """Only same-site paths: a payload must not turn the bell into an open redirect."""
    url = message.payload.get("url")
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return url
    return None


async def inbox(db: AsyncSession, user_id: str, *, unread_only: bool = False,
                limit: int = 50) -> list[OutboxMessage]:
    query = (select(OutboxMessage).where(OutboxMessage.recipient_user_id == user_id)
             .order_by(OutboxMessage.created_at.desc()).limit(limit))
    if unread_only:
        query = query.where(OutboxMessage.read_at.is_(None))
    return list(await db.scalars(query))


async def unread_count(db: AsyncSession, user_id: str) -> int:
    count = await db.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient_user_id == user_id, OutboxMessage.read_at.is_(None)))
    return int(count or 0)


async def mark_read(db: AsyncSession, user_id: str, message_id: str) -> OutboxMessage:
    message = await db.get(OutboxMessage, message_id)
    if message is None or message.recipient_user_id != user_id:
        raise NotFoundError(f"no notification {message_id!r} for you")
    if message.read_at is None:
        message.read_at = datetime.now(UTC)
        await db.commit()
    return message


async def mark_all_read(db: AsyncSession, user_id: str) -> int:
    result = await db.execute(update(OutboxMessage).where(
        OutboxMessage.recipient_user_id == user_id, OutboxMessage.read_at.is_(None))
        .values(read_at=datetime.now(UTC)))
    await db.commit()
    return int(getattr(result, "rowcount", 0) or 0)
