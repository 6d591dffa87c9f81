"""Post-class summaries as the worker stored them; who may read which part."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.classes.service import get_session
from api.exceptions import Forbidden, NotFoundError
from api.live.service import ensure_trainer_access
from api.summaries.schemas import ClassSummaryOut, InsightOut, MemberSummaryOut
from db.live import MemberClassSummary, PostClassSummary, RealTimeInsight

MEMBER_HISTORY_LIMIT = 100


async def class_summary(db: AsyncSession, class_session_id: str, principal: Principal
                        ) -> ClassSummaryOut:
    session = await get_session(db, class_session_id, principal)
    if principal.role == "member":
        return await member_part(db, class_session_id, principal)
    ensure_trainer_access(principal, session)
    row = await db.get(PostClassSummary, class_session_id)
    if row is None:
        raise NotFoundError("no summary for this class yet: it is built when the class ends")
    return ClassSummaryOut(class_session_id=row.class_session_id, created_at=row.created_at,
                           updated_at=row.updated_at, summary=row.payload)


async def member_part(db: AsyncSession, class_session_id: str, principal: Principal
                      ) -> ClassSummaryOut:
    """A member's view of a class they attended: their own row, their line of the chart
    and their highlights; no other member's name or numbers, and no class aggregate (in a
    small class an average gives others away)."""
    part = await db.get(MemberClassSummary, (class_session_id, principal.member_id))
    whole = await db.get(PostClassSummary, class_session_id)
    if part is None or whole is None:
        raise NotFoundError("no summary of yours for this class (yet)")
    return ClassSummaryOut(class_session_id=class_session_id, created_at=whole.created_at,
                           updated_at=whole.updated_at,
                           summary=member_view(whole.payload, part.payload,
                                               str(principal.member_id)))


def member_view(document: dict[str, Any], part: dict[str, Any], member_id: str
                ) -> dict[str, Any]:
    series = document.get("series") or {}
    own_line = (series.get("members") or {}).get(member_id)
    return {"class_session_id": document.get("class_session_id"),
            "started_at": document.get("started_at"), "ended_at": document.get("ended_at"),
            "members": [part], "member_count": None,
            "series": {"bucket_s": series.get("bucket_s"), "origin": series.get("origin"),
                       "t_s": series.get("t_s"),
                       "members": {member_id: own_line} if own_line is not None else {}},
            "alerts": [], "form": {member_id: part["form"]} if part.get("form") else {},
            "view": "member"}


async def my_summaries(db: AsyncSession, principal: Principal) -> list[MemberSummaryOut]:
    if principal.role != "member" or not principal.member_id:
        raise Forbidden("this lists a member's own summaries; trainers read a class's "
                        "summary at /api/classes/{id}/summary")
    rows = await db.scalars(select(MemberClassSummary)
                            .where(MemberClassSummary.member_id == principal.member_id)
                            .order_by(MemberClassSummary.ended_at.desc())
                            .limit(MEMBER_HISTORY_LIMIT))
    return [MemberSummaryOut(class_session_id=r.class_session_id, ended_at=r.ended_at,
                             summary=r.payload) for r in rows]


async def class_insights(db: AsyncSession, class_session_id: str, principal: Principal,
                         member_id: str | None = None) -> list[InsightOut]:
    """A class's real-time insights in time order: its trainer and admins read all of
    them, a member only their own."""
    session = await get_session(db, class_session_id, principal)
    if principal.role == "member":
        member_id = principal.member_id
    else:
        ensure_trainer_access(principal, session)
    query = (select(RealTimeInsight)
             .where(RealTimeInsight.class_session_id == class_session_id)
             .order_by(RealTimeInsight.at, RealTimeInsight.member_id))
    if member_id is not None:
        query = query.where(RealTimeInsight.member_id == member_id)
    return [InsightOut(member_id=r.member_id, at=r.at, kind=r.kind, data=r.data)
            for r in await db.scalars(query)]
