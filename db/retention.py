"""Deleting what is kept only for a while (``spotter db prune``, daily under ``spotter up``).

Each kind of member data has a retention in days (:class:`configs.retention.Retention`,
the admin's settings): pruning deletes every row older than its kind's retention, one
transaction per kind, and says how many rows of which table went. Raw samples live on
Kafka topics, not here: :mod:`contract.topics` sets their ``retention.ms``.

What is not pruned, on purpose: plans, logged sets and workout feedback (a member's
training history, kept while they are a member; erasure removes them), consent history
and erasure receipts (the studio's proof of what a member chose and what was removed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import ColumnElement, create_engine, delete, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from configs.retention import Retention
from db.accounts import ApiToken, AuthSession
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.platform import AppSetting, OutboxMessage
from db.privacy import DataAccess
from db.training import ReadinessCheckin

log = structlog.get_logger(__name__)
Older = Callable[[datetime], ColumnElement[bool]]


@dataclass(frozen=True)
class Target:
    """One table of a kind and how to tell its rows that are older than a cutoff."""

    model: Any
    older: Older


def _older_than(column: Any) -> Older:
    return lambda cutoff: column < cutoff


# kind (a Retention field without "_days") -> its tables
KINDS: dict[str, tuple[Target, ...]] = {
    "insights": (Target(RealTimeInsight, _older_than(RealTimeInsight.created_at)),
                 Target(AlertRow, lambda cutoff: AlertRow.event_time < cutoff.timestamp())),
    "summaries": (Target(MemberClassSummary, _older_than(MemberClassSummary.created_at)),
                  Target(PostClassSummary, _older_than(PostClassSummary.created_at))),
    "notifications": (Target(OutboxMessage, _older_than(OutboxMessage.created_at)),),
    "sessions": (Target(AuthSession, _older_than(AuthSession.expires_at)),
                 Target(ApiToken, lambda cutoff: or_(ApiToken.expires_at < cutoff,
                                                     ApiToken.revoked_at < cutoff))),
    "checkins": (Target(ReadinessCheckin, _older_than(ReadinessCheckin.created_at)),),
    "access_log": (Target(DataAccess, _older_than(DataAccess.at)),),
}


def stored_policy(db: Session) -> Retention:
    """The admin's saved retention, or the shipped default (also for a stored document
    that no longer validates, or a database not migrated yet)."""
    try:
        row = db.get(AppSetting, Retention.KEY)
    except SQLAlchemyError:
        db.rollback()
        return Retention.default()
    if row is None:
        return Retention.default()
    try:
        return Retention.model_validate(row.value)
    except ValidationError as exc:
        log.warning("stored retention invalid; using defaults", errors=exc.error_count())
        return Retention.default()


def load_policy(database_url: str) -> Retention:
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            return stored_policy(db)
    finally:
        engine.dispose()


def prune_session(db: Session, policy: Retention, now: datetime | None = None
                  ) -> dict[str, dict[str, int]]:
    """Delete, per kind, the rows older than its retention; one commit per kind."""
    now = now or datetime.now(UTC)
    removed: dict[str, dict[str, int]] = {}
    for kind, targets in KINDS.items():
        cutoff = now - timedelta(days=getattr(policy, f"{kind}_days"))
        counts: dict[str, int] = {}
        for target in targets:
            gone = db.execute(delete(target.model).where(target.older(cutoff)))
            counts[target.model.__tablename__] = int(getattr(gone, "rowcount", 0) or 0)
        db.commit()
        removed[kind] = counts
    return removed


def prune(database_url: str, policy: Retention | None = None, *,
          insights_days: int | None = None, now: datetime | None = None
          ) -> dict[str, dict[str, int]]:
    """Prune with ``policy`` (default: the stored one); ``insights_days`` overrides it."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            chosen = (policy or stored_policy(db)).with_insights_override(insights_days)
            return prune_session(db, chosen, now)
    finally:
        engine.dispose()
