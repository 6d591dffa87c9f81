"""Words and numbers for the plan pages (kept out of templates so they stay readable)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday",
        6: "Saturday", 7: "Sunday"}


def day_name(day: int) -> str:
    return DAYS.get(day, f"day {day}")


def words(text: str | None) -> str:
    return (text or "").replace("_", " ")


def zones(target: dict[str, Any]) -> str:
    """A heart-rate target as the board's zones and the member's bpm."""
    lo, hi = target["zones"]
    text = f"zone {lo}" if lo == hi else f"zones {lo}-{hi}"
    text += f" ({target['bpm'][0]}-{target['bpm'][1]} bpm)"
    if target.get("recovery_zone") and target.get("recovery_bpm"):
        rec = target["recovery_bpm"]
        text += f", zone {target['recovery_zone']} ({rec[0]}-{rec[1]} bpm) between bouts"
    return text


def dose(item: dict[str, Any]) -> str:
    amount = f"{item['reps']} reps" if item.get("reps") else duration(item.get("duration_seconds"))
    return f"{item['sets']} × {amount}"


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds // 60} min" if seconds >= 600 and seconds % 60 == 0 else f"{seconds} s"


def intensity_kind(item: dict[str, Any]) -> tuple[str, float | None]:
    value = item.get("intensity") or {}
    for kind in ("load_kg", "percent_1rm", "rpe"):
        if value.get(kind) is not None:
            return kind, float(value[kind])
    return "rpe", None


def current_week(approved_at: datetime | None, weeks: int) -> int:
    """The plan week a member is in: counted from approval, kept within the plan."""
    if approved_at is None or weeks < 1:
        return 1
    if approved_at.tzinfo is None:
        approved_at = approved_at.replace(tzinfo=UTC)
    return max(1, min(weeks, (datetime.now(UTC) - approved_at).days // 7 + 1))


def week_of(plan: dict[str, Any], number: int) -> dict[str, Any] | None:
    return next((w for w in plan.get("weeks", []) if w.get("week") == number), None)


def ended_on(unix_seconds: float | None) -> str:
    """A class end (Unix seconds, as the worker stores it) as a date and time, UTC."""
    if unix_seconds is None:
        return "-"
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
