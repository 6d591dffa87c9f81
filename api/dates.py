"""Calendar dates the API accepts from people.

A date far outside the studio's working life is a typo or a probe, never a plan: year 1
made a timetable for a week no calendar shows, and year 9999 overflowed the week
arithmetic into a 500. Every date a request carries is checked against one window, so
the reply is a 422 that names the window.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def _in_window(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"date {day} is outside {EARLIEST} .. {LATEST}")
    return day


StudioDate = Annotated[date, AfterValidator(_in_window)]
