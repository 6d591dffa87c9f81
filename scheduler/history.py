"""Row types of attendance history: single bookings (GoalZone shape) and class instances
(the per-class shape no public data set has, produced by the synthetic generator or
exported from a studio's booking system).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NO_WAITLIST_CAP = -1


@dataclass(frozen=True)
class Booking:
    """One booking and whether the member came (goalzone_fitness_class_2212.csv)."""

    category: str
    day: int
    pm: bool
    lead_days: int
    months_member: int
    attended: bool


@dataclass(frozen=True)
class OccupancySample:
    """One head count of a facility (campus_gym_crowdedness.csv), with its calendar."""

    day: date
    hour: int
    people: float
    term: bool
    holiday: bool


@dataclass(frozen=True)
class ClassRecord:
    """One class instance in one week: what was offered and what happened.

    ``booked`` is capped by ``capacity`` (capacity censoring); members beyond it join the
    waitlist, which is itself capped by ``waitlist_cap`` (-1 = no cap), so a full class with
    a full waitlist only tells us demand was *at least* booked + waitlisted.
    """

    week: int
    class_type: str
    category: str
    day: int
    start: int
    duration_min: int
    room: str
    capacity: int
    trainer: str
    price: float
    booked: int
    waitlisted: int
    waitlist_cap: int
    attended: int
    late_cancel: int
    # Calendar period of the class's date ("term", "holiday week", ...; "" = unknown): the
    # demand model reads the current level from recent weeks of the same period.
    period: str = ""

    @property
    def requests(self) -> int:
        return self.booked + self.waitlisted

    @property
    def censored(self) -> bool:
        """True when the real demand may be higher than ``requests``."""
        if self.booked < self.capacity:
            return False
        return self.waitlist_cap != NO_WAITLIST_CAP and self.waitlisted >= self.waitlist_cap

    @property
    def slot(self) -> tuple[str, int, int]:
        return (self.class_type, self.day, self.start)

    @classmethod
    def from_row(cls, row: dict[str, str]) -> ClassRecord:
        ints = {"week", "day", "start", "duration_min", "capacity", "booked", "waitlisted",
                "waitlist_cap", "attended", "late_cancel"}
        values: dict[str, object] = {}
        for key, raw in row.items():
            if key in ints:
                values[key] = int(raw)
            elif key == "price":
                values[key] = float(raw)
            else:
                values[key] = raw
        return cls(**values)  # type: ignore[arg-type]
