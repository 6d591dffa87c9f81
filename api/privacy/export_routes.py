"""Export and erasure over HTTP: the API, the member page's "Your data" fragment and the
admin's members page.

Members export only their own data (``me`` or their own id; anything else is 403);
admins export anyone's and erase. Every export and erasure is in the access log.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.accounts.dependencies import AdminPage, AdminPrincipal, MemberPage, UserPrincipal
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import Forbidden, InvalidInput, NotFoundError
from api.plans.access import resolve_member_id
from api.privacy.access_log import record_access
from api.privacy.collect import NoSuchMember
from api.privacy.erasure import erase_member, receipt_json
from api.privacy.export import export_zip
from api.privacy.places import kafka_options
from api.privacy.scrub import ANONYMOUS_PREFIX
from api.templating import templates
from db.models import Member
from db.privacy import ErasureReceipt

log = structlog.get_logger(__name__)
RECEIPTS_SHOWN = 20
router = APIRouter(prefix="/api/members", tags=["privacy"])
pages = APIRouter(tags=["pages"], include_in_schema=False)


async def _zip_response(db: SessionDep, principal: Principal, member_id: str) -> Response:
    if principal.role == "member" and principal.member_id != member_id:
        raise Forbidden("members may export only their own data")
    if principal.role not in ("admin", "member"):
        raise Forbidden("exports are for the member themselves or an admin")
    try:
        body = await export_zip(db, member_id)
    except NoSuchMember as exc:
        raise NotFoundError(str(exc)) from exc
    await record_access(db, principal, member_id, "export", "all", "zip export")
    log.info("member data exported", by_role=principal.role, size=len(body))
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="spotter-export-{member_id}.zip"',
        "Cache-Control": "no-store"})


@router.get("/{member_id}/export", response_class=Response,
            responses={200: {"content": {"application/zip": {}}}})
async def export_api(member_id: str, db: SessionDep, principal: UserPrincipal) -> Response:
    """Everything held about the member as a zip (JSON per kind, CSVs, README, schema).
    ``me`` for the calling member; members only their own, admins anyone's."""
    return await _zip_response(db, principal, resolve_member_id(principal, member_id))


class EraseIn(BaseModel):
    confirm: str = Field(max_length=64, description="the member's id again, to confirm")


async def _erase(request: Request, db: SessionDep, principal: Principal,
                 member_id: str) -> dict[str, object]:
    settings = request.app.state.settings
    redis = getattr(request.app.state, "redis", None)
    try:
        receipt = await erase_member(db, member_id, redis=redis,
                                     kafka_options=(kafka_options(settings)
                                                    if settings.kafka_url else None),
                                     data_dir=settings.data_dir, principal=principal)
    except NoSuchMember as exc:
        raise NotFoundError(str(exc)) from exc
    return receipt_json(receipt)


@router.post("/{member_id}/erase")
async def erase_api(member_id: str, body: EraseIn, request: Request, db: SessionDep,
                    principal: AdminPrincipal) -> dict[str, object]:
    """Erase the member everywhere (after their request); returns the erasure receipt."""
    if body.confirm != member_id:
        raise InvalidInput("confirm must repeat the member's id")
    return await _erase(request, db, principal, member_id)


@pages.get("/member/data/export", response_class=HTMLResponse)
async def export_fragment(request: Request, principal: MemberPage) -> HTMLResponse:
    return templates.TemplateResponse(request, "_privacy_export.html",
                                      {"principal": principal})


@pages.get("/member/data/export.zip", response_class=Response)
async def export_mine(db: SessionDep, principal: MemberPage) -> Response:
    return await _zip_response(db, principal, principal.member_id or "")


@pages.get("/admin/members", response_class=HTMLResponse)
async def admin_members(request: Request, db: SessionDep, principal: AdminPage
                        ) -> HTMLResponse:
    return await _members_page(request, db, principal, None, [])


async def _members_page(request: Request, db: SessionDep, principal: Principal,
                        receipt: dict[str, object] | None, errors: list[str]
                        ) -> HTMLResponse:
    members = list(await db.scalars(select(Member).where(
        Member.id.not_like(f"{ANONYMOUS_PREFIX}%")).order_by(Member.display_name)))
    receipts = list(await db.scalars(select(ErasureReceipt).order_by(
        ErasureReceipt.at.desc()).limit(RECEIPTS_SHOWN)))
    return templates.TemplateResponse(request, "admin_members.html", {
        "title": "Members' data", "principal": principal, "members": members,
        "receipt": receipt, "receipts": receipts, "errors": errors},
        status_code=422 if errors else 200)


@pages.get("/admin/members/{member_id}/export.zip", response_class=Response)
async def admin_export(member_id: str, db: SessionDep, principal: AdminPage) -> Response:
    return await _zip_response(db, principal, member_id)


@pages.post("/admin/members/{member_id}/erase", response_class=HTMLResponse)
async def admin_erase(member_id: str, request: Request, db: SessionDep,
                      principal: AdminPage, confirm: str = Form("", max_length=64)
                      ) -> HTMLResponse:
    """The erasure form: the admin types the member's id to confirm (CSRF checked by the
    session dependency)."""
    errors: list[str] = []
    receipt = None
    if confirm.strip() != member_id:
        errors.append("Type the member's id exactly to confirm the erasure.")
    else:
        receipt = await _erase(request, db, principal, member_id)
    return await _members_page(request, db, principal, receipt, errors)
