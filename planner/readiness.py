"""Readiness check-in, member status and live changes to today's session.

``suggest_session_modifications`` turns what the trainer sees (the member's check-in,
heart-rate alerts, form and pain flags from vision, how hard the sets feel, kit that is
missing) into concrete, stated changes: "loads -10 %, 1 of 3 sets dropped", "regress
Barbell Squat to Goblet Squat". ``apply_modifications`` carries them out on the session.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.build import session_minutes
from planner.config import PlannerConfig, default_config
from planner.graph import Limits, find_alternative
from planner.library import ExerciseLibrary
from planner.models import Intensity, MemberProfile, PlanItem, Session
from planner.prescription import round_load
from planner.vocab import KIT, InjuryArea


class ReadinessCheckIn(BaseModel):
    """Five 1-5 answers before the session; each scale says which end is good."""

    model_config = ConfigDict(extra="forbid")

    sleep: int = Field(ge=1, le=5, description="1 very poor .. 5 very good")
    energy: int = Field(ge=1, le=5, description="1 exhausted .. 5 full of energy")
    stress: int = Field(ge=1, le=5, description="1 relaxed .. 5 very stressed")
    soreness: int = Field(ge=1, le=5, description="1 none .. 5 very sore")
    pain: int = Field(ge=1, le=5, description="1 none .. 5 severe")
    pain_areas: list[InjuryArea] = Field(default_factory=list)


class MemberStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    readiness: float = Field(ge=0, le=100)
    fatigue: Literal["low", "moderate", "high"]
    status: Literal["train", "reduce", "recover"]
    pain_areas: list[InjuryArea] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def member_status(check_in: ReadinessCheckIn, config: PlannerConfig | None = None
                  ) -> MemberStatus:
    """0-100 readiness (mean of the five answers, each scaled so 100 is best) -> status."""
    rules = (config or default_config()).readiness
    good = [(check_in.sleep - 1) / 4, (check_in.energy - 1) / 4, (5 - check_in.stress) / 4,
            (5 - check_in.soreness) / 4, (5 - check_in.pain) / 4]
    score = round(100 * sum(good) / len(good), 1)
    notes = []
    if score >= rules.train_at:
        fatigue, status = "low", "train"
    elif score >= rules.reduce_at:
        fatigue, status = "moderate", "reduce"
    else:
        fatigue, status = "high", "recover"
    areas = list(check_in.pain_areas)
    if check_in.pain >= rules.pain_stop:
        notes.append("pain reported: no loading of the painful area today; see a professional "
                     "if it persists")
        if not areas:
            status = "recover"
    return MemberStatus(readiness=score, fatigue=fatigue, status=status,  # type: ignore[arg-type]
                        pain_areas=areas, notes=notes)


class LiveFeedback(BaseModel):
    """What arrives during the session (HR alerts, vision flags, logged effort, missing kit)."""

    model_config = ConfigDict(extra="forbid")

    hr_alerts: int = Field(default=0, ge=0, description="warning/critical HR alerts this session")
    poor_form: list[str] = Field(default_factory=list, description="exercise ids")
    pain: list[str] = Field(default_factory=list, description="exercise ids")
    easy_sets: dict[str, float] = Field(
        default_factory=dict, description="exercise id -> RPE of sets done with all reps")
    missing_equipment: list[str] = Field(default_factory=list)


class Modification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["reduce_intensity", "reduce_volume", "regress", "progress", "substitute",
                  "skip"]
    exercise_id: str | None = Field(default=None, description="None: the whole session")
    replacement_id: str | None = None
    amount_percent: float | None = None
    reason: str


def _swap(item: PlanItem, direction: str, kit: set[str], avoid: list[str],
          library: ExerciseLibrary, level: str | None, disliked: frozenset[str]) -> str | None:
    """The graph's best variant in ``direction`` within today's kit and limits."""
    limits = Limits.parse(kit, avoid, level)
    limits = Limits(limits.kit, limits.areas, limits.level, limits.avoid_ids | disliked)
    alt = find_alternative(item.exercise_id, direction, library=library, limits=limits)
    return alt.id if alt else None


def suggest_session_modifications(member_status: MemberStatus, planned_session: Session,
                                  live_feedback: LiveFeedback, *,
                                  profile: MemberProfile | None = None,
                                  library: ExerciseLibrary | None = None,
                                  config: PlannerConfig | None = None) -> list[Modification]:
    """Stated changes to today's session, most protective first."""
    config = config or default_config()
    if library is None:
        from planner.io import default_library
        library = default_library()
    rules = config.live
    kit = set(profile.available_equipment) if profile else set(KIT)
    kit -= set(live_feedback.missing_equipment)
    kit.add("body only")
    injuries = sorted((profile.injury_areas if profile else set()) | set(member_status.pain_areas))
    level = profile.fitness_level if profile else None
    disliked = frozenset(profile.preferences.disliked) if profile else frozenset()
    mods: list[Modification] = []
    cut = rules.fatigue_intensity_cut_percent
    if member_status.status == "recover":
        mods.append(Modification(kind="reduce_intensity", amount_percent=2 * cut,
                                 reason=f"readiness {member_status.readiness:g}/100: loads and "
                                        f"RPE -{2 * cut:g} %, a recovery session"))
        mods.append(Modification(kind="reduce_volume", amount_percent=50.0,
                                 reason="recovery session: half the sets"))
    elif member_status.fatigue == "high" or live_feedback.hr_alerts >= rules.hr_alerts_for_cut \
            or member_status.status == "reduce":
        why = (f"{live_feedback.hr_alerts} heart-rate alert(s)" if live_feedback.hr_alerts
               >= rules.hr_alerts_for_cut else f"readiness {member_status.readiness:g}/100")
        frac = round(100 * rules.fatigue_volume_cut_fraction)
        mods.append(Modification(kind="reduce_intensity", amount_percent=cut,
                                 reason=f"{why}: loads and RPE -{cut:g} %"))
        mods.append(Modification(kind="reduce_volume", amount_percent=float(frac),
                                 reason=f"{why}: about {frac} % of the sets dropped"))
    fatigued = bool(mods)  # no progressions on a day that is already cut back
    for item in planned_session.exercises:
        ex = library.get(item.exercise_id)
        hurt = sorted(set(member_status.pain_areas) & set(ex.contraindications))
        if item.exercise_id in live_feedback.pain or hurt:
            rep = _swap(item, "easier", kit, injuries + [item.exercise_id], library, level,
                        disliked)
            where = f"pain in {', '.join(hurt)}" if hurt else "pain during the exercise"
            mods.append(Modification(kind="substitute" if rep else "skip",
                                     exercise_id=item.exercise_id, replacement_id=rep,
                                     reason=f"{where}: " + (f"switch to {library.get(rep).name}"
                                                            if rep else "leave it out today")))
        elif item.exercise_id in live_feedback.poor_form:
            rep = _swap(item, "easier", kit, injuries, library, level, disliked)
            mods.append(Modification(
                kind="regress" if rep else "reduce_intensity", exercise_id=item.exercise_id,
                replacement_id=rep, amount_percent=None if rep else cut,
                reason="poor form: " + (f"regress to {library.get(rep).name}" if rep
                                        else f"no easier variant fits; load -{cut:g} %")))
        elif not ex.fits_kit(kit):
            rep = _swap(item, "same", kit, injuries, library, level, disliked) or \
                _swap(item, "easier", kit, injuries, library, level, disliked)
            mods.append(Modification(kind="substitute" if rep else "skip",
                                     exercise_id=item.exercise_id, replacement_id=rep,
                                     reason=f"{ex.kit_words()} not available: " + (
                                         f"use {library.get(rep).name}" if rep else "skip it")))
        elif item.exercise_id in live_feedback.easy_sets and not fatigued:
            rpe = live_feedback.easy_sets[item.exercise_id]
            target = item.intensity.rpe or 8.0
            if rpe <= target - rules.faster_rpe_margin:
                step = config.adapt.small_step_percent
                rep = None if item.intensity.load_kg or item.intensity.percent_1rm else \
                    _swap(item, "harder", kit, injuries, library, level, disliked)
                mods.append(Modification(
                    kind="progress", exercise_id=item.exercise_id, replacement_id=rep,
                    amount_percent=None if rep else step,
                    reason=f"sets at RPE {rpe:g} against a target of {target:g}: " + (
                        f"progress to {library.get(rep).name}" if rep else f"load +{step:g} %")))
    return mods


def _scale(intensity: Intensity, factor: float, equipment: str, config: PlannerConfig
           ) -> Intensity:
    if intensity.load_kg is not None:
        return Intensity(load_kg=round_load(intensity.load_kg * factor, equipment,
                                            config.loads.rounding_kg))
    if intensity.percent_1rm is not None:
        return Intensity(percent_1rm=round(intensity.percent_1rm * factor, 1))
    rpe = intensity.rpe or 8.0
    return Intensity(rpe=max(1.0, round(rpe * factor * 2) / 2))


def apply_modifications(session: Session, mods: list[Modification], library: ExerciseLibrary,
                        config: PlannerConfig | None = None) -> Session:
    """Today's session with the modifications carried out (minutes recomputed)."""
    config = config or default_config()
    if session.in_class:   # a studio class: the trainer runs it
        return session
    items: list[PlanItem] = []
    for item in session.exercises:
        for mod in mods:
            if mod.exercise_id not in (None, item.exercise_id):
                continue
            pct = (mod.amount_percent or 0.0) / 100
            if mod.kind == "skip":
                item = None  # type: ignore[assignment]
                break
            if mod.kind in ("regress", "substitute", "progress") and mod.replacement_id:
                alt = library.get(mod.replacement_id)
                item = item.model_copy(update={
                    "exercise_id": alt.id, "name": alt.name, "equipment": alt.equipment,
                    "primary_muscles": list(alt.primary_muscles),
                    "secondary_muscles": list(alt.secondary_muscles),
                    "reason": f"{alt.name} instead of {item.name}: {mod.reason}"})
            elif mod.kind in ("reduce_intensity", "progress"):
                sign = -1 if mod.kind == "reduce_intensity" else 1
                item = item.model_copy(update={"intensity": _scale(
                    item.intensity, 1 + sign * pct, item.equipment, config)})
            elif mod.kind == "reduce_volume":
                item = item.model_copy(update={
                    "sets": max(1, item.sets - math.ceil(item.sets * pct - 1e-9))})
        if item is not None:
            items.append(item)
    return session.model_copy(update={"exercises": items,
                                      "estimated_minutes": session_minutes(items, config)})
