"""The notification writer: an outbox row added in the caller's own transaction.

It lives beside the models, not in ``api``, because the worker notifies too (class
summary ready) and must not import the web layer. A notification then exists exactly
when the change it announces was committed; ``api.notifications`` shows and delivers it.

    notify(db, "plan.ready_for_review", trainer_user_id, {"plan_id": ..., "url": ...})
    await notify_trainer(db, "plan.ready_for_review", trainer_id, payload)  # by trainer id
    await db.commit()   # the caller commits; nothing is sent before that
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.accounts import User
from db.platform import OutboxMessage

# Every event there is, with the headline shown when the payload brings no "title".
EVENTS: dict[str, str] = {
    "plan.ready_for_review": "A new plan is ready for your review",
    "plan.approved": "Your training plan was approved",
    "class.summary_ready": "The class summary is ready",
    "schedule.published": "A new timetable was published with your classes",
    "schedule.proposed": "A trainer proposed a timetable draft",
    "schedule.cover_needed": "Classes need cover: a trainer is on leave",
    "class.changed": "One of your classes has changed",
    "class.cancelled": "One of your classes was cancelled",
}
MAX_PAYLOAD_KEYS = 50


class UnknownEvent(ValueError):
    """A programming error: the event name is not one of :data:`EVENTS`."""


def notify(db: AsyncSession | Session, event: str, recipient_user_id: str | None,
           payload: dict[str, Any], *, message_id: str | None = None) -> OutboxMessage:
    """Queue a notification in the caller's transaction (the caller commits).

    ``payload`` must be JSON-serialisable; optional keys ``title`` (headline) and ``url``
    (a same-site path the in-app list links to) are used by the bell. A ``None`` recipient
    is a studio-wide event: only the webhook delivers it. A caller that may run twice for
    the same change passes a derived ``message_id`` and checks for it first.
    """
    if event not in EVENTS:
        raise UnknownEvent(f"unknown notification event {event!r}; known: "
                           f"{', '.join(sorted(EVENTS))}")
    if len(payload) > MAX_PAYLOAD_KEYS:
        raise ValueError(f"a notification payload holds at most {MAX_PAYLOAD_KEYS} keys")
    message = OutboxMessage(event=event, recipient_user_id=recipient_user_id,
                            payload=dict(payload), attempts=0,
                            created_at=datetime.now(UTC))
    if message_id is not None:
        message.id = message_id
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
