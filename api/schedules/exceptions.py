"""Errors of the schedules domain, mapped to HTTP by ``api.main`` like every SpotterError."""

from __future__ import annotations

from api.exceptions import InvalidInput
from scheduler.errors import SchedulerInputError


class NoTimetable(InvalidInput):
    """No timetable meets the hard rules (422): the message names the conflicting rules in
    plain words, as the scheduler's explanation gives them."""

    def __init__(self, status: str, explanation: list[str]) -> None:
        self.status = status
        self.explanation = list(explanation) or [
            f"the solver found no timetable ({status}); give it more time or relax the rules"]
        super().__init__("No timetable is possible: " + " ".join(self.explanation))


def input_error(exc: SchedulerInputError) -> InvalidInput:
    """A bad instance (or a studio that translates into one) as a 422 with the advice."""
    return InvalidInput("; ".join(exc.problems) + f" (advice: {exc.advice})")
