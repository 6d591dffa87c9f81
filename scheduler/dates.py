"""A weekly timetable laid over a date range: one dated occurrence per class per week,
none on studio closures.

The optimiser plans a typical week (``Instance`` is weekly: weekday windows, weekly hours
caps). A studio publishes it for a range of weeks, so the same week repeats from the
range's first Monday up to its last day; a closure (holiday, maintenance day) removes
that date's occurrences and nothing else. The range and the closures that hit it are
reported so a manager sees what will and will not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.errors import SchedulerInputError
from scheduler.schemas import ScheduledClass
from scheduler.timegrid import DAY_INDEX

MAX_WEEKS = 26  # half a year: beyond that a studio re-plans (demand, staff) anyway


@dataclass(frozen=True)
class DateRange:
    """Whole weeks: ``start`` is a Monday; ``end`` is any later day (inclusive)."""

    start: date
    end: date

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7 + 1

    def mondays(self) -> list[date]:
        return [self.start + timedelta(weeks=k) for k in range(self.weeks)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def date_range(start: date, end: date | None = None, weeks: int | None = None) -> DateRange:
    """The range from a Monday to ``end`` (or through ``weeks`` weeks; default one week).

    Raises ``SchedulerInputError`` with advice for a start that is not a Monday, an end
    before the start, or more than ``MAX_WEEKS`` weeks."""
    problems = []
    if start.weekday() != 0:
        problems.append(f"start {start} is a {start.strftime('%A')}: give a Monday")
    if end is not None and weeks is not None:
        problems.append("give an end date or a number of weeks, not both")
    if end is None:
        end = start + timedelta(weeks=weeks or 1) - timedelta(days=1)
    if end < start:
        problems.append(f"end {end} is before start {start}")
    elif (end - start).days // 7 + 1 > MAX_WEEKS:
        problems.append(f"{start} to {end} spans more than {MAX_WEEKS} weeks")
    if problems:
        raise SchedulerInputError(problems, advice="plan whole weeks from a Monday, for at "
                                  f"most {MAX_WEEKS} weeks")
    return DateRange(start, end)


@dataclass(frozen=True)
class Occurrence:
    """One class of the weekly timetable on one date; ``index`` points into the week."""

    on: date
    index: int
    cls: ScheduledClass


@dataclass
class Laid:
    occurrences: list[Occurrence]
    skipped: list[Occurrence] = field(default_factory=list)

    def closed_dates(self) -> list[date]:
        return sorted({o.on for o in self.skipped})


def occurrences(week: list[ScheduledClass], span: DateRange, closures: set[date]
                ) -> Laid:
    """Every dated occurrence of ``week`` inside ``span``; those on a closure are skipped."""
    laid = Laid([])
    for monday in span.mondays():
        for i, c in enumerate(week):
            on = monday + timedelta(days=DAY_INDEX[c.day])
            if on not in span:
                continue
            (laid.skipped if on in closures else laid.occurrences).append(Occurrence(on, i, c))
    laid.occurrences.sort(key=lambda o: (o.on, o.cls.start, o.cls.room))
    return laid
