"""A withdrawal takes effect now, not at the next class: when a member changes heart-rate
or camera choices while booked into a live class, the API sends that class their roster
entry again (signed as the API, as at class start). The worker keeps the newest entry and
drops whatever the edge box still sends for them from then on.

Best effort: the choice is already stored; with the broker away it applies from the next
class start, and the log says so.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.classes.service import roster_of, roster_record
from api.exceptions import ServiceUnavailableError
from api.live import control
from configs.settings import Settings
from contract.records import Record
from contract.topics import TOPIC_ROSTER
from db.models import Booking, ClassSession

log = structlog.get_logger(__name__)
LIVE_CHOICES = ("hr_tracking", "camera_form")


async def push_to_live_classes(db: AsyncSession, settings: Settings, member_id: str) -> int:
    """Send the member's roster entry to each live class they are booked into; the
    number of classes told (0 when none is live or the broker did not answer)."""
    sessions = list(await db.scalars(select(ClassSession).where(
        ClassSession.status == "live",
        ClassSession.id.in_(select(Booking.class_session_id).where(
            Booking.member_id == member_id)))))
    records: list[tuple[str, str, Record]] = []
    for session in sessions:
        for row in await roster_of(db, session, {member_id}):
            entry = roster_record(session.id, row)
            records.append((TOPIC_ROSTER, entry.member_id, entry))
    if not records:
        return 0
    try:
        await control.publish(settings, records)
    except ServiceUnavailableError as exc:
        log.warning("choices_not_pushed_to_live_class", member_id=member_id,
                    classes=[s.id for s in sessions], error=str(exc),
                    advice="they apply from the next class start")
        return 0
    log.info("choices_pushed_to_live_class", member_id=member_id,
             classes=[s.id for s in sessions])
    return len(sessions)
