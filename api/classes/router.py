"""Class sessions and their rosters."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.classes import service
from api.classes.schemas import ClassSessionOut, RosterMemberOut
from api.deps import SessionDep

router = APIRouter(prefix="/api/classes", tags=["classes"])


@router.get("")
async def list_classes(db: SessionDep, principal: CurrentPrincipal) -> list[ClassSessionOut]:
    """Class sessions the caller may see (a trainer's own, a member's booked), newest first."""
    return await service.list_sessions(db, principal)


@router.get("/{class_session_id}")
async def get_class(class_session_id: str, db: SessionDep, principal: CurrentPrincipal
                    ) -> ClassSessionOut:
    return await service.session_out(db, class_session_id, principal)


@router.get("/{class_session_id}/roster")
async def get_roster(class_session_id: str, db: SessionDep, principal: CurrentPrincipal
                     ) -> list[RosterMemberOut]:
    """Members booked into the class with their straps: the edge box pairs from this."""
    return await service.roster(db, class_session_id, principal)
