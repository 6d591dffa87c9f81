"""Class sessions and their rosters."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.classes import service
from api.classes.schemas import ClassSessionOut, EdgeCredentialsOut, RosterMemberOut
from api.deps import SessionDep, SettingsDep

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


@router.get("/{class_session_id}/edge-credentials")
async def get_edge_credentials(class_session_id: str, db: SessionDep, settings: SettingsDep,
                               principal: CurrentPrincipal) -> EdgeCredentialsOut:
    """For the class's room's edge box only (device token): the key that signs its
    records of this class, and the roster signed by the API (see contract.signing)."""
    return await service.edge_credentials(db, class_session_id, principal,
                                          settings.secret_key)
