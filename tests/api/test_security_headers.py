"""Every response carries the security headers; the pages' CSP allows exactly the inline
scripts the templates hold."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from api.security.headers import content_security_policy, inline_script_hashes

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize(("path", "role"), [
    ("/login", None),                      # a page
    ("/trainer", "trainer"),
    ("/api/classes", "trainer"),           # JSON
    ("/api/classes", None),                # a 401
    ("/api/nothing-here", None),           # a 404
    ("/static/app.css", None),             # a static file
    ("/healthz", None),
    ("/admin/db/", "admin"),               # SQLAdmin
])
def test_every_kind_of_response_carries_the_headers(api_world, path, role) -> None:
    headers = api_world.auth(role) if role else {}
    if path.startswith(("/trainer", "/admin/db")):
        email, password = api_world.demo.accounts[role]
        api_world.client.post("/login", data={"email": email, "password": password})
        headers = {}
    response = api_world.client.get(path, headers=headers, follow_redirects=False)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]


def test_a_refused_body_and_an_error_page_carry_them_too(api_world) -> None:
    refused = api_world.client.post("/api/auth/token", content=b'{"email": NaN}',
                                    headers={"content-type": "application/json"})
    assert refused.status_code == 422 and refused.headers["x-frame-options"] == "DENY"
    page = api_world.client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "content-security-policy" in page.headers


def test_the_docs_pages_get_their_own_policy(api_world) -> None:
    policy = api_world.client.get("/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy and "frame-ancestors 'none'" in policy


def test_inline_scripts_and_handlers_are_allowed_by_hash_only(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<script src="/static/x.js"></script>\n'
        '<script>start();</script>\n'
        '<script type="application/json" id="d">{{ data|tojson }}</script>\n'
        '<script>var who = "{{ name }}";</script>\n'
        '<button onclick="close(&quot;x&quot;)">x</button>\n'
        "<a onmouseover='{{ bad }}'>y</a>\n")
    scripts, handlers = inline_script_hashes([tmp_path])
    assert scripts == [sha("start();")]  # src, data blocks and Jinja-filled ones are left out
    handler = sha('close("x")')
    assert handlers == [handler]  # the value as the browser reads it
    policy = content_security_policy([tmp_path])
    assert f"script-src 'self' {sha('start();')} 'unsafe-hashes' {handler};" in policy


def test_the_pages_policy_covers_the_templates_inline_scripts() -> None:
    """Hashes come from the real templates (the notifications panel's close button, the
    SQLAdmin frame's script): a template edit changes its hash and the policy with it."""
    from api.main import CSP_TEMPLATE_DIRS

    scripts, handlers = inline_script_hashes(CSP_TEMPLATE_DIRS)
    assert scripts and len(scripts) < 10 and len(handlers) < 10
