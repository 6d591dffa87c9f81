"""The planner's one error family. Every message says what to do next."""

from __future__ import annotations


class PlannerError(ValueError):
    """Bad input to the planner: a profile, a plan or an exercise file it cannot use."""


class ConfigError(PlannerError):
    """``configs/planner.toml`` (or an override) does not validate."""


class UnknownExercise(PlannerError):
    """An exercise id that the library does not hold."""


class ExerciseImportError(PlannerError):
    """An exercise file that cannot be imported at all (not JSON, not a list, no valid record)."""


class PlanInfeasible(PlannerError):
    """The profile cannot be served by a plan that meets the guidance; ``reasons`` say why.

    Raised instead of returning a weaker plan: the member (or coach) decides what to change.
    """

    def __init__(self, member_id: str, reasons: list[str]) -> None:
        self.member_id = member_id
        self.reasons = reasons
        super().__init__(f"no plan for member {member_id!r}: " + "; ".join(reasons))


class PlanRejected(PlannerError):
    """A plan failed the rule check and could not be repaired; ``violations`` list why."""

    def __init__(self, member_id: str, violations: list[str]) -> None:
        self.member_id = member_id
        self.violations = violations
        shown = "; ".join(violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"plan for {member_id!r} breaks the guidance: {shown}{more}")
