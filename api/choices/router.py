"""The members' choices over HTTP (issue 20, item 1).

``/api/members/me/consents``: a member reads and changes their own choices; nobody else
changes them (a studio that takes a choice on paper has the member log in, or records it
with their account). ``/api/members/{id}/consents``: trainers (their members) and admins
read them, with the history, and the read is in the access log.
A change of heart-rate or camera choices reaches a live class at once
(:mod:`api.choices.live`).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.accounts.dependencies import UserPrincipal
from api.accounts.principal import Principal
from api.choices.live import LIVE_CHOICES, push_to_live_classes
from api.deps import SessionDep, SettingsDep
from api.exceptions import Forbidden
from api.plans.access import ensure_member_access, resolve_member_id
from api.privacy import consent
from api.privacy.access_log import logged
from configs.consent import WallMode, consent_config

router = APIRouter(prefix="/api/members", tags=["privacy"])


class WordingOut(BaseModel):
    version: int
    title: str
    wording: str


class ConsentRowOut(BaseModel):
    choice: str
    granted: bool
    version: int
    recorded_at: datetime
    recorded_by: str | None


class ChoicesOut(BaseModel):
    """What the member allows now, which of it are defaults, the words each choice was
    given under, and every recorded change (newest first)."""

    member_id: str
    hr_tracking: bool
    camera_form: bool
    wall_screen: WallMode
    nickname: str | None
    suggestions: bool
    defaults_used: list[str]
    to_confirm: list[str]  # answered under an older wording
    wording: dict[str, WordingOut]
    history: list[ConsentRowOut]


async def choices_out(db: SessionDep, member_id: str) -> ChoicesOut:
    now = await consent.choices(db, member_id)
    config = consent_config()
    return ChoicesOut(
        member_id=member_id, hr_tracking=now.hr_tracking, camera_form=now.camera_form,
        wall_screen=now.wall_screen, nickname=now.nickname, suggestions=now.suggestions,
        defaults_used=[c for c in consent.CHOICES if c not in now.asked],
        to_confirm=sorted(now.outdated),
        wording={c: WordingOut.model_validate(config.wording_of(c).model_dump())
                 for c in consent.CHOICES},
        history=[ConsentRowOut(choice=r.choice, granted=r.granted, version=r.version,
                               recorded_at=r.recorded_at, recorded_by=r.recorded_by)
                 for r in await consent.history(db, member_id)])


def _own(principal: Principal) -> str:
    if principal.role != "member" or not principal.member_id:
        raise Forbidden("only members record their own choices; staff can read them at "
                        "/api/members/{member_id}/consents")
    return principal.member_id


@router.get("/me/consents")
async def my_choices(db: SessionDep, principal: UserPrincipal) -> ChoicesOut:
    return await choices_out(db, _own(principal))


@router.put("/me/consents")
async def change_my_choices(body: consent.ChoicesIn, db: SessionDep, settings: SettingsDep,
                            principal: UserPrincipal) -> ChoicesOut:
    """Change any of the choices (only those sent change); 422 says why a change is
    refused (an unknown choice, a non-boolean, a nickname the wall cannot show)."""
    member_id = _own(principal)
    before = await consent.choices(db, member_id)
    after = await consent.record(db, member_id, body, principal.user_id)
    if any(getattr(before, c) != getattr(after, c) for c in LIVE_CHOICES):
        await push_to_live_classes(db, settings, member_id)
    return await choices_out(db, member_id)


@router.get("/{member_id}/consents")
async def member_choices(member_id: str, db: SessionDep, principal: UserPrincipal
                         ) -> ChoicesOut:
    mid = resolve_member_id(principal, member_id)
    await ensure_member_access(db, principal, mid)
    return await logged(db, principal, mid, "consents", await choices_out(db, mid))
