"""Security headers on every HTTP response (pages, API, static files, SQLAdmin).

The Content-Security-Policy allows scripts from this site only. The few inline scripts and
``on...=`` handlers the templates carry are allowed by their SHA-256, computed from the
template files at start-up, so a template keeps working when someone edits it while an
injected script (which would have to match a template's text byte for byte) does not run.
Inline styles stay allowed: htmx inserts its indicator style at run time and uPlot and
SQLAdmin set ``style`` attributes; injected CSS cannot run code.

Pure ASGI (not BaseHTTPMiddleware) so Server-Sent Events stream untouched.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.I)
_JINJA = ("{{", "{%")
# Script types a browser does not execute (data blocks): CSP does not apply to them.
_DATA_TYPES = ("application/json", "application/ld+json", "text/template")

# FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from jsDelivr and start them
# with an inline script; they show the API's schema, never studio data.
DOCS_PATHS = ("/docs", "/redoc")
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
               "https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com data:; "
               "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
               "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
               "base-uri 'self'; frame-ancestors 'none'")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_script_hashes(template_dirs: Iterable[Path]) -> tuple[list[str], list[str]]:
    """CSP hash sources of the static inline scripts and event handlers in these template
    folders: (script element hashes, handler attribute hashes). Blocks with Jinja inside
    are skipped: their rendered text is not known here."""
    scripts: set[str] = set()
    handlers: set[str] = set()
    for folder in template_dirs:
        for path in sorted(folder.rglob("*.html")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in _INLINE_SCRIPT.finditer(text):
                attrs, body = match.group("attrs"), match.group("body")
                if "src=" in attrs.lower() or any(t in attrs.lower() for t in _DATA_TYPES):
                    continue
                if body.strip() and not any(j in body for j in _JINJA):
                    scripts.add(_digest(body))
            for match in _HANDLER.finditer(text):
                value = match.group("dq") if match.group("dq") is not None else match.group("sq")
                if not any(j in value for j in _JINJA):
                    handlers.add(_digest(html.unescape(value)))
    return sorted(scripts), sorted(handlers)


def content_security_policy(template_dirs: Iterable[Path]) -> str:
    """The policy of the app's own pages (see the module docstring)."""
    scripts, handlers = inline_script_hashes(template_dirs)
    script_src = ["'self'", *scripts]
    if handlers:
        script_src += ["'unsafe-hashes'", *handlers]  # hashes may then match on...= values
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(script_src),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",  # fetch and the live pages' EventSource: this site only
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-frame-options", b"DENY"),  # for browsers without frame-ancestors
        (b"x-content-type-options", b"nosniff"),
        # Page URLs carry member and class ids: other sites learn only our origin.
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        # The trainer tablet needs screen wake lock; nothing needs these.
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.page_headers = security_headers(policy)
        self.docs_headers = security_headers(DOCS_POLICY)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        wanted = self.docs_headers if path.startswith(DOCS_PATHS) else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {bytes(k).lower() for k, _ in headers}
                headers.extend((k, v) for k, v in wanted if k not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
