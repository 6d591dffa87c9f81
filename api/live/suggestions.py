"""In-session suggestions: live class evidence -> stated changes to a member's plan session.

One :class:`SuggestionService` per API process (started in the app's lifespan next to the
live hub) holds its own pub/sub subscription to every class channel, so nothing it does
can slow or break the live board. For each message it asks ``suggestion_signals`` for
evidence; for a member who has a session of their active plan on the class's date, the
planner's pure rules (``planner.session_changes``) turn the evidence into suggestions.
Each is stored once (``PlanSessionChange.episode_key`` is unique) and announced on the
class channel as ``{"type": "suggestion", ...}``; the trainer accepts or dismisses it.

Failures are logged and dropped: a suggestion that is not made is a coaching cue lost,
never a frozen tablet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.exercises.service import current_library
from api.live.hub import CHANNEL_PATTERN, RESUBSCRIBE_DELAY_S
from api.live.suggestion_signals import READINESS, ClassSignals
from api.members.changes import suggestion_out
from api.plans.performance import plan_sessions
from db.models import ClassSession, Member
from db.session_changes import PlanSessionChange
from db.training import MemberProfileRow, ReadinessCheckin, WorkoutPlan
from planner.config import default_config
from planner.errors import PlannerError
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan, Session
from planner.readiness import MemberStatus, ReadinessCheckIn, member_status
from planner.session_changes import LiveEvidence, SessionSuggestion, fresh, suggest_from_evidence
from scheduler.config import load_settings
from streams.sink import live_channel

log = structlog.get_logger(__name__)
# Evidence waiting for the database: a class of 40 produces a few a minute; far more means
# the database is stuck, and the oldest cues are the least useful.
QUEUE_SIZE = 500
# A member's plan session is looked up once per class and then kept this long, so a plan
# approved or a check-in made during the class is still picked up.
CONTEXT_TTL_S = 120.0
MESSAGE = "suggestion"


@dataclass(frozen=True)
class TodaySession:
    """The member's planned session on the class's date, and what the planner needs."""

    plan_id: str
    week: int
    day: int
    on: date
    session: Session
    profile: MemberProfile
    status: MemberStatus
    check_in: ReadinessCheckin | None
    library: ExerciseLibrary


def class_date(session: ClassSession) -> date:
    """The class's calendar date in the studio's time zone (stored times are UTC)."""
    start = session.starts_at if session.starts_at.tzinfo else session.starts_at.replace(
        tzinfo=UTC)
    return start.astimezone(ZoneInfo(load_settings().studio.timezone)).date()


def _check_in(row: ReadinessCheckin) -> ReadinessCheckIn:
    return ReadinessCheckIn(sleep=row.sleep, energy=row.energy, stress=row.stress,
                            soreness=row.soreness, pain=row.pain,
                            pain_areas=row.pain_areas or [])  # type: ignore[arg-type]


async def todays_session(db: AsyncSession, class_session_id: str, member_id: str
                         ) -> TodaySession | None:
    """None when the class is unknown or the member has no plan session that day."""
    session = await db.get(ClassSession, class_session_id)
    if session is None:
        return None
    plan_row = await db.scalar(select(WorkoutPlan).where(
        WorkoutPlan.member_id == member_id, WorkoutPlan.status == "active")
        .order_by(WorkoutPlan.approved_at.desc()).limit(1))
    if plan_row is None or plan_row.approved_at is None:
        return None
    on = class_date(session)
    today = next((p for p in plan_sessions(plan_row) if p.on == on), None)
    if today is None:
        return None
    plan = Plan.model_validate(plan_row.plan)
    planned = next(s for w in plan.weeks if w.week == today.week for s in w.sessions
                   if s.day == today.day)
    stored = await db.get(MemberProfileRow, member_id)
    profile = MemberProfile.model_validate(stored.profile if stored else plan_row.profile)
    row = await db.scalar(select(ReadinessCheckin).where(
        ReadinessCheckin.member_id == member_id, ReadinessCheckin.checked_on == on)
        .order_by(ReadinessCheckin.created_at.desc()).limit(1))
    status = member_status(_check_in(row), default_config()) if row else MemberStatus(
        readiness=default_config().readiness.train_at, fatigue="low", status="train",
        notes=["no check-in today"])
    return TodaySession(plan_row.id, today.week, today.day, on, planned, profile, status, row,
                        await current_library(db))


def readiness_evidence(ctx: TodaySession) -> LiveEvidence | None:
    row = ctx.check_in
    if row is None or (ctx.status.status == "train" and not ctx.status.pain_areas):
        return None
    answers = (f"sleep {row.sleep}, energy {row.energy}, stress {row.stress}, soreness "
               f"{row.soreness}, pain {row.pain} of 5")
    return LiveEvidence(
        rule="readiness", source="check_in", ref=f"checkin:{row.id}",
        text=(f"check-in of {row.checked_on:%a %d %b}: readiness {ctx.status.readiness:g}/100 "
              f"({answers})"),
        numbers={"readiness": ctx.status.readiness, "sleep": row.sleep, "energy": row.energy,
                 "stress": row.stress, "soreness": row.soreness, "pain": row.pain})


async def store(db: AsyncSession, class_session_id: str, member_id: str, ctx: TodaySession,
                made: list[SessionSuggestion]) -> list[PlanSessionChange]:
    """Insert the suggestions that are new for this member and class (see ``fresh``)."""
    prefix = f"{class_session_id}|{member_id}|"
    rows = list(await db.scalars(select(PlanSessionChange).where(
        PlanSessionChange.class_session_id == class_session_id,
        PlanSessionChange.member_id == member_id)))
    known = {r.episode_key.removeprefix(prefix) for r in rows}
    active = {r.change_group for r in rows if r.status in ("pending", "accepted")}
    added = []
    for s in fresh(made, known, active):
        row = PlanSessionChange(
            episode_key=prefix + s.key, class_session_id=class_session_id,
            member_id=member_id, plan_id=ctx.plan_id, week=ctx.week, day=ctx.day,
            session_on=ctx.on, rule=s.rule, change_group=s.group, exercise_id=s.exercise_id,
            exercise_name=s.exercise_name, headline=s.headline,
            modifications=[m.model_dump(mode="json") for m in s.modifications],
            evidence={**s.evidence.model_dump(mode="json"), "planned": s.planned},
            status="pending", created_at=datetime.now(UTC))
        db.add(row)
        added.append(row)
    if not added:
        return []
    try:
        await db.commit()
    except IntegrityError:  # another API process stored the same episode first
        await db.rollback()
        return []
    return added


async def announce(redis: Redis, class_session_id: str, payload: dict[str, Any]) -> None:
    await redis.publish(live_channel(class_session_id),
                        json.dumps({"type": MESSAGE, "suggestion": payload}))


class SuggestionService:
    """Watches every class channel; see the module docstring."""

    def __init__(self, redis: Redis, sessions: Callable[[], AsyncSession]) -> None:
        self.redis, self.sessions = redis, sessions
        self.classes: dict[str, ClassSignals] = {}
        self.queue: asyncio.Queue[tuple[str, str, LiveEvidence | str]] = asyncio.Queue(
            QUEUE_SIZE)
        self.contexts: dict[tuple[str, str], tuple[float, TodaySession | None]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.made = 0      # suggestions stored and announced by this process
        self.handled = 0   # evidence looked at (with or without a suggestion)
        self.failed = 0    # evidence whose handling raised (logged and skipped)

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._listen(), name="suggestions-listen"),
                      asyncio.create_task(self._work(), name="suggestions-work")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def observe(self, class_session_id: str, message: dict[str, Any]) -> None:
        """Evidence from one message, queued for the database (never blocks)."""
        if message.get("type") == "reset" or (message.get("type") == "class"
                                              and message.get("status") == "ended"):
            self.classes.pop(class_session_id, None)
            return
        signals = self.classes.setdefault(class_session_id, ClassSignals())
        for member_id, evidence in signals.observe(message):
            try:
                self.queue.put_nowait((class_session_id, member_id, evidence))
            except asyncio.QueueFull:
                log.warning("suggestions: queue full, evidence dropped",
                            class_session_id=class_session_id, member_id=member_id)

    async def _listen(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PATTERN)
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    channel = channel.decode() if isinstance(channel, bytes) else channel
                    try:
                        self.observe(channel.rsplit(":", 1)[-1], json.loads(message["data"]))
                    except (ValueError, TypeError, KeyError) as exc:
                        log.warning("suggestions: message skipped", error=str(exc))
            except (RedisError, OSError) as exc:
                log.warning("suggestions lost Redis; resubscribing", error=str(exc))
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _work(self) -> None:
        while True:
            class_id, member_id, evidence = await self.queue.get()
            try:
                await self.handle(class_id, member_id, evidence)
                self.handled += 1
            except Exception as exc:  # noqa: BLE001 - never let one cue stop the service
                self.failed += 1
                log.warning("suggestions: evidence not turned into a suggestion",
                            class_session_id=class_id, member_id=member_id,
                            error=f"{type(exc).__name__}: {exc}")

    async def _context(self, db: AsyncSession, class_id: str, member_id: str
                       ) -> TodaySession | None:
        now = time.monotonic()
        cached = self.contexts.get((class_id, member_id))
        if cached is not None and now - cached[0] < CONTEXT_TTL_S:
            return cached[1]
        ctx = await todays_session(db, class_id, member_id)
        self.contexts[(class_id, member_id)] = (now, ctx)
        return ctx

    async def handle(self, class_id: str, member_id: str, evidence: LiveEvidence | str
                     ) -> list[dict[str, Any]]:
        """Store and announce what one piece of evidence suggests; returns what was new."""
        async with self.sessions() as db:
            ctx = await self._context(db, class_id, member_id)
            if ctx is None:
                return []
            found = readiness_evidence(ctx) if evidence == READINESS else evidence
            if not isinstance(found, LiveEvidence):
                return []
            try:
                made = suggest_from_evidence(found, ctx.session, ctx.status,
                                             profile=ctx.profile, library=ctx.library,
                                             config=default_config())
            except PlannerError as exc:
                log.info("suggestions: planner found no change", error=str(exc))
                return []
            rows = await store(db, class_id, member_id, ctx, [made] if made else [])
            member = await db.get(Member, member_id)
            out = [suggestion_out(r, member.display_name if member else None) for r in rows]
        for payload in out:
            await announce(self.redis, class_id, payload)
        self.made += len(out)
        return out
