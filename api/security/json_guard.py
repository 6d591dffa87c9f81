"""Refuse request bodies whose JSON is not standard: NaN, Infinity, and numbers no field of
Spotter can hold.

Python's ``json`` module reads ``NaN`` and ``Infinity`` (RFC 8259 has neither) and turns
``1e400`` into infinity; pydantic's float fields accept all three, so one such value used to
travel into the planner, the scheduler or the database and end as a 500. Checking once,
before any route runs, answers every route the same way: 422 naming the value and where it
is, in FastAPI's error shape. Whole numbers beyond 64 bits are refused too: no database
column or solver here takes them.

The body is parsed twice only when it could hold such a value (a cheap byte search first).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INT64_MAX = 2**63 - 1
# Bytes that must be present for a body to hold a value this guard refuses: the constants,
# a long digit run (an integer near 64 bits) or a three-digit exponent (1e308, 1e400).
_SUSPECT = re.compile(rb"NaN|Infinity|\d{16}|[eE][+-]?\d{3}")
_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json\s*(;|$)", re.I)


@dataclass(frozen=True)
class _Refused:
    text: str
    reason: str


def _constant(text: str) -> _Refused:
    return _Refused(text, f"{text} is not valid JSON: send a finite number")


def _float(text: str) -> float | _Refused:
    value = float(text)
    if math.isfinite(value):
        return value
    return _Refused(text, f"{text} is out of range: a number must be finite "
                          "(at most about 1.8e308)")


def _int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > 19:
        return _Refused(text[:40], f"{text[:40]}{'…' if len(text) > 40 else ''} is out of "
                                   "range: whole numbers must fit in 64 bits")
    value = int(text)
    if -INT64_MAX - 1 <= value <= INT64_MAX:
        return value
    return _Refused(text, f"{text} is out of range: whole numbers must fit in 64 bits")


def _find(value: Any, loc: list[str | int], found: list[dict[str, Any]]) -> None:
    if isinstance(value, _Refused):
        found.append({"type": "json_number", "loc": ["body", *loc], "msg": value.reason,
                      "input": value.text})
    elif isinstance(value, dict):
        for key, item in value.items():
            _find(item, [*loc, key], found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find(item, [*loc, index], found)


def nonstandard_numbers(body: bytes) -> list[dict[str, Any]]:
    """FastAPI-style errors for every NaN, Infinity or out-of-range number in a JSON body;
    empty when there is none or the body is not JSON at all (FastAPI reports that)."""
    if not _SUSPECT.search(body):
        return []
    try:
        document = json.loads(body, parse_constant=_constant, parse_float=_float,
                              parse_int=_int)
    except (ValueError, RecursionError):
        return []
    found: list[dict[str, Any]] = []
    _find(document, [], found)
    return found


def json_safe(value: Any) -> Any:
    """``value`` with non-finite floats as their names ("NaN", "Infinity"), so an error
    response can echo what it was sent (``JSONResponse`` refuses NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(_JSON_TYPE.match(value.decode("latin-1")))
    return False


class StrictJsonMiddleware:
    """Answer 422 to a JSON request body that holds NaN, Infinity or an out-of-range number;
    pass every other request on with its body replayed untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        first: Message | None = None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message  # the client left; let the app see it
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        errors = nonstandard_numbers(body) if first is None else []
        if errors:
            await _refuse(send, errors)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if first is not None:
                    return first
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, errors: list[dict[str, Any]]) -> None:
    payload = json.dumps({"detail": errors}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
