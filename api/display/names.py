"""How the wall screen names people: pure rules, tested directly.

A member's first name by default, the nickname they chose, or "Member N" when they asked
to stay off the wall. N is the member's place among the class's bookings ordered by
member id, so it stays the same for the whole class and says nothing about the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The nickname rule is the member's wall choice's, kept with their other choices.
from api.privacy.nickname import NICKNAME, NICKNAME_MAX, check_nickname

__all__ = ["NICKNAME", "NICKNAME_MAX", "WallPreference", "check_nickname", "first_name",
           "slot_ids", "wall_labels"]


@dataclass(frozen=True, slots=True)
class WallPreference:
    nickname: str | None = None
    on_wall: bool = True


def first_name(display_name: str) -> str:
    """The first word of a display name ("Ava Smith" -> "Ava"); the whole name if it is
    one word."""
    words = display_name.split()
    return words[0] if words else ""


def wall_labels(members: Iterable[str], names: Mapping[str, str],
                preferences: Mapping[str, WallPreference]) -> dict[str, str]:
    """What the wall calls each booked member: nickname, first name or "Member N"."""
    labels = {}
    for n, member_id in enumerate(sorted(set(members)), start=1):
        pref = preferences.get(member_id, WallPreference())
        if not pref.on_wall:
            labels[member_id] = f"Member {n}"
        else:
            labels[member_id] = pref.nickname or first_name(names.get(member_id, "")) \
                or f"Member {n}"
    return labels


def slot_ids(members: Iterable[str]) -> dict[str, str]:
    """Element ids for the screen's tiles that carry no member id ("wall-3")."""
    return {m: f"wall-{n}" for n, m in enumerate(sorted(set(members)), start=1)}
