"""Who is calling, and may they: dependencies every router uses.

Bearer tokens (API clients, edge devices) and session cookies (pages) both resolve to a
:class:`Principal`. Cookie-authenticated writes must echo the session's CSRF token
(header ``X-CSRF-Token`` or form field ``csrf_token``): a cookie alone proves nothing
about which site sent the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Request

from api.accounts import service
from api.accounts.principal import Principal
from api.accounts.security import same
from api.deps import SessionDep
from api.exceptions import AuthenticationRequired, Forbidden, LoginRequired

SESSION_COOKIE = "spotter_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ALL_ROLES = frozenset({"admin", "trainer", "member", "device"})
GatedT = TypeVar("GatedT")


@dataclass(frozen=True)
class Gate:
    """The role gate a dependency enforces, readable without calling it.

    ``tests/api/test_authz_routes.py`` walks every route's dependencies, collects these
    and checks each role gets the status the gate promises; a route with no gate fails
    that test unless it is on the short public list.
    """

    kind: Literal["api", "page"]  # api: 401 when anonymous; page: 303 to /login
    roles: frozenset[str]


def mark_gate(call: GatedT, kind: Literal["api", "page"], roles: frozenset[str]) -> GatedT:
    call.spotter_gate = Gate(kind, roles)  # type: ignore[attr-defined]
    return call


def gate_of(call: Any) -> Gate | None:
    """The gate a dependency callable declares, if any."""
    gate = getattr(call, "spotter_gate", None)
    return gate if isinstance(gate, Gate) else None


async def _csrf_ok(request: Request, expected: str | None) -> bool:
    if not expected:
        return False
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches it for the route's Form() params
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    return sent is not None and same(sent, expected)


async def optional_principal(request: Request, db: SessionDep) -> Principal | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationRequired("use 'Authorization: Bearer <token>'")
        principal = await service.principal_from_bearer(db, token.strip())
        if principal is None:
            raise AuthenticationRequired("the bearer token is invalid, expired or revoked")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    principal = await service.principal_from_cookie(db, cookie)
    if principal and request.method not in SAFE_METHODS and not await _csrf_ok(
            request, principal.csrf_token):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise AuthenticationRequired("log in, or send 'Authorization: Bearer <token>'")
    return principal


mark_gate(require_principal, "api", ALL_ROLES)
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}; you are "
                            f"{principal.role}")
        return principal

    return mark_gate(check, "api", frozenset(roles))


StaffPrincipal = Annotated[Principal, Depends(require_roles("admin", "trainer"))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]


def page_roles(*roles: str) -> Callable[[Request, Principal | None], Awaitable[Principal]]:
    """Like ``require_roles`` for HTML pages: anonymous visitors go to /login."""

    async def check(request: Request, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise LoginRequired(str(request.url.path) + (f"?{request.url.query}"
                                                         if request.url.query else ""))
        if principal.role not in roles:
            raise Forbidden(f"This page is for {' or '.join(roles)} accounts")
        return principal

    return mark_gate(check, "page", frozenset(roles))


TrainerPage = Annotated[Principal, Depends(page_roles("admin", "trainer"))]
MemberPage = Annotated[Principal, Depends(page_roles("member"))]
AdminPage = Annotated[Principal, Depends(page_roles("admin"))]
UserPage = Annotated[Principal, Depends(page_roles("admin", "trainer", "member"))]
UserPrincipal = Annotated[Principal, Depends(require_roles("admin", "trainer", "member"))]
