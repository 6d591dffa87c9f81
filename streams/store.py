"""The worker's database side: alerts (upsert by id) and post-class summaries.

Thin adapter over the API's SQLAlchemy models, so the API reads exactly what the worker
wrote. Alerts are written by a background writer fed from a queue: a slow or locked
database (SQLite has one writer) must not stall the 1 s timer, and an alert reaches the
tablet through Redis first. Writes retry briefly (tenacity); what still fails is logged
and the alert stays on the live board and in the alerts topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from configs.features import AiFeatures
from contract.pseudonyms import wire_id_of_booking
from db.accounts import User
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.models import Booking, ClassSession, Member
from db.notify import notify
from db.platform import AppSetting, OutboxMessage
from db.session import make_engine, make_sessionmaker
from streams.health import ComponentHealth
from streams.summary import PastClass

log = structlog.get_logger(__name__)
HISTORY_CLASSES = 20  # earlier classes per member compared for personal bests
ALERT_QUEUE_MAX = 10_000  # a database outage longer than this many alerts drops the oldest
WRITE_RETRY_MIN_S, WRITE_RETRY_MAX_S = 0.5, 10.0  # alert writes wait out an outage
INSIGHT_QUEUE_MAX = 100_000  # minutes of a day's classes wait through an outage
SUMMARY_EVENT = "class.summary_ready"  # one of db.notify.EVENTS


class WorkerStore:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(ALERT_QUEUE_MAX)
        self._insights: asyncio.Queue[dict[str, Any]] = asyncio.Queue(INSIGHT_QUEUE_MAX)
        self.health = ComponentHealth()

    def _maker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:  # created inside the worker's running loop
            self._engine = make_engine(self._url)
            self._sessions = make_sessionmaker(self._engine)
        return self._sessions

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(stop=stop_after_attempt(4), reraise=True,
                             wait=wait_exponential(multiplier=0.2, max=2),
                             retry=retry_if_exception_type((SQLAlchemyError, OSError)))

    # -- alerts ----------------------------------------------------------------------

    def queue_alerts(self, alerts: Iterable[dict[str, Any]]) -> None:
        for alert in alerts:
            if self._queue.full():
                dropped = self._queue.get_nowait()
                log.warning("alert queue full; oldest alert not stored",
                            alert_id=dropped["alert_id"])
            self._queue.put_nowait(alert)

    async def run_alert_writer(self, on_stored: Callable[[set[str]], None]) -> None:
        """Forever: take queued alerts in small batches, upsert them, report the ids.

        A batch the database refuses is retried with backoff until it is stored (the
        worker reports the database as degraded meanwhile), so an outage delays alerts
        in the database and in the summary but does not lose them."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < 100:
                batch.append(self._queue.get_nowait())
            wait = WRITE_RETRY_MIN_S
            while True:
                try:
                    await self.upsert_alerts(batch)
                except (SQLAlchemyError, OSError) as exc:
                    if self.health.degrade(exc):
                        log.error("database unreachable; alerts wait", count=len(batch),
                                  error=self.health.last_error)
                    self.health.backlog = len(batch) + self._queue.qsize()
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, WRITE_RETRY_MAX_S)
                    continue
                self._recovered()
                break
            on_stored({a["alert_id"] for a in batch})

    def _recovered(self) -> None:
        outage = self.health.recover()
        if outage is not None:
            log.info("database reachable again", outage_s=round(outage, 1))
        self.health.backlog = self._queue.qsize()

    # -- the admin's toggles ---------------------------------------------------------

    async def features(self) -> AiFeatures:
        """The stored AI feature toggles (the shipped defaults when none are stored or the
        stored ones no longer validate)."""
        async with self._maker()() as db:
            row = await db.get(AppSetting, AiFeatures.KEY)
        if row is None:
            return AiFeatures.default()
        try:
            return AiFeatures.model_validate(row.value)
        except ValueError:
            log.warning("stored AI feature toggles invalid; using defaults")
            return AiFeatures.default()

    # -- real-time insights ----------------------------------------------------------

    def queue_insights(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            if self._insights.full():
                self._insights.get_nowait()
                self.health.dropped += 1
                log.warning("insight queue full; oldest minute not stored")
            self._insights.put_nowait(row)

    async def run_insight_writer(self) -> None:
        """Forever: store queued minute and alert records (upsert by derived id),
        retrying with backoff while the database is away."""
        while True:
            batch = [await self._insights.get()]
            while not self._insights.empty() and len(batch) < 500:
                batch.append(self._insights.get_nowait())
            wait = WRITE_RETRY_MIN_S
            while True:
                try:
                    await self.upsert_insights(batch)
                    break
                except (SQLAlchemyError, OSError) as exc:
                    if self.health.degrade(exc):
                        log.error("database unreachable; insights wait", count=len(batch),
                                  error=self.health.last_error)
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, WRITE_RETRY_MAX_S)

    async def upsert_insights(self, rows: list[dict[str, Any]]) -> None:
        by_id = {insight_id(r): r for r in rows}
        async with self._maker()() as db, db.begin():
            known = {row.id: row for row in await db.scalars(
                select(RealTimeInsight).where(RealTimeInsight.id.in_(list(by_id))))}
            for key, r in by_id.items():
                row = known.get(key)
                if row is None:
                    db.add(RealTimeInsight(id=key, class_session_id=r["class_session_id"],
                                           member_id=r.get("member_id"), at=float(r["at"]),
                                           kind=r["kind"], data=r["data"],
                                           created_at=datetime.now(UTC)))
                else:
                    row.data = r["data"]

    async def drain_insights(self, timeout: float = 5.0) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not self._insights.empty():
                    await asyncio.sleep(0.05)
        return self._insights.empty()

    async def drain_alerts(self, timeout: float = 5.0) -> bool:
        """Wait (bounded) until queued alerts are written: the summary counts them.
        False when some still wait (the database is away): the summary waits too."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not self._queue.empty():
                    await asyncio.sleep(0.05)
        return self._queue.empty()

    async def probe(self) -> bool:
        """Does the database answer? Keeps the health current when no alerts flow."""
        try:
            async with self._maker()() as db:
                await db.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            if self.health.degrade(exc):
                log.error("database unreachable", error=self.health.last_error)
            return False
        if self._queue.empty():
            self._recovered()
        return True

    async def upsert_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Insert new alerts; for known ids refresh the evidence, never the ack."""
        async with self._maker()() as db, db.begin():
            ids = [a["alert_id"] for a in alerts]
            known = {row.id: row for row in await db.scalars(
                select(AlertRow).where(AlertRow.id.in_(ids)))}
            for alert in alerts:
                evidence = {"start": alert.get("evidence_start"),
                            "end": alert.get("evidence_end"), "value": alert.get("value")}
                row = known.get(alert["alert_id"])
                if row is None:
                    row = AlertRow(id=alert["alert_id"],
                                   class_session_id=alert["class_session_id"],
                                   member_id=alert.get("member_id"), rule=alert["rule"],
                                   severity=alert["severity"], message=alert["message"],
                                   event_time=alert["event_time"], evidence=evidence)
                    db.add(row)
                    known[row.id] = row
                else:
                    row.message, row.severity = alert["message"], alert["severity"]
                    row.event_time, row.evidence = alert["event_time"], evidence

    async def class_alerts(self, class_session_id: str) -> list[dict[str, Any]]:
        """The class's alerts, each with who acknowledged it and when (the summary keeps
        both)."""
        async with self._maker()() as db:
            rows = (await db.execute(
                select(AlertRow, User.display_name)
                .outerjoin(User, User.id == AlertRow.acknowledged_by)
                .where(AlertRow.class_session_id == class_session_id)
                .order_by(AlertRow.event_time))).all()
            return [{"alert_id": r.id, "member_id": r.member_id, "rule": r.rule,
                     "severity": r.severity, "message": r.message, "event_time": r.event_time,
                     "evidence": r.evidence, "acknowledged": r.acknowledged_at is not None,
                     "acknowledged_at": r.acknowledged_at.isoformat()
                     if r.acknowledged_at else None, "acknowledged_by": by}
                    for r, by in rows]

    # -- class status ------------------------------------------------------------------

    async def class_status(self, class_session_id: str, status: str) -> bool:
        """A class started or ended by its room's box (``spotter edge run
        --class-session``) is live or ended in the database too, so the trainer's page
        stops offering "Start class". Moves forward only (scheduled -> live -> ended);
        True when a row changed."""
        earlier = {"live": ("scheduled",), "ended": ("scheduled", "live")}[status]
        async for attempt in await self._retrying():
            with attempt:
                async with self._maker()() as db, db.begin():
                    result = await db.execute(
                        update(ClassSession).where(ClassSession.id == class_session_id,
                                                   ClassSession.status.in_(earlier))
                        .values(status=status))
        return bool(getattr(result, "rowcount", 0))

    # -- wire ids (contract.pseudonyms) ----------------------------------------------

    async def bookings(self, class_ids: list[str]) -> dict[str, dict[str, tuple[str, str | None]]]:
        """Per class: wire id -> (member id, member name), one query for all classes. One
        attempt: the caller reads records meanwhile and paces its own retries."""
        out: dict[str, dict[str, tuple[str, str | None]]] = {c: {} for c in class_ids}
        async with self._maker()() as db:
            rows = (await db.execute(
                select(Booking.class_session_id, Booking.id, Booking.member_id,
                       Member.display_name)
                .outerjoin(Member, Member.id == Booking.member_id)
                .where(Booking.class_session_id.in_(class_ids)))).all()
        for class_id, booking_id, member_id, name in rows:
            wire = wire_id_of_booking(booking_id)
            if wire is not None:
                out[class_id][wire] = (member_id, name)
        return out

    # -- summaries -------------------------------------------------------------------

    async def history(self, member_ids: Iterable[str], class_session_id: str,
                      before: float | None) -> dict[str, list[PastClass]]:
        """Each member's earlier classes (newest first, at most HISTORY_CLASSES), excluding
        this one: one query for the whole class (a class end of a busy studio must not
        cost a query per member)."""
        ids = list(member_ids)
        out: dict[str, list[PastClass]] = {m: [] for m in ids}
        if not ids:
            return out
        mcs = MemberClassSummary
        ranked = select(mcs.member_id, mcs.payload, func.row_number().over(
            partition_by=mcs.member_id, order_by=mcs.ended_at.desc()).label("rank")).where(
            mcs.member_id.in_(ids), mcs.class_session_id != class_session_id)
        if before is not None:
            ranked = ranked.where(mcs.ended_at < before)
        sub = ranked.subquery()
        async with self._maker()() as db:
            rows = await db.execute(select(sub.c.member_id, sub.c.payload)
                                    .where(sub.c.rank <= HISTORY_CLASSES)
                                    .order_by(sub.c.member_id, sub.c.rank))
            for member_id, payload in rows:
                out[member_id].append(_past(payload))
        return out

    async def save_summary(self, class_session_id: str, document: dict[str, Any],
                           members: dict[str, dict[str, Any]], ended_at: float | None) -> None:
        """Store (or replace) the class summary and its member parts; notify the trainer."""
        now = datetime.now(UTC)
        async for attempt in await self._retrying():
            with attempt:
                async with self._maker()() as db, db.begin():
                    row = await db.get(PostClassSummary, class_session_id)
                    if row is None:
                        db.add(PostClassSummary(class_session_id=class_session_id,
                                                payload=document, created_at=now,
                                                updated_at=now))
                    else:
                        row.payload, row.updated_at = document, now
                    known = {r.member_id: r for r in await db.scalars(select(
                        MemberClassSummary).where(
                        MemberClassSummary.class_session_id == class_session_id))}
                    for member_id, part in members.items():
                        found = known.get(member_id)
                        if found is None:
                            db.add(MemberClassSummary(
                                class_session_id=class_session_id, member_id=member_id,
                                payload=part, ended_at=ended_at, created_at=now))
                        else:
                            found.payload, found.ended_at = part, ended_at
                    await self._notify(db, class_session_id)

    async def _notify(self, db: AsyncSession, class_session_id: str) -> None:
        """'Class summary ready' for the class's trainer: an outbox row the bell shows and
        the webhook sender delivers (``api.notifications``); its id is derived from the
        class and user, so storing the summary again does not notify twice."""
        session = await db.get(ClassSession, class_session_id)
        if session is None:
            return
        users = await db.scalars(select(User).where(User.trainer_id == session.trainer_id,
                                                    User.is_active.is_(True)))
        for user in users:
            key = hashlib.sha1(f"summary|{class_session_id}|{user.id}".encode()).hexdigest()
            if await db.get(OutboxMessage, key) is None:
                notify(db, SUMMARY_EVENT, user.id, message_id=key, payload={
                    "title": f"Class summary ready: {session.class_type.name}",
                    "class_session_id": class_session_id,
                    "url": f"/trainer/classes/{class_session_id}/summary"})


def _past(payload: dict[str, Any]) -> PastClass:
    totals = payload.get("totals") or {}
    zones = totals.get("zones_s") or []
    return PastClass(effort_points=totals.get("effort_points"), trimp=totals.get("trimp"),
                     recovery_bpm_60s=totals.get("recovery_bpm_60s"),
                     engaged_share=payload.get("engaged_share"),
                     top_zones_s=sum(zones[3:]) if len(zones) >= 5 else None)


def insight_id(row: dict[str, Any]) -> str:
    """The same minute or alert always gets the same id (a redelivery rewrites it)."""
    alert = row["data"].get("alert_id") if row["kind"] == "alert" else None
    key = f"{row['class_session_id']}|{row.get('member_id')}|{row['kind']}|{alert or row['at']}"
    return hashlib.sha1(key.encode()).hexdigest()
