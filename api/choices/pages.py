"""The member's "Your data" choices on their page (``_privacy_choices.html``), loaded into
``/member`` by htmx and changed in place: a plain form with the CSRF field that also works
without JavaScript (it then posts and comes back to the member page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.accounts.dependencies import MemberPage
from api.accounts.principal import Principal
from api.choices.live import LIVE_CHOICES, push_to_live_classes
from api.deps import SessionDep, SettingsDep
from api.exceptions import InvalidInput
from api.privacy import consent
from api.templating import templates
from configs.consent import consent_config

router = APIRouter(tags=["pages"], include_in_schema=False)
HISTORY_SHOWN = 10
FRAGMENT = "_privacy_choices.html"


async def _card(request: Request, db: SessionDep, principal: Principal, *,
                message: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    member_id = principal.member_id or ""
    config = consent_config()
    return templates.TemplateResponse(request, FRAGMENT, {
        "principal": principal, "now": await consent.choices(db, member_id),
        "words": {c: config.wording_of(c) for c in consent.CHOICES},
        "history": (await consent.history(db, member_id))[:HISTORY_SHOWN],
        "message": message, "error": error}, status_code=status)


def _change(form: dict[str, Any]) -> consent.ChoicesIn:
    """Radio values "on"/"off" become booleans; a choice not sent stays as it is."""
    values: dict[str, Any] = {c: form[c] == "on" for c in consent.ON_OFF
                              if form.get(c) in ("on", "off")}
    for choice in consent.ON_OFF:
        if choice in form and form[choice] not in ("on", "off"):
            raise InvalidInput(f"{choice}: choose on or off")
    if form.get("wall_screen"):
        values["wall_screen"] = form["wall_screen"]
        values["nickname"] = form.get("nickname", "")
    return consent.ChoicesIn.model_validate(values)


@router.get("/member/data/choices", response_class=HTMLResponse)
async def choices_card(request: Request, db: SessionDep, principal: MemberPage
                       ) -> HTMLResponse:
    return await _card(request, db, principal)


@router.post("/member/data/choices", response_class=HTMLResponse)
async def save_choices(request: Request, db: SessionDep, settings: SettingsDep,
                       principal: MemberPage) -> Response:
    htmx = request.headers.get("hx-request") == "true"
    form = {k: str(v) for k, v in (await request.form()).items()}
    member_id = principal.member_id or ""
    try:
        before = await consent.choices(db, member_id)
        after = await consent.record(db, member_id, _change(form), principal.user_id)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}"
                            for e in exc.errors())
        return await _card(request, db, principal, error=reasons, status=200 if htmx else 422)
    except InvalidInput as exc:
        return await _card(request, db, principal, error=str(exc),
                           status=200 if htmx else 422)
    if any(getattr(before, c) != getattr(after, c) for c in LIVE_CHOICES):
        await push_to_live_classes(db, settings, member_id)
    if not htmx:
        return RedirectResponse("/member?saved=choices#privacy-choices", status_code=303)
    return await _card(request, db, principal, message="Saved. Your choices apply at once, "
                       "also in a class that is on now.")
