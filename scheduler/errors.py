"""The one error type of the scheduler: bad input, with every problem listed and advice.

Callers (CLI, API) catch ``SchedulerInputError`` once and show ``problems`` to the user; the
solver never raises for an infeasible timetable (that is a result with an explanation).
"""

from __future__ import annotations


class SchedulerInputError(ValueError):
    """An instance, schedule or settings file that cannot be used as given."""

    def __init__(self, problems: list[str],
                 advice: str = "fix the listed fields and retry") -> None:
        self.problems = list(problems)
        self.advice = advice
        joined = "; ".join(self.problems) if self.problems else "invalid input"
        super().__init__(f"{joined} (advice: {advice})")
