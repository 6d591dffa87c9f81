"""Replacing a member's identity inside JSON and text, keeping every number.

Class-level records (a post-class summary, a class report on a changelog, an alert's
message) embed members by id and by name. Erasure keeps their numbers for the class's
totals and replaces who: the member id becomes the erasure's anonymous id, names and
emails become :data:`ERASED_NAME`. Pure functions, used on database JSON, Redis values
and Kafka records alike.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from api.privacy.member_data import Needles

ERASED_NAME = "Erased member"
ANONYMOUS_PREFIX = "erased-"


def anonymous_id() -> str:
    """A fresh id with no link to the member: nothing stores the pair."""
    return f"{ANONYMOUS_PREFIX}{secrets.token_hex(8)}"


def _pattern(needles: Needles) -> re.Pattern[str] | None:
    words = sorted({w for w in [*needles.names, *needles.emails] if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words),
                      re.IGNORECASE)


def scrub_text(text: str, needles: Needles, anonymous: str) -> str:
    """Ids become ``anonymous``; names and emails (as whole words) become ERASED_NAME."""
    out = text
    for ident in [needles.member_id, *needles.user_ids]:
        if ident:
            out = out.replace(ident, anonymous)
    pattern = _pattern(needles)
    return pattern.sub(ERASED_NAME, out) if pattern else out


def scrub(value: Any, needles: Needles, anonymous: str) -> Any:
    """A copy of a JSON value with the member replaced in every key and string."""
    if isinstance(value, str):
        return scrub_text(value, needles, anonymous)
    if isinstance(value, dict):
        return {scrub_text(str(k), needles, anonymous): scrub(v, needles, anonymous)
                for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needles, anonymous) for v in value]
    return value


def mentions(text: str, needles: Needles) -> bool:
    """Whether ``text`` names the member (id, user id, name or email)."""
    if any(i and i in text for i in [needles.member_id, *needles.user_ids]):
        return True
    pattern = _pattern(needles)
    return bool(pattern and pattern.search(text))
