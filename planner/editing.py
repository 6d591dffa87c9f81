"""A coach's edits to a plan: change an item's dose or exercise, or remove it.

Edits only change what was asked and recompute the derived numbers (minutes, weekly sets,
the facts of a swapped exercise); whether the result is still a sound plan is the rule
check's call (:func:`planner.validation.check_plan`), never this module's.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.build import effective_sets, session_minutes
from planner.config import PlannerConfig
from planner.errors import PlannerError
from planner.library import ExerciseLibrary
from planner.models import Intensity, Plan, PlanItem, Session

DOSE_FIELDS = ("sets", "reps", "duration_seconds", "rest_seconds", "intensity")


class ItemEdit(BaseModel):
    """One change to one item: (week, ISO day, position in the session)."""

    model_config = ConfigDict(extra="forbid")

    week: int = Field(ge=1, le=52)
    day: int = Field(ge=1, le=7)
    index: int = Field(ge=0, le=40)
    all_weeks: bool = Field(default=False, description="also change the item holding the "
                            "same exercise at this place in every other week")
    remove: bool = False
    exercise_id: str | None = Field(default=None, max_length=128)
    sets: int | None = Field(default=None, ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=100)
    duration_seconds: int | None = Field(default=None, ge=1, le=3600)
    rest_seconds: int | None = Field(default=None, ge=0, le=900)
    intensity: Intensity | None = None
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _says_something(self) -> ItemEdit:
        fields = ("exercise_id", *DOSE_FIELDS, "reason")
        if not self.remove and all(getattr(self, f) is None for f in fields):
            raise ValueError("a change needs remove=true or at least one field to change")
        return self


def _session(plan: Plan, week: int, day: int) -> Session:
    for w in plan.weeks:
        if w.week == week:
            for s in w.sessions:
                if s.day == day:
                    return s
    raise PlannerError(f"the plan has no session on day {day} of week {week}")


def _changed(item: PlanItem, edit: ItemEdit, library: ExerciseLibrary) -> PlanItem:
    update: dict[str, object] = {f: getattr(edit, f) for f in DOSE_FIELDS
                                 if getattr(edit, f) is not None}
    notes = []
    if edit.exercise_id is not None and edit.exercise_id != item.exercise_id:
        ex = library.get(edit.exercise_id)
        update |= {"exercise_id": ex.id, "name": ex.name,
                   "primary_muscles": list(ex.primary_muscles),
                   "secondary_muscles": list(ex.secondary_muscles), "equipment": ex.equipment}
        notes.append(f"{ex.name} chosen by the coach in place of {item.name}")
    elif update:
        notes.append("dose set by the coach")
    if "reps" in update and "duration_seconds" not in update:
        update["duration_seconds"] = None
    if "duration_seconds" in update and "reps" not in update:
        update["reps"] = None
    reason = edit.reason.strip() if edit.reason else ""
    update["reason"] = reason or (item.reason + " " + "; ".join(notes) + ".").strip()
    return item.model_copy(update=update)


def edit_plan(plan: Plan, edits: Sequence[ItemEdit], library: ExerciseLibrary,
              config: PlannerConfig) -> Plan:
    """The plan with ``edits`` applied in order; raises :class:`PlannerError` for an edit
    that points at nothing (a missing week, day or position, or an unknown exercise)."""
    edited = plan.model_copy(deep=True)
    for edit in edits:
        target = _session(edited, edit.week, edit.day)
        if edit.index >= len(target.exercises):
            raise PlannerError(f"week {edit.week} day {edit.day} has "
                               f"{len(target.exercises)} items; there is no item "
                               f"{edit.index} (counting from 0)")
        original = target.exercises[edit.index].exercise_id
        places: list[tuple[Session, int]] = [(target, edit.index)]
        if edit.all_weeks:
            for w in edited.weeks:
                for s in w.sessions:
                    if s is not target and s.day == edit.day and edit.index < len(
                            s.exercises) and s.exercises[edit.index].exercise_id == original:
                        places.append((s, edit.index))
        for session, index in places:
            if edit.remove:
                del session.exercises[index]
            else:
                session.exercises[index] = _changed(session.exercises[index], edit, library)
    for w in edited.weeks:
        for s in w.sessions:
            s.estimated_minutes = session_minutes(s.exercises, config)
    first = next((w for w in edited.weeks if not w.deload), edited.weeks[0] if edited.weeks
                 else None)
    if first is not None:
        volume = effective_sets([i for s in first.sessions for i in s.exercises],
                                config.volume.indirect_weight, library)
        edited.weekly_sets_per_muscle = {m: round(v, 1) for m, v in sorted(volume.items())
                                         if v}
    return edited
