"""Post-class summaries: the class view for its trainer, each member's own part."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.deps import SessionDep
from api.summaries import service
from api.summaries.schemas import ClassSummaryOut, MemberSummaryOut

router = APIRouter(tags=["summaries"])


@router.get("/api/classes/{class_session_id}/summary")
async def class_summary(class_session_id: str, db: SessionDep, principal: CurrentPrincipal
                        ) -> ClassSummaryOut:
    """The stored post-class summary (404 until the class has ended).
    The class's trainer or an admin; members use /api/members/me/summaries."""
    return await service.class_summary(db, class_session_id, principal)


@router.get("/api/members/me/summaries")
async def my_summaries(db: SessionDep, principal: CurrentPrincipal) -> list[MemberSummaryOut]:
    """The calling member's own parts of their classes' summaries, newest first."""
    return await service.my_summaries(db, principal)
