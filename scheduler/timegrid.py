"""Clock arithmetic of a studio week: days Mon..Sun, ``HH:MM`` strings, minutes of the week.

All solver and validator maths works in integer minutes so that slot alignment and the
changeover gap are exact; strings only appear at the edges (JSON in and out).
"""

from __future__ import annotations

import re

DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_INDEX: dict[str, int] = {name: i for i, name in enumerate(DAYS)}
MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def to_minutes(hhmm: str) -> int:
    """``"07:30"`` -> 450. ``"24:00"`` is allowed as the end of a day."""
    match = _HHMM.match(hhmm)
    if match is None:
        raise ValueError(f"time {hhmm!r} is not HH:MM (e.g. '07:30')")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > MINUTES_PER_DAY:
        raise ValueError(f"time {hhmm!r} is after 24:00")
    return minutes


def to_hhmm(minutes: int) -> str:
    """450 -> ``"07:30"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share a minute."""
    return a_start < b_end and b_start < a_end


def contains(outer_start: int, outer_end: int, start: int, end: int) -> bool:
    return outer_start <= start and end <= outer_end
