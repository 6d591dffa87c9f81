"""A coach's edits to a plan: change an item's dose or exercise, or remove it.

Edits change what was asked and recompute the derived numbers (minutes, weekly sets, the
facts of a swapped exercise). A swap also carries the dose over to the new exercise the
way a coach would: numbers the coach did not set are fitted to the new exercise's guidance
row, and a load in kg becomes an RPE (or %1RM) target when the member has no logged sets
of the new exercise to work a load out from; the item's reason says so. Whether the
result is still a sound plan is the rule check's call (:func:`planner.validation.check_plan`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.build import effective_sets, session_minutes
from planner.candidates import allowed_roles
from planner.cardio import heart_rate, with_zones
from planner.config import PlannerConfig
from planner.errors import PlannerError
from planner.library import ExerciseLibrary
from planner.models import Exercise, Intensity, MemberProfile, Plan, PlanItem, Session
from planner.prescription import OneRepMax, estimate_one_rep_maxes, percent_for, round_load
from planner.repair import clamp_dose
from planner.validation import dose_problem

DOSE_FIELDS = ("sets", "reps", "duration_seconds", "rest_seconds", "intensity")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
    raise PlannerError(f"the plan has no session on {_DAYS[day - 1]} of week {week}")


def _intensity_words(it: Intensity) -> str:
    if it.load_kg is not None:
        return f"{it.load_kg:g} kg"
    return f"{it.percent_1rm:g} % 1RM" if it.percent_1rm is not None else f"RPE {it.rpe:g}"


def fit_swap(item: PlanItem, ex: Exercise, profile: MemberProfile, config: PlannerConfig,
             deload: bool, one_rms: dict[str, OneRepMax], keep: frozenset[str]
             ) -> tuple[PlanItem, str]:
    """``item`` (already showing ``ex``'s facts) dosed for ``ex``; fields in ``keep`` were
    set by the coach and stay as given. Returns the item and a note on what changed."""
    rows = [config.dose_row(profile.primary_goal, r, profile.fitness_level)
            for r in allowed_roles(ex)]
    row = rows[0]
    it = item.intensity
    one_rm = one_rms.get(ex.id)
    note = ""
    if "intensity" not in keep and it.rpe is None:
        reps = item.reps or (row.reps[1] if row.reps else 1)
        rpe = 10.0 - round(sum(row.rir) / 2)
        pct = percent_for(reps, rpe, config.chart)
        if row.percent_1rm is not None:
            pct = min(row.percent_1rm[1], max(row.percent_1rm[0], pct))
        if it.load_kg is not None and one_rm is not None and ex.loadable:
            new = Intensity(load_kg=round_load(one_rm.kg * pct / 100, ex.equipment,
                                               config.loads.rounding_kg))
            note = (f"load worked out from the logged {ex.name} (e1RM {one_rm.kg:g} kg)")
        elif it.load_kg is not None or (it.percent_1rm is not None and not ex.loadable):
            percent = profile.preferences.intensity_mode == "percent_1rm" and ex.loadable \
                and row.percent_1rm is not None
            new = Intensity(percent_1rm=round(pct, 1)) if percent else Intensity(rpe=rpe)
            why = f"no logged sets of {ex.name} to work a load out from" if ex.loadable \
                else f"{ex.name} is not loaded in kg"
            note = f"{why}: target switched from {_intensity_words(it)} to " \
                f"{_intensity_words(new)}"
        else:
            new = it
        item = item.model_copy(update={"intensity": new})
    e1rm = one_rm.kg if one_rm else None
    roles = allowed_roles(ex)
    fits = [r for r, rw in zip(roles, rows, strict=True)
            if dose_problem(item, ex, rw, deload, e1rm, config) is None]
    if fits:
        fitted = item
    else:
        fitted = clamp_dose(item, ex, row, deload, e1rm, config)
        fitted = fitted.model_copy(update={f: getattr(item, f) for f in keep})
        fits = [roles[0]]
    if ex.pattern == "conditioning":  # a cardio block names the member's zones
        fitted = fitted.model_copy(update={"heart_rate": heart_rate(profile, fits[0], deload,
                                                                    config)})
    if fitted == item:
        return item, note
    if fitted != item and not note:
        note = f"dose fitted to the {row.source} guidance for {ex.name}"
    return fitted, note


def _changed(item: PlanItem, edit: ItemEdit, library: ExerciseLibrary,
             fit: tuple[MemberProfile, PlannerConfig, bool, dict[str, OneRepMax]] | None
             ) -> PlanItem:
    update: dict[str, object] = {f: getattr(edit, f) for f in DOSE_FIELDS
                                 if getattr(edit, f) is not None}
    keep = frozenset(update)
    notes = []
    swapped: Exercise | None = None
    if edit.exercise_id is not None and edit.exercise_id != item.exercise_id:
        swapped = library.get(edit.exercise_id)
        update |= {"exercise_id": swapped.id, "name": swapped.name,
                   "primary_muscles": list(swapped.primary_muscles),
                   "secondary_muscles": list(swapped.secondary_muscles),
                   "equipment": swapped.equipment, "heart_rate": None}
        notes.append(f"{swapped.name} chosen by the coach in place of {item.name}")
    elif update:
        notes.append("dose set by the coach")
    if "reps" in update and "duration_seconds" not in update:
        update["duration_seconds"] = None
    if "duration_seconds" in update and "reps" not in update:
        update["reps"] = None
    changed = item.model_copy(update=update)
    if swapped is not None and fit is not None:
        profile, config, deload, one_rms = fit
        changed, note = fit_swap(changed, swapped, profile, config, deload, one_rms, keep)
        if note:
            notes.append(note)
    reason = edit.reason.strip() if edit.reason else ""
    # a swap's old reason was about the old exercise: the new one says why it is there
    kept = "" if swapped is not None else item.reason + " "
    said = "; ".join(notes)
    return changed.model_copy(update={
        "reason": reason or (kept + said[:1].upper() + said[1:] + ".").strip()})


def edit_plan(plan: Plan, edits: Sequence[ItemEdit], library: ExerciseLibrary,
              config: PlannerConfig, profile: MemberProfile | None = None) -> Plan:
    """The plan with ``edits`` applied in order; raises :class:`PlannerError` for an edit
    that points at nothing (a missing week, day or position, or an unknown exercise).

    With ``profile`` a swapped-in exercise gets a dose that fits it (see :func:`fit_swap`);
    without it only what the coach typed changes."""
    edited = plan.model_copy(deep=True)
    one_rms = estimate_one_rep_maxes(profile.training_history, config.one_rep_max,
                                     config.chart) if profile is not None else {}
    deloads = {w.week: w.deload for w in edited.weeks}
    for edit in edits:
        target = _session(edited, edit.week, edit.day)
        if edit.index >= len(target.exercises):
            raise PlannerError(f"week {edit.week}, {_DAYS[edit.day - 1]} has "
                               f"{len(target.exercises)} exercises; there is no exercise "
                               f"{edit.index + 1} (index {edit.index})")
        original = target.exercises[edit.index].exercise_id
        places: list[tuple[int, Session, int]] = [(edit.week, target, edit.index)]
        if edit.all_weeks:
            for w in edited.weeks:
                for s in w.sessions:
                    if s is not target and s.day == edit.day and edit.index < len(
                            s.exercises) and s.exercises[edit.index].exercise_id == original:
                        places.append((w.week, s, edit.index))
        for week, session, index in places:
            if edit.remove:
                del session.exercises[index]
            else:
                fit = (profile, config, deloads.get(week, False), one_rms) \
                    if profile is not None else None
                session.exercises[index] = _changed(session.exercises[index], edit, library,
                                                    fit)
    for w in edited.weeks:
        for s in w.sessions:
            if profile is not None:  # a plan from before zones: its cardio gets them
                s.exercises = [with_zones(i, profile, w.deload, config)
                               if i.heart_rate is None and i.exercise_id in library
                               and library.get(i.exercise_id).pattern == "conditioning"
                               else i for i in s.exercises]
            if not s.in_class:
                s.estimated_minutes = session_minutes(s.exercises, config)
    first = next((w for w in edited.weeks if not w.deload), edited.weeks[0] if edited.weeks
                 else None)
    if first is not None:
        volume = effective_sets([i for s in first.sessions for i in s.exercises],
                                config.volume.indirect_weight, library)
        edited.weekly_sets_per_muscle = {m: round(v, 1) for m, v in sorted(volume.items())
                                         if v}
    return edited
