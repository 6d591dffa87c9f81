"""Alerts the worker stored, and acknowledgements from the tablet.

An acknowledgement is stored in the database (who and when) and pushed to every tablet
watching the class through Redis; it lives in its own hash (``spotter:acks:{class}``) so
the worker, which re-upserts a growing alert episode under the same id, never erases it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.alerts.schemas import AlertOut
from api.classes.service import get_session
from api.exceptions import Forbidden, NotFoundError
from api.live.service import ensure_trainer_access
from db.live import AlertRow
from db.models import ClassSession
from streams.sink import acks_key, live_channel

log = structlog.get_logger(__name__)


def _out(row: AlertRow) -> AlertOut:
    acked = row.acknowledged_at
    if acked is not None and acked.tzinfo is None:  # SQLite drops the zone; it was UTC
        acked = acked.replace(tzinfo=UTC)
    return AlertOut(id=row.id, class_session_id=row.class_session_id, member_id=row.member_id,
                    rule=row.rule, severity=row.severity, message=row.message,
                    event_time=row.event_time, evidence=row.evidence or {},
                    acknowledged_at=acked, acknowledged_by=row.acknowledged_by)


async def class_alerts(db: AsyncSession, class_session_id: str, principal: Principal
                       ) -> list[AlertOut]:
    ensure_trainer_access(principal, await get_session(db, class_session_id, principal))
    rows = await db.scalars(select(AlertRow).where(
        AlertRow.class_session_id == class_session_id).order_by(AlertRow.event_time))
    return [_out(row) for row in rows]


async def _check_access(db: AsyncSession, row: AlertRow, principal: Principal) -> None:
    session = await db.get(ClassSession, row.class_session_id)
    if session is None:  # a class the database does not know (e.g. a replay): admins only
        if principal.role != "admin":
            raise Forbidden("only an admin may act on alerts of an unknown class")
        return
    ensure_trainer_access(principal, session)


async def acknowledge(db: AsyncSession, redis: Redis, alert_id: str, principal: Principal
                      ) -> AlertOut:
    """Store who acknowledged the alert and when (first acknowledgement wins), then tell
    the tablets. Acknowledging twice is harmless."""
    row = await db.get(AlertRow, alert_id)
    if row is None:
        raise NotFoundError(f"alert {alert_id!r} does not exist")
    await _check_access(db, row, principal)
    if row.acknowledged_at is None:
        row.acknowledged_at = datetime.now(UTC)
        row.acknowledged_by = principal.user_id
        await db.commit()
    ack = {"by": principal.display_name or principal.role,
           "at": _out(row).acknowledged_at.timestamp()}  # type: ignore[union-attr]
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hset(acks_key(row.class_session_id), row.id, json.dumps(ack))
            pipe.publish(live_channel(row.class_session_id),
                         json.dumps({"type": "ack", "alert_id": row.id, **ack}))
            await pipe.execute()
    except (RedisError, OSError) as exc:  # stored; tablets see it on their next load
        log.warning("acknowledgement not pushed to tablets", alert_id=row.id, error=str(exc))
    return _out(row)
