"""Page fragments about a member's training: the performance summary (member portal and
the trainer's plan review) and the session changes accepted in class (member portal).

Each is loaded by the page with ``hx-get`` on load, so the pages' own routes stay as they
are; each fragment works on its own and is accessible by itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.accounts.dependencies import MemberPage, TrainerPage
from api.deps import SessionDep
from api.members import changes
from api.plans import access, display, performance
from api.plans.service import active_plan
from api.templating import templates
from db.access_log import logged
from db.consent import allows

pages = APIRouter(tags=["pages"], include_in_schema=False)
WEEKS = Query(default=performance.DEFAULT_WEEKS, ge=1, le=52)


@pages.get("/member/performance", response_class=HTMLResponse)
async def my_performance(request: Request, db: SessionDep, principal: MemberPage,
                         weeks: int = WEEKS) -> HTMLResponse:
    perf = await performance.gather(db, principal.member_id or "", weeks)
    return templates.TemplateResponse(request, "_performance.html", {
        "perf": perf, "who": "member",
        "suggestions_off": not await allows(db, principal.member_id or "", "suggestions")})


@pages.get("/trainer/members/{member_id}/performance", response_class=HTMLResponse)
async def member_performance(member_id: str, request: Request, db: SessionDep,
                             principal: TrainerPage, weeks: int = WEEKS) -> HTMLResponse:
    member = await access.ensure_member_access(db, principal, member_id)
    perf = await logged(db, principal, member.id, "performance",
                        await performance.gather(db, member.id, weeks))
    return templates.TemplateResponse(request, "_performance.html", {
        "perf": perf, "who": "trainer",
        "suggestions_off": not await allows(db, member.id, "suggestions")})


@pages.get("/member/plan-changes", response_class=HTMLResponse)
async def my_plan_changes(request: Request, db: SessionDep, principal: MemberPage,
                          week: int | None = Query(default=None, ge=1, le=52)) -> HTMLResponse:
    """Accepted in-class changes on the active plan (the shown week's, or all)."""
    member_id = principal.member_id or ""
    plan = await active_plan(db, member_id)
    sessions = []
    if plan is not None:
        found = await changes.session_changes(db, principal, member_id, plan_id=plan.id,
                                              week=week)
        sessions = await changes.changed_sessions(db, plan, found)
    if not sessions:
        return HTMLResponse("")
    return templates.TemplateResponse(request, "_session_changes.html",
                                      {"sessions": sessions, "fmt": display})
