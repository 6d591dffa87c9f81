"""Post-class summaries and real-time insights: the class view for its trainer, each
member's own part."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.deps import SessionDep
from api.summaries import service
from api.summaries.schemas import ClassSummaryOut, InsightOut, MemberSummaryOut
from db.access_log import logged_many, summary_member_ids

router = APIRouter(tags=["summaries"])


@router.get("/api/classes/{class_session_id}/summary")
async def class_summary(class_session_id: str, db: SessionDep, principal: CurrentPrincipal
                        ) -> ClassSummaryOut:
    """The stored post-class summary (404 until the class has ended).
    The class's trainer or an admin; members use /api/members/me/summaries."""
    out = await service.class_summary(db, class_session_id, principal)
    return await logged_many(db, principal, summary_member_ids(out.summary), "class_summary",
                             out, detail=f"class {class_session_id}")


@router.get("/api/members/me/summaries")
async def my_summaries(db: SessionDep, principal: CurrentPrincipal) -> list[MemberSummaryOut]:
    """The calling member's own parts of their classes' summaries, newest first."""
    return await service.my_summaries(db, principal)


@router.get("/api/classes/{class_session_id}/insights")
async def class_insights(class_session_id: str, db: SessionDep, principal: CurrentPrincipal,
                         member_id: str | None = None) -> list[InsightOut]:
    """Real-time insights as they happened: one per member per minute of class, and one
    per alert. The class's trainer or an admin (optionally one member); a member reads
    their own only."""
    rows = await service.class_insights(db, class_session_id, principal, member_id)
    return await logged_many(db, principal, [r.member_id for r in rows if r.member_id],
                             "insights", rows, detail=f"class {class_session_id}")
