"""Post-class summaries as the worker stored them; who may read which part."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.classes.service import get_session
from api.exceptions import Forbidden, NotFoundError
from api.live.service import ensure_trainer_access
from api.summaries.schemas import ClassSummaryOut, MemberSummaryOut
from db.live import MemberClassSummary, PostClassSummary

MEMBER_HISTORY_LIMIT = 100


async def class_summary(db: AsyncSession, class_session_id: str, principal: Principal
                        ) -> ClassSummaryOut:
    session = await get_session(db, class_session_id, principal)
    if principal.role == "member":
        raise Forbidden("members read their own part of a summary: "
                        "GET /api/members/me/summaries")
    ensure_trainer_access(principal, session)
    row = await db.get(PostClassSummary, class_session_id)
    if row is None:
        raise NotFoundError("no summary for this class yet: it is built when the class ends")
    return ClassSummaryOut(class_session_id=row.class_session_id, created_at=row.created_at,
                           updated_at=row.updated_at, summary=row.payload)


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
