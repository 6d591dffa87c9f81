"""Demand priors that need no studio history: time-of-day x weekday attractiveness of a
slot (from the campus-gym occupancy series) and booking show-up rates (from GoalZone).

With no data present the defaults in ``configs/scheduler.toml`` (a derived table of facts)
are used, so a studio can plan its first week before it has any bookings.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from scheduler.config import DemandSettings

OCCUPANCY_HOURS = (6, 22)  # normalise over 06-22 h, the hours a studio is usually open


def slot_prior_table(samples: Iterable[tuple[int, int, float]]) -> list[list[float]]:
    """Mean occupancy per (weekday 0=Mon, hour), divided by the mean over 06-22 h.

    ``samples`` are (day_of_week, hour, people) rows such as campus_gym_crowdedness.csv.
    Hours never observed get 0 (the gym was closed).
    """
    total: dict[tuple[int, int], float] = defaultdict(float)
    count: dict[tuple[int, int], int] = defaultdict(int)
    for day, hour, people in samples:
        total[(day, hour)] += people
        count[(day, hour)] += 1
    mean = [[total[(d, h)] / count[(d, h)] if count[(d, h)] else 0.0 for h in range(24)]
            for d in range(7)]
    lo, hi = OCCUPANCY_HOURS
    level = sum(mean[d][h] for d in range(7) for h in range(lo, hi)) / (7 * (hi - lo))
    if level <= 0:
        raise ValueError("occupancy samples have no people between 06 and 22 h")
    return [[v / level for v in row] for row in mean]


class SlotPrior:
    """Relative attractiveness of a class slot: the hourly table averaged over the class."""

    # A floor keeps night slots from having zero demand, which would make log-features blow up.
    FLOOR = 0.02

    def __init__(self, table: list[list[float]]) -> None:
        self.table = table

    def factor(self, day: int, start_min: int, duration_min: int) -> float:
        """Mean of the hourly values over [start, start+duration), weighting partial hours."""
        end = start_min + max(duration_min, 1)
        acc = 0.0
        t = start_min
        while t < end:
            hour_end = min(end, (t // 60 + 1) * 60)
            acc += self.table[day][(t // 60) % 24] * (hour_end - t)
            t = hour_end
        return max(acc / (end - start_min), self.FLOOR)


class ShowUpPrior:
    """Show-up rate of a booking from category and AM/PM, combined on the log-odds scale.

    The GoalZone rates (configs) are centred on the studio level ``studio_show_rate`` so
    the relative effects are kept while the level can be set per studio.
    """

    def __init__(self, settings: DemandSettings, level: float | None = None) -> None:
        self.rates = settings.show_up_prior
        self.overall = self.rates.get("overall", 0.3)
        self.level = settings.studio_show_rate if level is None else level

    def rate(self, category: str | None, start_min: int) -> float:
        z = _logit(self.level)
        base = _logit(self.overall)
        if category in self.rates and category not in ("overall", "AM", "PM"):
            z += _logit(self.rates[category]) - base
        half = "AM" if start_min < 12 * 60 else "PM"
        if half in self.rates:
            z += _logit(self.rates[half]) - base
        return 1.0 / (1.0 + math.exp(-z))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
