"""Retention (issue 20, item 4): after ``prune`` the database holds nothing older than
each kind's retention, and everything younger is still there, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from configs.retention import Retention
from configs.settings import normalise_database_url
from db.accounts import ApiToken, AuthSession, User
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.migrate import upgrade
from db.models import Member
from db.platform import OutboxMessage
from db.privacy import DataAccess
from db.retention import KINDS, load_policy, prune
from db.training import ReadinessCheckin

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = Retention(raw_samples_days=3, insights_days=10, summaries_days=40,
                   notifications_days=20, sessions_days=5, checkins_days=60,
                   access_log_days=400)


def rows_at(moment: datetime, tag: str) -> list[Any]:
    """One row of every pruned table, all stamped ``moment``."""
    return [
        RealTimeInsight(id=f"i-{tag}", class_session_id="c", member_id="m", at=0.0,
                        kind="minute", data={}, created_at=moment),
        AlertRow(id=f"a-{tag}", class_session_id="c", member_id="m", rule="r",
                 severity="info", message="m", event_time=moment.timestamp(), evidence={}),
        PostClassSummary(class_session_id=f"c-{tag}", payload={}, created_at=moment,
                         updated_at=moment),
        MemberClassSummary(class_session_id=f"c-{tag}", member_id="m", payload={},
                           created_at=moment),
        OutboxMessage(event="plan.approved", payload={}, created_at=moment),
        AuthSession(token_hash=f"s-{tag}", user_id="u", csrf_token="x", created_at=moment,
                    expires_at=moment),
        ApiToken(token_hash=f"t-{tag}", name="n", kind="user", user_id="u",
                 created_at=moment, expires_at=moment),
        ApiToken(token_hash=f"r-{tag}", name="n", kind="user", user_id="u",
                 created_at=moment, revoked_at=moment),
        ReadinessCheckin(member_id="m", checked_on=moment.date(), sleep=3, energy=3,
                         stress=3, soreness=3, pain=1, pain_areas=[], created_at=moment),
        DataAccess(at=moment, actor_role="trainer", member_id="m", action="view",
                   resource="plan"),
    ]


def seed(database_url: str) -> None:
    engine = create_engine(normalise_database_url(database_url))
    with Session(engine) as db, db.begin():
        db.add(Member(id="m", display_name="M"))
        db.flush()
        db.add(User(id="u", email="u@test.spotter", display_name="U", password_hash="!",
                    role="member", member_id="m"))
        db.flush()
        for kind in KINDS:
            days = getattr(POLICY, f"{kind}_days")
            db.add_all(t for t in rows_at(NOW - timedelta(days=days, hours=1), f"{kind}-old")
                       if _kind_of(t) == kind)
            db.add_all(t for t in rows_at(NOW - timedelta(days=days) + timedelta(hours=1),
                                          f"{kind}-new") if _kind_of(t) == kind)
        # A device token that never expires and was never revoked is never pruned.
        db.add(ApiToken(token_hash="device", name="edge", kind="device",
                        created_at=NOW - timedelta(days=3000)))
    engine.dispose()


def _kind_of(row: Any) -> str:
    return next(k for k, targets in KINDS.items()
                if any(isinstance(row, t.model) for t in targets))


def check_pruned(database_url: str) -> None:
    removed = prune(database_url, POLICY, now=NOW)
    engine = create_engine(normalise_database_url(database_url))
    with Session(engine) as db:
        for kind, targets in KINDS.items():
            cutoff = NOW - timedelta(days=getattr(POLICY, f"{kind}_days"))
            for target in targets:
                table = target.model.__tablename__
                older = db.scalar(select(func.count()).select_from(target.model)
                                  .where(target.older(cutoff)))
                assert older == 0, f"{table} still holds rows older than {kind}'s retention"
                expected_removed = 2 if target.model is ApiToken else 1
                assert removed[kind][table] == expected_removed, (kind, table, removed)
        assert db.scalar(select(func.count()).select_from(ApiToken)) == 3  # new x2 + device
        for model in (RealTimeInsight, AlertRow, PostClassSummary, MemberClassSummary,
                      OutboxMessage, AuthSession, ReadinessCheckin, DataAccess):
            assert db.scalar(select(func.count()).select_from(model)) == 1, model
    engine.dispose()
    # Pruning again removes nothing more.
    again = prune(database_url, POLICY, now=NOW)
    assert all(n == 0 for tables in again.values() for n in tables.values())


def test_sqlite_holds_nothing_older_than_each_retention(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prune.db'}"
    upgrade(url)
    seed(url)
    check_pruned(url)


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    schema = f"prune_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_database_url(postgres_url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_postgresql_holds_nothing_older_than_each_retention(postgres_schema: str) -> None:
    seed(postgres_schema)
    check_pruned(postgres_schema)


def test_the_stored_policy_is_used_and_the_insights_override_wins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'policy.db'}"
    upgrade(url)
    assert load_policy(url) == Retention.default()
    engine = create_engine(url)
    from db.platform import AppSetting

    with Session(engine) as db, db.begin():
        db.add(AppSetting(key="retention", value=POLICY.model_dump()))
        db.add(RealTimeInsight(id="i", class_session_id="c", member_id="m", at=0.0,
                               kind="minute", data={}, created_at=NOW - timedelta(days=5)))
    engine.dispose()
    assert load_policy(url) == POLICY
    assert prune(url, now=NOW)["insights"]["real_time_class_insights"] == 0  # 10 days
    assert prune(url, insights_days=4, now=NOW)["insights"]["real_time_class_insights"] == 1


def test_a_database_not_migrated_yet_gets_the_defaults(tmp_path: Path) -> None:
    assert load_policy(f"sqlite:///{tmp_path / 'empty.db'}") == Retention.default()
