"""``/api/feedback/classes``: members rate the classes they attended (within 48 h);
trainers and admins read the ratings per class."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.accounts.dependencies import StaffPrincipal, require_roles
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.feedback import service

router = APIRouter(prefix="/api/feedback", tags=["feedback"])
MemberPrincipal = Annotated[Principal, Depends(require_roles("member"))]


@router.get("/classes/pending")
async def pending(db: SessionDep, principal: MemberPrincipal) -> list[service.RatableClass]:
    """The caller's classes that ended within the last 48 h, with their rating if given."""
    assert principal.member_id is not None
    return await service.ratable(db, principal.member_id)


@router.put("/classes/{class_session_id}")
async def rate(class_session_id: str, body: service.RatingIn, db: SessionDep,
               principal: MemberPrincipal) -> service.RatableClass:
    """Rate (or re-rate) a class you attended, 1-5, within 48 h of its end; optionally
    'this time doesn't suit me' and a comment."""
    return await service.rate(db, principal, class_session_id, body)


@router.get("/classes")
async def ratings(db: SessionDep, principal: StaffPrincipal,
                  days: int = Query(28, ge=1, le=365),
                  trainer_id: str | None = Query(None, max_length=64)
                  ) -> list[service.ClassRatings]:
    """Rated classes of the last ``days`` days: count, mean, 'time doesn't suit' ticks and
    comments (no member names)."""
    return await service.by_class(db, days, trainer_id)
