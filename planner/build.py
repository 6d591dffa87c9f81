"""Turn a week's selection into the multi-week plan: doses, deloads, reasons, minutes."""

from __future__ import annotations

from collections.abc import Mapping

from planner.candidates import Candidate
from planner.config import PlannerConfig
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan, PlanItem, Session, Week
from planner.periodization import deload_every, deload_sets, phase, progression_model
from planner.prescription import Dose, OneRepMax, prescribe
from planner.selection import Pick, Selection
from planner.split import WeekLayout
from planner.vocab import LEVEL_RANK

ROLE_WORDS = {"main": "main-lift", "accessory": "accessory", "core": "trunk",
              "timed": "timed-hold", "conditioning": "interval"}


def item_seconds(item: PlanItem, config: PlannerConfig) -> float:
    """Time of one item: sets x (work + rest) + one transition."""
    work = item.duration_seconds if item.duration_seconds is not None else \
        (item.reps or 0) * config.session.seconds_per_rep
    return item.sets * (work + item.rest_seconds) + config.session.transition_seconds


def session_minutes(items: list[PlanItem], config: PlannerConfig) -> float:
    seconds = sum(item_seconds(i, config) for i in items)
    return round(config.session.warmup_minutes + seconds / 60.0, 1)


def effective_sets(items: list[PlanItem], indirect: float,
                   library: ExerciseLibrary) -> dict[str, float]:
    """Weekly hard sets per muscle: 1 per direct set, ``indirect`` per helper set.

    Conditioning intervals are cardio work and add no resistance volume."""
    out: dict[str, float] = {}
    for it in items:
        if it.exercise_id in library and library.get(it.exercise_id).pattern == "conditioning":
            continue
        for m in it.primary_muscles:
            out[m] = out.get(m, 0.0) + it.sets
        for m in it.secondary_muscles:
            out[m] = out.get(m, 0.0) + indirect * it.sets
    return out


def _why_exercise(cand: Candidate, slot_name: str, profile: MemberProfile,
                  one_rms: Mapping[str, OneRepMax]) -> str:
    ex = cand.exercise
    bits = []
    if ex.id in profile.preferences.liked:
        bits.append("one you like")
    if ex.id in one_rms:
        bits.append("you have logged it")
    if ex.staple:
        bits.append("a staple")
    bits.append("needs no equipment" if ex.equipment == "body only" else f"uses {ex.equipment}")
    muscles = ", ".join(ex.primary_muscles)
    pattern = ex.pattern.replace("_", " ")
    return f"{pattern.capitalize()} for {muscles} ({slot_name.replace('_', ' ')} slot): " \
        + ", ".join(bits)


def _item(pick: Pick, why_exercise: str, dose: Dose, sets: int, phase_label: str,
          profile: MemberProfile) -> PlanItem:
    cand = pick.candidate
    ex = cand.exercise
    amount = f"{sets}x{dose.reps}" if dose.reps is not None else f"{sets}x{dose.seconds} s"
    why_dose = (f"{amount}, {dose.rest} s rest, {dose.note}: {profile.primary_goal} "
                f"{ROLE_WORDS[cand.role]} dose ({cand.row.source}), {phase_label}")
    if cand.role == "conditioning":
        why_dose = f"{amount} intervals, {dose.rest} s easy, {dose.note} ({cand.row.source})"
    return PlanItem(
        exercise_id=ex.id, name=ex.name, primary_muscles=list(ex.primary_muscles),
        secondary_muscles=list(ex.secondary_muscles), equipment=ex.equipment, sets=sets,
        reps=dose.reps, duration_seconds=dose.seconds, rest_seconds=dose.rest,
        intensity=dose.intensity,
        reason=f"{why_exercise}. {why_dose}.")


def build_plan(profile: MemberProfile, layout: WeekLayout, selection: Selection, weeks: int,
               one_rms: Mapping[str, OneRepMax], config: PlannerConfig,
               library: ExerciseLibrary, warnings: list[str]) -> Plan:
    """Expand the selected week over ``weeks`` weeks with progression and deloads."""
    model = progression_model(profile, config)
    every = deload_every(profile, config)
    percent_mode = profile.preferences.intensity_mode == "percent_1rm"
    rank = LEVEL_RANK[profile.fitness_level]
    plan_weeks = []
    # Within one plan, a dose depends only on the item and its phase, and most weeks repeat
    # a phase: prescribe (and word the reason) once per distinct (item, phase), not per week.
    doses: dict[tuple[int, float, int, bool], Dose] = {}
    whys: dict[int, str] = {}
    for w in range(1, weeks + 1):
        sessions = []
        seen_focus: dict[str, int] = {}
        for spec in layout.sessions:
            occurrence = seen_focus.get(spec.focus, 0)
            seen_focus[spec.focus] = occurrence + 1
            ph = phase(model, w, weeks, every, occurrence)
            items = []
            for pick in (p for p in selection.picks if p.session == spec.index):
                cand = pick.candidate
                key = (id(cand), ph.heaviness, ph.rir, ph.deload)
                dose = doses.get(key)
                if dose is None:
                    dose = doses[key] = prescribe(
                        cand.exercise, cand.row, heaviness=ph.heaviness, rir=ph.rir,
                        level_rank=rank, deload=ph.deload, one_rm=one_rms.get(cand.exercise.id),
                        percent_mode=percent_mode, config=config)
                sets = deload_sets(pick.sets, config.periodization.deload_set_fraction) \
                    if ph.deload else pick.sets
                label = ph.label if cand.role in ("main", "accessory") else \
                    ("deload" if ph.deload else "steady")
                why = whys.get(id(cand))
                if why is None:
                    why = whys[id(cand)] = _why_exercise(cand, spec.slots[pick.slot].name,
                                                         profile, one_rms)
                items.append(_item(pick, why, dose, sets, label, profile))
            sessions.append(Session(day=spec.day, focus=spec.focus,
                                    estimated_minutes=session_minutes(items, config),
                                    exercises=items))
        plan_weeks.append(Week(week=w, deload=ph.deload, sessions=sessions))
    first = [i for s in plan_weeks[0].sessions for i in s.exercises]
    volume = effective_sets(first, config.volume.indirect_weight, library)
    return Plan(member_id=profile.member_id, split=layout.split,  # type: ignore[arg-type]
                progression_model=model,  # type: ignore[arg-type]
                weeks=plan_weeks,
                weekly_sets_per_muscle={m: round(v, 1) for m, v in sorted(volume.items())},
                warnings=warnings)
