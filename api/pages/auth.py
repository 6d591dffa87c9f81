"""The site root, the login and logout pages (session cookies for browsers), and the icon
browsers ask for at ``/favicon.ico``."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.accounts import service
from api.accounts.dependencies import SESSION_COOKIE, CurrentPrincipal, OptionalPrincipal
from api.accounts.ratelimit import allow_login_attempt
from api.accounts.router import client_address
from api.accounts.service import SESSION_LIFETIME
from api.deps import RedisDep, SessionDep, SettingsDep
from api.templating import STATIC_DIR, templates

router = APIRouter(tags=["pages"], include_in_schema=False)
HOME = {"admin": "/admin", "trainer": "/trainer", "member": "/member"}


def safe_next(next_url: str | None, role: str) -> str:
    """Only same-site paths: an open redirect would make the login page a phishing aid."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return HOME.get(role, "/")


@router.get("/", response_class=HTMLResponse)
async def home(principal: OptionalPrincipal) -> Response:
    return RedirectResponse(HOME.get(principal.role, "/login") if principal else "/login",
                            status_code=303)


@router.get("/favicon.ico", response_class=FileResponse)
async def favicon() -> FileResponse:
    """Browsers and tools that ignore the pages' <link rel=icon> still ask here; an SVG
    answers them (every browser we target draws SVG icons), cached for a day."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html",
                                      {"title": "Log in", "next": next or "", "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, db: SessionDep, redis: RedisDep, settings: SettingsDep,
                email: str = Form(max_length=254), password: str = Form(max_length=1024),
                next: str = Form("")) -> Response:
    def again(error: str, status: int) -> HTMLResponse:
        return templates.TemplateResponse(request, "login.html", {
            "title": "Log in", "next": next, "error": error, "email": email,
        }, status_code=status)

    if not await allow_login_attempt(redis, client_address(request),
                                     settings.login_attempts_per_minute):
        return again("Too many attempts. Wait a minute and try again.", 429)
    user = await service.authenticate(db, email, password)
    if user is None:
        return again("Wrong email or password.", 401)
    token, _csrf = await service.start_session(db, user)
    response = RedirectResponse(safe_next(next, user.role), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
async def logout(request: Request, db: SessionDep, principal: CurrentPrincipal) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await service.end_session(db, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
