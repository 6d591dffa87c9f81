"""The member's class-rating card (``_class_rating.html``), loaded into the member page
by htmx: classes that ended within 48 h, each with a 1-5 choice (nothing preselected),
"this time doesn't suit me" and a comment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.accounts.dependencies import MemberPage
from api.deps import SessionDep
from api.exceptions import SpotterError
from api.feedback import service
from api.templating import templates

router = APIRouter(tags=["pages"], include_in_schema=False)
SCALE = [(1, "poor"), (2, "below par"), (3, "ok"), (4, "good"), (5, "great")]


async def _card(request: Request, db: SessionDep, principal: MemberPage,
                message: str = "", error: str = "") -> HTMLResponse:
    assert principal.member_id is not None
    return templates.TemplateResponse(request, "_class_rating.html", {
        "principal": principal, "classes": await service.ratable(db, principal.member_id),
        "scale": SCALE, "message": message, "error": error})


@router.get("/member/class-ratings", response_class=HTMLResponse)
async def card(request: Request, db: SessionDep, principal: MemberPage) -> HTMLResponse:
    return await _card(request, db, principal)


@router.post("/member/class-ratings/{class_session_id}", response_class=HTMLResponse)
async def rate(class_session_id: str, request: Request, db: SessionDep,
               principal: MemberPage) -> HTMLResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        body = service.RatingIn.model_validate({
            "rating": form.get("rating") or None,
            "time_unsuitable": form.get("time_unsuitable") == "on",
            "comment": form.get("comment") or None})
        done = await service.rate(db, principal, class_session_id, body)
    except ValidationError:
        return await _card(request, db, principal,
                           error="Pick how the class was, from 1 (poor) to 5 (great).")
    except SpotterError as exc:
        if exc.status_code not in (403, 404, 422):
            raise
        return await _card(request, db, principal, error=str(exc))
    return await _card(request, db, principal,
                       message=f"Thanks: {done.class_name} rated {done.rating} of 5.")
