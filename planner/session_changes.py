"""Suggested changes to today's planned session from what a live class shows.

The live class says *what happened* (an alert, a camera's reps, a heart-rate recovery,
the morning's check-in); this module says *what to change*, through the same rules as
``planner.readiness.suggest_session_modifications`` and ``planner.adapt.assess``:

- a repeated form fault on an exercise -> its easier variant within the member's kit and
  injuries (``find_alternative``), else a lighter load;
- sustained high intensity or a poor heart-rate recovery -> the fatigue cut of
  ``[live]`` (loads and RPE down, about a third of the sets dropped);
- every set so far beating its target reps (the 2-for-2 rule) -> a progression;
- a check-in that says "reduce" or "recover" -> the readiness cut.

Each :class:`SessionSuggestion` carries its evidence and a ``group`` (what it changes:
one exercise or the whole session) and a ``key`` (group plus the episode that caused it),
so a caller can keep exactly one suggestion per member, exercise and episode. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.adapt import ExerciseLog, SetResult, assess
from planner.config import PlannerConfig, default_config
from planner.graph import Limits, find_alternative
from planner.library import ExerciseLibrary
from planner.models import Intensity, MemberProfile, PlanItem, Session
from planner.readiness import (
    LiveFeedback,
    MemberStatus,
    Modification,
    suggest_session_modifications,
)

Rule = Literal["repeated_form_fault", "sustained_high", "poor_recovery", "targets_beaten",
               "readiness"]

# The camera stations' exercise names (configs/vision.toml [exercise.*]) as the planner's
# movement patterns (and prime mover where a pattern is too wide), so a fault the camera
# sees on "squat" finds the squat-pattern item of today's session.
CAMERA_PATTERNS: dict[str, tuple[str, str | None]] = {
    "squat": ("squat", None), "lunge": ("lunge", None), "push-up": ("horizontal_push", None),
    "overhead-press": ("vertical_push", None), "biceps-curl": ("isolation", "biceps"),
    "plank": ("core", None), "jumping-jack": ("conditioning", None),
}
# What the camera's exercise is in the library when today's session does not plan it (a
# studio class session): the plain body-weight or dumbbell version a class does.
CAMERA_DEFAULTS: dict[str, str] = {
    "squat": "Bodyweight_Squat", "lunge": "Bodyweight_Walking_Lunge", "push-up": "Pushups",
    "overhead-press": "Dumbbell_Shoulder_Press", "biceps-curl": "Dumbbell_Bicep_Curl",
    "plank": "Plank", "jumping-jack": "Star_Jump",
}


class LiveEvidence(BaseModel):
    """What the live class showed, with the numbers a trainer can check."""

    model_config = ConfigDict(extra="forbid")

    rule: Rule
    source: Literal["alert", "insight", "check_in"]
    ref: str = Field(description="the alert id, insight or check-in it comes from")
    at: float | None = Field(default=None, description="Unix seconds")
    text: str
    numbers: dict[str, float | int | str | None] = Field(default_factory=dict)
    exercise: str | None = Field(default=None, description="the camera's exercise name")
    reps: list[int] = Field(default_factory=list, description="targets_beaten: reps per set")


class SessionSuggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="group|episode: one suggestion per member and episode")
    group: str = Field(description="what it changes: regress:<id>, progress:<id>, "
                       "reduce:session")
    rule: Rule
    exercise_id: str | None
    exercise_name: str | None = None
    planned: bool = Field(description="the exercise is an item of today's planned session")
    headline: str
    modifications: list[Modification]
    evidence: LiveEvidence


def camera_key(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "-")


def planned_item(session: Session, camera_exercise: str, library: ExerciseLibrary
                 ) -> PlanItem | None:
    """Today's item the camera's exercise is (same pattern; named like it first)."""
    key = camera_key(camera_exercise)
    spec = CAMERA_PATTERNS.get(key)
    if spec is None:
        return None
    pattern, muscle = spec
    found = [i for i in session.exercises if i.exercise_id in library
             and library.get(i.exercise_id).pattern == pattern
             and (muscle is None or muscle in i.primary_muscles)]
    word = key.split("-")[0]
    found.sort(key=lambda i: word not in i.name.lower())
    return found[0] if found else None


def _class_item(exercise_id: str, library: ExerciseLibrary) -> PlanItem:
    """An exercise done in a class but not planned: a plain item to reason about."""
    ex = library.get(exercise_id)
    return PlanItem(exercise_id=ex.id, name=ex.name, primary_muscles=list(ex.primary_muscles),
                    secondary_muscles=list(ex.secondary_muscles), equipment=ex.equipment,
                    sets=1, reps=None if ex.timed else 10,
                    duration_seconds=30 if ex.timed else None, rest_seconds=60,
                    intensity=Intensity(rpe=7.0), reason="done in the studio class")


def _target(evidence: LiveEvidence, session: Session, library: ExerciseLibrary
            ) -> tuple[PlanItem, bool] | None:
    if evidence.exercise is None:
        return None
    item = planned_item(session, evidence.exercise, library)
    if item is not None:
        return item, True
    default = CAMERA_DEFAULTS.get(camera_key(evidence.exercise))
    if default is None or default not in library:
        return None
    return _class_item(default, library), False


def _headline(mods: Sequence[Modification], library: ExerciseLibrary,
              name: str | None) -> str:
    parts = []
    for m in mods:
        if m.kind in ("regress", "substitute", "progress") and m.replacement_id:
            verb = {"regress": "Regress", "substitute": "Swap", "progress": "Progress"}[m.kind]
            parts.append(f"{verb} {name or m.exercise_id} to "
                         f"{library.get(m.replacement_id).name}")
        elif m.kind == "reduce_intensity":
            parts.append(f"loads and effort -{m.amount_percent:g} %"
                         + (f" on {name}" if name else ""))
        elif m.kind == "reduce_volume":
            parts.append(f"about {m.amount_percent:g} % fewer sets")
        elif m.kind == "progress":
            parts.append(f"{name}: " + (f"load +{m.amount_percent:g} %" if m.amount_percent
                                        else "+1 rep per set"))
        elif m.kind == "skip":
            parts.append(f"leave out {name or m.exercise_id}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _with_evidence(mods: list[Modification], evidence: LiveEvidence) -> list[Modification]:
    return [m.model_copy(update={"reason": f"{evidence.text}: {m.reason}"}) for m in mods]


def suggest_from_evidence(evidence: LiveEvidence, session: Session, status: MemberStatus, *,
                          profile: MemberProfile, library: ExerciseLibrary,
                          config: PlannerConfig | None = None) -> SessionSuggestion | None:
    """The change one piece of live evidence asks for today, or None when nothing fits
    (no matching exercise, a progression on a day that is already cut back, ...)."""
    config = config or default_config()
    rule = evidence.rule
    if rule == "repeated_form_fault":
        target = _target(evidence, session, library)
        if target is None:
            return None
        item, planned = target
        day = session if planned else session.model_copy(update={"exercises": [item]})
        mods = [m for m in suggest_session_modifications(
            status, day, LiveFeedback(poor_form=[item.exercise_id]), profile=profile,
            library=library, config=config) if m.exercise_id == item.exercise_id]
        group = f"regress:{item.exercise_id}"
        episode = "class"  # one regression per exercise and class, whatever the answer
    elif rule in ("sustained_high", "poor_recovery"):
        mods = [m for m in suggest_session_modifications(
            status, session, LiveFeedback(hr_alerts=config.live.hr_alerts_for_cut),
            profile=profile, library=library, config=config) if m.exercise_id is None]
        item, planned, group, episode = None, True, "reduce:session", evidence.ref
    elif rule == "readiness":
        mods = suggest_session_modifications(status, session, LiveFeedback(),
                                             profile=profile, library=library, config=config)
        item, planned, group, episode = None, True, "reduce:session", evidence.ref
    else:
        return _progression(evidence, session, status, profile, library, config)
    if not mods:
        return None
    name = item.name if item else None
    return SessionSuggestion(
        key=f"{group}|{episode}", group=group, rule=rule,
        exercise_id=item.exercise_id if item else None, exercise_name=name, planned=planned,
        headline=_headline(mods, library, name), modifications=_with_evidence(mods, evidence),
        evidence=evidence)


def _progression(evidence: LiveEvidence, session: Session, status: MemberStatus,
                 profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig
                 ) -> SessionSuggestion | None:
    """Every set so far (at least two) beat today's target reps: the adaptation rule's
    progression, for the rest of today's sets."""
    if status.status != "train" or len(evidence.reps) < 2 or evidence.exercise is None:
        return None
    item = planned_item(session, evidence.exercise, library)
    if item is None or item.reps is None:
        return None
    done = item.model_copy(update={"sets": len(evidence.reps)})
    verdict = assess(done, ExerciseLog(exercise_id=item.exercise_id,
                                       sets=[SetResult(reps=r) for r in evidence.reps]),
                     profile, library, config)
    if verdict.action not in ("progress_load", "progress_reps"):
        return None
    step = verdict.change_percent or config.adapt.small_step_percent
    harder = None
    if item.intensity.rpe is not None:  # body weight or RPE-dosed: a harder variant
        alt = find_alternative(item.exercise_id, "harder", library=library,
                               limits=Limits.of(profile))
        harder = alt.id if alt else None
    reason = (f"targets beaten ({verdict.reason}): " + (
        f"progress to {library.get(harder).name}" if harder else
        f"load +{step:g} %" if item.intensity.rpe is None else "+1 rep per set"))
    mod = Modification(kind="progress", exercise_id=item.exercise_id, replacement_id=harder,
                       amount_percent=None if harder or item.intensity.rpe is not None
                       else step, reason=reason)
    group = f"progress:{item.exercise_id}"
    return SessionSuggestion(
        key=f"{group}|class", group=group, rule="targets_beaten", exercise_id=item.exercise_id,
        exercise_name=item.name, planned=True, headline=_headline([mod], library, item.name),
        modifications=_with_evidence([mod], evidence), evidence=evidence)


def fresh(suggestions: Sequence[SessionSuggestion], known_keys: set[str],
          active_groups: set[str]) -> list[SessionSuggestion]:
    """The suggestions still worth showing: not made before (same key) and not stacking
    on one that is pending or accepted for the same exercise or the whole session."""
    out, groups = [], set(active_groups)
    for s in suggestions:
        if s.key in known_keys or s.group in groups:
            continue
        groups.add(s.group)
        out.append(s)
    return out
