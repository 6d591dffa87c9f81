"""Members' class ratings as timetable evidence.

Within 48 h of a class a member may rate it 1-5, tick "this time doesn't suit me" and
comment (``api.feedback`` stores that). Here the ratings of one weekly slot (class type,
weekday, start) are pooled over the recent weeks and read together with how full the
class was (booked against capacity). A low-rated slot where many say the time is wrong
gets a proposal to move it; a low-rated slot where few blame the time is flagged for a
look at the class itself (trainer, content) -- moving it would not help. Every
suggestion carries the numbers it rests on, so a manager can check them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pydantic import BaseModel, Field

from scheduler.timegrid import DAYS

Slot = tuple[str, int, int]  # class type, weekday 0=Mon, start minute


@dataclass(frozen=True)
class Rating:
    """One member's rating of one dated class, placed on its weekly slot."""

    class_type: str
    day: int
    start: int
    week: int
    rating: int
    time_unsuitable: bool = False

    @property
    def slot(self) -> Slot:
        return (self.class_type, self.day, self.start)


class FeedbackEvidence(BaseModel):
    ratings: int = Field(description="members who rated this slot in the window")
    mean_rating: float = Field(description="1 (poor) to 5 (great)")
    time_unsuitable: int = Field(description="raters who ticked 'this time doesn't suit me'")
    weeks: int = Field(description="weeks the ratings come from")
    fill: float | None = Field(default=None, description="mean booked / capacity in those weeks")
    booked: float | None = Field(default=None, description="mean members booked per class")
    capacity: int | None = None
    predicted_now: float | None = Field(default=None, description="expected attendees at this time")
    predicted_new: float | None = Field(default=None, description="expected attendees at the "
                                                          "proposed time")


def pool(ratings: list[Rating], newest_week: int, weeks: int) -> dict[Slot, list[Rating]]:
    """Ratings of the last ``weeks`` weeks up to ``newest_week``, by slot."""
    out: dict[Slot, list[Rating]] = defaultdict(list)
    for r in ratings:
        if newest_week - weeks < r.week <= newest_week:
            out[r.slot].append(r)
    return out


def evidence(rows: list[Rating]) -> FeedbackEvidence:
    return FeedbackEvidence(
        ratings=len(rows), mean_rating=round(sum(r.rating for r in rows) / len(rows), 2),
        time_unsuitable=sum(r.time_unsuitable for r in rows),
        weeks=len({r.week for r in rows}))


def label(day: int, start: str, name: str) -> str:
    """'Tue 06:30 Yoga', the way a timetable reads."""
    return f"{DAYS[day]} {start} {name}"


def headline(where: str, ev: FeedbackEvidence) -> str:
    """'Tue 06:30 Yoga: rated 2.1 by 14 members, 9 say the time doesn't suit; 40 % full'."""
    fill = "" if ev.fill is None else f"; {100 * ev.fill:.0f} % full"
    return (f"{where}: rated {ev.mean_rating:.1f} by {ev.ratings} member"
            f"{'s' if ev.ratings != 1 else ''}, {ev.time_unsuitable} say the time doesn't "
            f"suit{fill}")
