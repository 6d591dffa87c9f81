"""The rule for a nickname on the room's wall screen: pure, tested directly.

Lives with the members' data choices (the wall choice is one of them, see
:mod:`api.privacy.consent`); :mod:`api.display.names` re-exports it for the wall.
"""

from __future__ import annotations

import re

# Letters (any script), digits, spaces and a little punctuation: what a name or a gym
# nickname uses, and nothing that could pass for markup or a link on a shared screen.
NICKNAME = re.compile(r"^[\w][\w .'\-]{0,23}$", re.UNICODE)
NICKNAME_MAX = 24


def check_nickname(nickname: str | None) -> str | None:
    """The nickname cleaned of outer spaces, None for empty; ValueError with the reason."""
    if nickname is None:
        return None
    cleaned = " ".join(nickname.split())
    if not cleaned:
        return None
    if len(cleaned) > NICKNAME_MAX:
        raise ValueError(f"a nickname has at most {NICKNAME_MAX} characters")
    if not NICKNAME.match(cleaned) or "_" in cleaned:
        raise ValueError("a nickname uses letters, digits, spaces, apostrophes, dots and "
                         "hyphens, and starts with a letter or digit")
    return cleaned
