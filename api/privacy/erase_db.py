"""Erasing a member from the database, one registered kind at a time, in one transaction.

Rows that are the member's alone are deleted; rows that feed class-level numbers move to
a placeholder member with the anonymous id (``display_name`` "Erased member", no email),
so a class keeps its bookings, ratings, minutes and alerts, and nothing links them back.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.exceptions import ConflictError
from api.privacy.collect import classes_of, needles_of, query, rows_of
from api.privacy.member_data import REGISTRY, DataKind, Needles
from api.privacy.scrub import ERASED_NAME, scrub
from db.accounts import User
from db.models import Base, Booking, ClassSession, Member


class MemberInLiveClass(ConflictError):
    """The member is in a class that is live now: the worker holds their state in memory
    and would write it again. Erase after the class ends (minutes)."""


async def _ensure_not_live(db: AsyncSession, member_id: str) -> None:
    live = await db.scalar(select(ClassSession.id).join(
        Booking, Booking.class_session_id == ClassSession.id).where(
        Booking.member_id == member_id, ClassSession.status == "live").limit(1))
    if live is not None:
        raise MemberInLiveClass(f"the member is in class {live}, which is live now; erase "
                                "after it ends")


def _json_columns(kind: DataKind) -> list[str]:
    from sqlalchemy import JSON

    return [c.key for c in kind.columns() if isinstance(c.type, JSON)]


def _text_columns(kind: DataKind) -> list[str]:
    from sqlalchemy import String, Text

    skip = {kind.column, "id", "class_session_id"}
    return [c.key for c in kind.model.__table__.columns  # type: ignore[attr-defined]
            if isinstance(c.type, String | Text) and c.key not in skip]


def _anonymise(kind: DataKind, row: Any, needles: Needles, anonymous: str) -> None:
    if kind.rekey:  # same length, no way back to the member's id
        old = str(row.id)
        row.id = hashlib.sha256(f"{anonymous}|{old}".encode()).hexdigest()[:len(old)]
    if kind.link == "member":
        setattr(row, kind.column, anonymous)
    for name in kind.clear:
        setattr(row, name, None)
    for name in _json_columns(kind):
        value = getattr(row, name)
        if value is not None:
            setattr(row, name, scrub(value, needles, anonymous))
    for name in _text_columns(kind):
        value = getattr(row, name)
        if isinstance(value, str):
            setattr(row, name, scrub(value, needles, anonymous))


async def _release_user_references(db: AsyncSession, user_ids: list[str]) -> int:
    """Null foreign keys to the member's accounts in tables outside the registry (a
    member account that once approved or acknowledged something)."""
    if not user_ids:
        return 0
    registered = {k.table for k in REGISTRY}
    users = User.__table__
    count = 0
    for table in Base.metadata.sorted_tables:
        if table.name in registered:
            continue
        for column in table.columns:
            if any(fk.column.table is users for fk in column.foreign_keys):
                done = await db.execute(update(table).where(column.in_(user_ids))
                                        .values({column.name: None}))
                count += int(getattr(done, "rowcount", 0) or 0)
    return count


async def erase_rows(db: AsyncSession, member_id: str, anonymous: str
                     ) -> tuple[Needles, list[str], dict[str, dict[str, int]]]:
    """Delete or anonymise every registered row (the caller commits). Returns the
    member's needles (for Redis, topics and files), their classes, and counts per table."""
    needles = await needles_of(db, member_id)
    await _ensure_not_live(db, member_id)
    classes = await classes_of(db, member_id)
    if db.get_bind().dialect.name == "sqlite":
        # SQLite leaves deleted rows' bytes in free pages: overwrite them with zeros
        await db.execute(text("PRAGMA secure_delete = ON"))
    db.add(Member(id=anonymous, display_name=ERASED_NAME, email=None))
    await db.flush()
    counts: dict[str, dict[str, int]] = {}
    for kind in REGISTRY:
        rows = await rows_of(db, kind, needles, classes)
        if kind.policy == "delete":
            if rows:
                await db.execute(delete(kind.model).where(
                    query(kind, needles, classes).whereclause))  # type: ignore[arg-type]
        else:
            for row in rows:
                _anonymise(kind, row, needles, anonymous)
        await db.flush()
        if rows:
            counts[kind.table] = {("deleted" if kind.policy == "delete" else
                                   "anonymised"): len(rows)}
        if kind.name == "notifications":  # accounts go next: free them first
            released = await _release_user_references(db, needles.user_ids)
            if released:
                counts["staff_references"] = {"released": released}
    return needles, classes, counts
