"""The member portal: the active plan by week and session, logging sets, a readiness
check-in, feedback on a workout, adapting the plan to what was logged, and the member's
own parts of their classes' post-class summaries (``api.summaries``).

Plain forms with the CSRF field that post and redirect; logging a set also answers htmx
with the refreshed session so a member can log set after set without reloading."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from api.accounts.dependencies import MemberPage
from api.accounts.principal import Principal
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.members import service as members
from api.members.schemas import CheckInIn, FeedbackIn, LogIn, SetIn
from api.pages import member_view
from api.plans import display, forms, lifecycle, service
from api.plans.exceptions import PlanRefused
from api.summaries import service as summaries
from api.summaries.schemas import MemberSummaryOut
from api.templating import templates
from db.models import ClassSession
from planner.config import default_config
from planner.vocab import INJURY_AREAS
from scheduler.config import load_settings

router = APIRouter(tags=["pages"], include_in_schema=False)
SCALES = (("sleep", "Sleep", "1 very poor … 5 very good"),
          ("energy", "Energy", "1 exhausted … 5 full of energy"),
          ("stress", "Stress", "1 relaxed … 5 very stressed"),
          ("soreness", "Soreness", "1 none … 5 very sore"),
          ("pain", "Pain", "1 none … 5 severe"))


HISTORY_SHOWN = 10  # classes listed; the chart shows up to HISTORY_CHARTED
HISTORY_CHARTED = 30
FEEDBACK = ((5, "great"), (4, "good"), (3, "ok"), (2, "hard going"), (1, "awful"))


async def _past_classes(db: SessionDep, mine: list[MemberSummaryOut]
                        ) -> list[tuple[float | None, member_view.PastClass]]:
    """The member's classes with the class's name (the summary part names only the member)
    and the end time in the studio's zone."""
    ids = [c.class_session_id for c in mine]
    names = {s.id: s.class_type.name if s.class_type else "Class" for s in
             await db.scalars(select(ClassSession).where(ClassSession.id.in_(ids)))}
    zone = load_settings().studio.timezone
    return [(c.ended_at, member_view.past_class(c.summary, c.ended_at,
                                                names.get(c.class_session_id, "Class"), zone))
            for c in mine]


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]


async def _portal(request: Request, db: SessionDep, principal: Principal,
                  week: int | None = None, status: int = 200,
                  errors: list[str] | None = None) -> HTMLResponse:
    member_id = principal.member_id or ""
    row = await service.active_plan(db, member_id)
    plan = await service.plan_out(db, row) if row else None
    shown = None
    logged: dict[tuple[int, str], list[Any]] = {}
    rated: dict[str, int | None] = {}
    if plan is not None:
        number = week or display.current_week(plan.approved_at, plan.weeks)
        shown = display.week_of(plan.plan, number) or display.week_of(plan.plan, 1)
        for log in await members.list_logs(db, principal, member_id, plan.id, 1000):
            if shown and log.week == shown["week"]:
                logged.setdefault((log.day or 0, log.exercise_id), []).append(log)
        for fb in await members.list_feedback(db, principal, member_id):
            if fb.plan_id == plan.id and fb.session_ref:
                rated.setdefault(fb.session_ref, fb.rating)
    for sets in logged.values():
        sets.sort(key=lambda s: (s.performed_on, s.set_index))
    checkins = await members.list_checkins(db, principal, member_id, 5)
    latest = checkins[0] if checkins else None
    readiness = member_view.readiness_view(
        latest.answers.model_dump(), latest.status.model_dump(), default_config()
    ) if latest else None
    past = await _past_classes(db, (await summaries.my_summaries(db, principal))
                               [:HISTORY_CHARTED])
    return templates.TemplateResponse(request, "member.html", {
        "title": "My training", "principal": principal, "plan": plan, "week": shown,
        "logged": logged, "rated": rated, "checkins": checkins, "readiness": readiness,
        "scales": SCALES, "feedback_scale": FEEDBACK,
        "classes": [c for _, c in past[:HISTORY_SHOWN]],
        "history": member_view.history_series(past),
        "areas": INJURY_AREAS, "fmt": display, "errors": errors or [],
        "saved": request.query_params.get("saved")},
        status_code=status)


@router.get("/member", response_class=HTMLResponse)
async def portal(request: Request, db: SessionDep, principal: MemberPage,
                 week: int | None = None) -> HTMLResponse:
    return await _portal(request, db, principal, week)


async def _handle(request: Request, db: SessionDep, principal: Principal, week: int,
                  action: Any, saved: str) -> Response:
    """Run a form action; errors re-render the portal (htmx: the same page, status 200)."""
    htmx = request.headers.get("hx-request") == "true"
    try:
        await action()
    except ValidationError as exc:
        return await _portal(request, db, principal, week, 200 if htmx else 422,
                             _problems(exc))
    except PlanRefused as exc:
        return await _portal(request, db, principal, week, 200 if htmx else 422,
                             [exc.message, *exc.reasons])
    except SpotterError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        return await _portal(request, db, principal, week, 200 if htmx else exc.status_code,
                             [str(exc)])
    except ValueError as exc:
        return await _portal(request, db, principal, week, 200 if htmx else 422, [str(exc)])
    if htmx:
        return await _portal(request, db, principal, week)
    return RedirectResponse(f"/member?week={week}&saved={saved}", status_code=303)


@router.post("/member/logs", response_class=HTMLResponse)
async def log_set(request: Request, db: SessionDep, principal: MemberPage) -> Response:
    form = await request.form()
    week = forms.whole(form, "week") or 1

    async def action() -> None:
        body = LogIn(plan_id=forms.text(form, "plan_id"), week=week,
                     day=forms.whole(form, "day") or 0,
                     exercise_id=forms.text(form, "exercise_id") or "",
                     sets=[SetIn(load_kg=forms.number(form, "load_kg"),
                                 reps=forms.whole(form, "reps") or 0,
                                 rpe=forms.number(form, "rpe"))],
                     pain=forms.text(form, "pain") == "on",
                     poor_form=forms.text(form, "poor_form") == "on")
        await members.log_sets(db, principal, principal.member_id or "", body)

    return await _handle(request, db, principal, week, action, "set")


@router.post("/member/checkin", response_class=HTMLResponse)
async def check_in(request: Request, db: SessionDep, principal: MemberPage) -> Response:
    form = await request.form()
    week = forms.whole(form, "week") or 1

    async def action() -> None:
        body = CheckInIn.model_validate({
            **{name: forms.whole(form, name) for name, _, _ in SCALES},
            "pain_areas": [a for a in form.getlist("pain_areas") if isinstance(a, str)]})
        await members.check_in(db, principal, principal.member_id or "", body)

    return await _handle(request, db, principal, week, action, "check-in")


@router.post("/member/feedback", response_class=HTMLResponse)
async def feedback(request: Request, db: SessionDep, principal: MemberPage) -> Response:
    form = await request.form()
    week = forms.whole(form, "week") or 1

    async def action() -> None:
        body = FeedbackIn(plan_id=forms.text(form, "plan_id"), week=week,
                          day=forms.whole(form, "day") or 0,
                          rating=forms.whole(form, "rating") or 0,
                          comment=forms.text(form, "comment"))
        await members.give_feedback(db, principal, principal.member_id or "", body)

    return await _handle(request, db, principal, week, action, "feedback")


@router.post("/member/adapt", response_class=HTMLResponse)
async def adapt(request: Request, db: SessionDep, principal: MemberPage) -> Response:
    form = await request.form()
    week = forms.whole(form, "week") or 1

    async def action() -> None:
        await lifecycle.adapt(db, principal, forms.text(form, "plan_id") or "")

    return await _handle(request, db, principal, week, action, "plan-updated")
