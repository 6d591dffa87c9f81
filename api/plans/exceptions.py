"""Errors of the plans domain (mapped to HTTP once by ``api.main``; routes add ``reasons``)."""

from __future__ import annotations

from collections.abc import Sequence

from api.exceptions import SpotterError


class PlannerDisabled(SpotterError):
    """An admin switched the planner off (``/admin/settings``)."""

    status_code = 409


class PlanStateError(SpotterError):
    """The plan is not in a state that allows this (approving an archived plan)."""

    status_code = 409


class PlanRefused(SpotterError):
    """The planner refused: the profile cannot be served, or a plan breaks the guidance.

    ``reasons`` are the planner's own sentences, each saying what to change."""

    status_code = 422

    def __init__(self, message: str, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(message + (": " + "; ".join(self.reasons[:5]) if self.reasons else ""))
        self.message = message
