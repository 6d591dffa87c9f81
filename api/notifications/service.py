"""Notifications through an outbox: other domains call :func:`notify` in their own
transaction, so a notification exists exactly when the change it announces was committed.

    from api.notifications.service import notify, notify_trainer, notify_member
    notify(db, "plan.ready_for_review", trainer_user_id, {"plan_id": ..., "url": ...})
    await notify_trainer(db, "plan.ready_for_review", trainer_id, payload)  # by trainer id
    await db.commit()   # the caller commits; nothing is sent before that

``notify`` only adds a row, so it works with an ``AsyncSession`` and a sync ``Session``
alike. The row is then shown in-app (bell in the page header, ``/api/notifications``) and
delivered by the webhook sender (``api.notifications.webhook``) when one is configured.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.db.accounts import User
from api.db.platform import OutboxMessage
from api.exceptions import NotFoundError

# The events of issue 8, with the headline shown when the payload brings no "title".
EVENTS: dict[str, str] = {
    "plan.ready_for_review": "A new plan is ready for your review",
    "plan.approved": "Your training plan was approved",
    "class.summary_ready": "The class summary is ready",
    "schedule.published": "A new timetable was published with your classes",
}
MAX_PAYLOAD_KEYS = 50


class UnknownEvent(ValueError):
    """A programming error: the event name is not one of :data:`EVENTS`."""


def notify(db: AsyncSession | Session, event: str, recipient_user_id: str | None,
           payload: dict[str, Any]) -> OutboxMessage:
    """Queue a notification in the caller's transaction (the caller commits).

    ``payload`` must be JSON-serialisable; optional keys ``title`` (headline) and ``url``
    (a same-site path the in-app list links to) are used by the bell. A ``None`` recipient
    is a studio-wide event: only the webhook delivers it.
    """
    if event not in EVENTS:
        raise UnknownEvent(f"unknown notification event {event!r}; known: "
                           f"{', '.join(sorted(EVENTS))}")
    if len(payload) > MAX_PAYLOAD_KEYS:
        raise ValueError(f"a notification payload holds at most {MAX_PAYLOAD_KEYS} keys")
    message = OutboxMessage(event=event, recipient_user_id=recipient_user_id,
                            payload=dict(payload), attempts=0,
                            created_at=datetime.now(UTC))
    db.add(message)
    return message


async def users_of(db: AsyncSession, *, member_id: str | None = None,
                   trainer_id: str | None = None) -> list[str]:
    """Active user ids of a member or trainer profile (usually one)."""
    query = select(User.id).where(User.is_active.is_(True))
    query = (query.where(User.member_id == member_id) if member_id
             else query.where(User.trainer_id == trainer_id))
    return list(await db.scalars(query))


async def notify_trainer(db: AsyncSession, event: str, trainer_id: str,
                         payload: dict[str, Any]) -> list[OutboxMessage]:
    return [notify(db, event, uid, payload)
            for uid in await users_of(db, trainer_id=trainer_id)]


async def notify_member(db: AsyncSession, event: str, member_id: str,
                        payload: dict[str, Any]) -> list[OutboxMessage]:
    return [notify(db, event, uid, payload)
            for uid in await users_of(db, member_id=member_id)]


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
