"""Deleting what is kept only for a while (``spotter db prune``).

Real-time insights are raw, per-minute health data: useful for weeks of trends, not
forever. Each kind of record has a retention (days, a ``SPOTTER_*_RETENTION_DAYS``
setting); pruning deletes what is older, in one transaction per kind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, delete
from sqlalchemy.orm import Session

from db.live import RealTimeInsight


def prune(database_url: str, *, insights_days: int, now: datetime | None = None
          ) -> dict[str, int]:
    """Delete rows past their retention; returns how many of each kind went."""
    now = now or datetime.now(UTC)
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            gone = db.execute(delete(RealTimeInsight).where(
                RealTimeInsight.created_at < now - timedelta(days=insights_days)))
            return {"real_time_class_insights": int(getattr(gone, "rowcount", 0) or 0)}
    finally:
        engine.dispose()
