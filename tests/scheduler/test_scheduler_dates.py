"""A weekly timetable laid over a range of weeks: one occurrence per class per week,
none on a closure, and ranges that are not whole weeks from a Monday refused."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.dates import date_range, occurrences
from scheduler.errors import SchedulerInputError
from scheduler.schemas import ScheduledClass

WEEK = [ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon", start="08:00",
                       end="09:00"),
        ScheduledClass(class_type="HIIT", room="A", trainer="Tara", day="Wed", start="18:00",
                       end="18:45")]
MONDAY = date(2031, 3, 3)


def test_two_weeks_give_two_occurrences_per_class_minus_closures() -> None:
    span = date_range(MONDAY, weeks=2)
    assert span.end == date(2031, 3, 16) and span.weeks == 2
    laid = occurrences(WEEK, span, closures={date(2031, 3, 12)})  # the second Wednesday
    assert [(o.on, o.cls.class_type) for o in laid.occurrences] == [
        (date(2031, 3, 3), "Yoga"), (date(2031, 3, 5), "HIIT"), (date(2031, 3, 10), "Yoga")]
    assert laid.closed_dates() == [date(2031, 3, 12)]
    assert [o.index for o in laid.skipped] == [1]


def test_an_end_date_inside_a_week_cuts_that_week() -> None:
    laid = occurrences(WEEK, date_range(MONDAY, end=date(2031, 3, 11)), closures=set())
    assert [o.on for o in laid.occurrences] == [date(2031, 3, 3), date(2031, 3, 5),
                                                date(2031, 3, 10)]


@pytest.mark.parametrize(("start", "end", "weeks", "says"), [
    (date(2031, 3, 4), None, None, "give a Monday"),
    (MONDAY, date(2031, 3, 1), None, "before start"),
    (MONDAY, None, 30, "more than 26 weeks"),
    (MONDAY, date(2031, 3, 9), 1, "not both"),
])
def test_bad_ranges_are_refused_with_the_reason(start: date, end: date | None,
                                                weeks: int | None, says: str) -> None:
    with pytest.raises(SchedulerInputError) as err:
        date_range(start, end, weeks)
    assert any(says in p for p in err.value.problems)
