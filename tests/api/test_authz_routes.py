"""Every route of the app, every method, as anonymous, member, trainer, admin and device.

The expected access is read from each route's declared dependencies (the ``Gate`` that
``require_roles``/``page_roles``/``CurrentPrincipal`` attach), so routes other domains add
later are covered without editing this file. A route with no gate fails here unless it is
on the short public list below. Object-level rules (whose plan, which class) are each
domain's own tests; this one proves the role gate holds everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse
from starlette.routing import Mount

from api.accounts.bootstrap import create_token
from api.accounts.dependencies import ALL_ROLES, Gate, gate_of
from db.accounts import User

# Reachable without logging in, on purpose. Keep this list short.
PUBLIC = {
    ("/healthz", "GET"), ("/readyz", "GET"), ("/", "GET"), ("/login", "GET"),
    ("/login", "POST"), ("/api/auth/token", "POST"), ("/openapi.json", "GET"),
    ("/docs", "GET"), ("/docs/oauth2-redirect", "GET"), ("/redoc", "GET"),
    ("/metrics", "GET"),  # Prometheus scrapes without a login: counts by route, no ids
    ("/favicon.ico", "GET"),  # the site icon (browsers ask before anyone logs in)
}
PUBLIC_MOUNTS = {"/static"}
GUARDED_MOUNTS = {"/admin/db"}  # SQLAdmin: session auth, admins only (test_admin_database)
IDENTITIES = ("anonymous", "member", "trainer", "admin", "device")
GATE_MESSAGES = ("this needs the role", "This page is for")


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    gate: Gate | None
    streams: bool


def gates(dependant: object) -> list[Gate]:
    found: list[Gate] = []
    for sub in getattr(dependant, "dependencies", []):
        gate = gate_of(sub.call)
        if gate is not None:
            found.append(gate)
        found.extend(gates(sub))
    return found


def combined(found: list[Gate]) -> Gate | None:
    """Every gate on the path must pass: roles intersect; any page gate makes it a page."""
    if not found:
        return None
    roles = frozenset(ALL_ROLES)
    for gate in found:
        roles &= gate.roles
    return Gate("page" if any(g.kind == "page" for g in found) else "api", roles)


def endpoints(app: object) -> tuple[list[Endpoint], list[str]]:
    """(endpoints, problems): problems are routes that are neither gated nor public."""
    found, problems = [], []
    for ctx in routing.iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        original = ctx.original_route
        if isinstance(original, Mount):
            if ctx.path not in PUBLIC_MOUNTS | GUARDED_MOUNTS:
                problems.append(f"mount {ctx.path} is neither public nor guarded")
            continue
        for method in sorted((ctx.methods or set()) - {"HEAD"}):
            gate = combined(gates(ctx.dependant)) if isinstance(original, APIRoute) else None
            if gate is None and (ctx.path, method) not in PUBLIC:
                problems.append(f"{method} {ctx.path} has no role gate: add CurrentPrincipal, "
                                "require_roles(...) or page_roles(...) to it")
            response_class = getattr(original, "response_class", None)
            streams = isinstance(response_class, type) and issubclass(
                response_class, StreamingResponse)
            found.append(Endpoint(ctx.path, method, gate, streams))
    return found, problems


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "authz-probe", path)


@pytest.fixture
def identities(api_world) -> dict[str, dict[str, str]]:
    """Bearer headers per role, made directly (no Argon2 login per role)."""
    engine = create_engine(api_world.database_url)
    with Session(engine) as db:
        ids = {u.role: u.id for u in db.scalars(select(User).where(
            User.email.in_([e for e, _ in api_world.demo.accounts.values()])))}
    engine.dispose()
    headers = {"anonymous": {}, "device": api_world.auth("device")}
    for role in ("member", "trainer", "admin"):
        token = create_token(api_world.database_url, f"authz {role}", kind="user",
                             user_id=ids[role])
        headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def test_every_route_is_public_on_purpose_or_gated(api_world) -> None:
    found, problems = endpoints(api_world.client.app)
    assert not problems, "\n".join(problems)
    assert len(found) >= 40  # the walk really sees the app (a broken walk would pass empty)


def test_every_route_answers_each_role_as_its_gate_says(api_world, identities) -> None:
    client = api_world.client
    found, _ = endpoints(client.app)
    wrong: list[str] = []
    for endpoint in found:
        url = concrete(endpoint.path)
        for who in IDENTITIES:
            gate = endpoint.gate
            if gate is None:  # public
                if endpoint.method == "GET" and who == "anonymous" and not endpoint.streams:
                    status = client.get(url, follow_redirects=False).status_code
                    if status >= 400 and endpoint.path != "/readyz":
                        wrong.append(f"public GET {url} answered {status}")
                continue
            allowed = who in gate.roles
            if allowed and endpoint.streams:
                continue  # an open stream never ends; its gate is still checked for others
            response = client.request(endpoint.method, url, headers=identities[who],
                                      follow_redirects=False)
            status, text = response.status_code, response.text
            if who == "anonymous":
                expected_ok = (status == 401 if gate.kind == "api" else
                               status == 303 and response.headers.get(
                                   "location", "").startswith("/login?next="))
                if not expected_ok:
                    wrong.append(f"anonymous {endpoint.method} {url}: {status}")
            elif not allowed:
                if status != 403:
                    wrong.append(f"{who} {endpoint.method} {url}: {status}, gate says 403")
            elif status in (401, 403) and (status == 401 or any(
                    m in text for m in GATE_MESSAGES)) or status >= 500:
                wrong.append(f"{who} {endpoint.method} {url}: {status} {text[:120]}")
    assert not wrong, "\n".join(wrong)


def test_cookie_writes_without_the_csrf_token_are_refused_everywhere(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["admin"]
    login = client.post("/login", data={"email": email, "password": password},
                        follow_redirects=False)
    assert login.status_code == 303
    client.cookies.set("spotter_session", login.cookies["spotter_session"])
    found, _ = endpoints(client.app)
    unsafe = [e for e in found if e.gate and e.method not in ("GET", "HEAD", "OPTIONS")]
    assert unsafe
    refused = {(e.method, e.path): client.request(e.method, concrete(e.path),
                                                  follow_redirects=False)
               for e in unsafe}
    wrong = {k: r.status_code for k, r in refused.items()
             if r.status_code != 403 or "CSRF" not in r.text}
    assert not wrong


def test_a_deactivated_users_token_and_session_stop_working(api_world, identities) -> None:
    client, admin = api_world.client, identities["admin"]
    trainer = identities["trainer"]
    me = client.get("/api/me", headers=trainer).json()
    off = client.patch(f"/api/admin/users/{me['user_id']}", json={"is_active": False},
                       headers=admin)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert client.get("/api/me", headers=trainer).status_code == 401
