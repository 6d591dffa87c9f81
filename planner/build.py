"""Turn a week's selection into the multi-week plan: doses, deloads, reasons, minutes."""

from __future__ import annotations

from collections.abc import Mapping

from planner.candidates import Candidate
from planner.cardio import CARDIO_ROLES, HR_ROLES, block, heart_rate, work_minutes
from planner.config import PlannerConfig
from planner.library import ExerciseLibrary
from planner.models import (
    HeartRateTarget,
    Intensity,
    MemberProfile,
    Plan,
    PlanItem,
    Session,
    Week,
)
from planner.periodization import deload_every, deload_sets, is_deload, phase, progression_model
from planner.prescription import Dose, OneRepMax, prescribe
from planner.selection import Pick, Selection
from planner.split import WeekLayout
from planner.vocab import LEVEL_RANK

ROLE_WORDS = {"main": "main-lift", "accessory": "accessory", "core": "trunk",
              "timed": "timed-hold", "conditioning": "interval", "steady": "steady cardio",
              "intervals": "interval cardio"}


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
    kit = ex.kit_words()
    bits.append("needs no equipment" if kit == "no equipment" else f"uses {kit}")
    muscles = ", ".join(ex.primary_muscles)
    pattern = ex.pattern.replace("_", " ")
    return f"{pattern.capitalize()} for {muscles} ({slot_name.replace('_', ' ')} slot): " \
        + ", ".join(bits)


def _item(pick: Pick, why_exercise: str, dose: Dose, sets: int, phase_label: str,
          profile: MemberProfile, hr: HeartRateTarget | None = None) -> PlanItem:
    cand = pick.candidate
    ex = cand.exercise
    amount = f"{sets}x{dose.reps}" if dose.reps is not None else f"{sets}x{dose.seconds} s"
    why_dose = (f"{amount}, {dose.rest} s rest, {dose.note}: {profile.primary_goal} "
                f"{ROLE_WORDS[cand.role]} dose ({cand.row.source}), {phase_label}")
    zones = f" in {hr.words()}" if hr is not None else ""
    if cand.role == "conditioning":
        why_dose = (f"{amount} intervals{zones}, {dose.rest} s easy, {dose.note} "
                    f"({cand.row.source})")
    elif cand.role == "steady":
        why_dose = (f"{(dose.seconds or 0) // 60} min steady{zones}, {dose.note} "
                    f"({cand.row.source}), {phase_label}")
    elif cand.role == "intervals":
        why_dose = (f"{sets} x {dose.seconds} s{zones}, {dose.rest} s recovery, {dose.note} "
                    f"({cand.row.source}), {phase_label}")
    return PlanItem(
        exercise_id=ex.id, name=ex.name, primary_muscles=list(ex.primary_muscles),
        secondary_muscles=list(ex.secondary_muscles), equipment=ex.equipment, sets=sets,
        reps=dose.reps, duration_seconds=dose.seconds, rest_seconds=dose.rest,
        intensity=dose.intensity, heart_rate=hr,
        reason=f"{why_exercise}. {why_dose}.")


def _progress(weeks: int, every: int) -> list[float]:
    """Cardio progression per week, 0 at the first loading week to 1 at the last; a
    deload week keeps the week before's value (its blocks are cut from that)."""
    loading = [w for w in range(1, weeks + 1) if not is_deload(w, every)]
    out, last = [], 0.0
    for w in range(1, weeks + 1):
        if w in loading:
            last = loading.index(w) / (len(loading) - 1) if len(loading) > 1 else 0.0
        out.append(last)
    return out


def cardio_minutes_warning(plan_weeks: list[Week], profile: MemberProfile,
                           config: PlannerConfig) -> str | None:
    """The plan's cardio minutes a week against ACSM's weekly aerobic volume."""
    goals = [g for g in profile.goals if g in config.cardio.weekly_minutes]  # Goal literals
    if not goals:
        return None
    need = max(config.cardio.weekly_minutes[g] for g in goals)
    best = max((sum(work_minutes(i.sets, i.duration_seconds) for s in w.sessions
                    for i in s.exercises if i.heart_rate is not None)
                + sum(profile.minutes_per_session - config.session.warmup_minutes
                      for s in w.sessions if s.in_class)
                for w in plan_weeks if not w.deload), default=0.0)
    if best >= need:
        return None
    return (f"cardio: at most {best:.0f} min a week in this plan, under the {need} min of "
            "moderate aerobic work garber2011 advises; walk, cycle or add a cardio day")


def _cardio_item(pick: Pick, why: str, items: list[PlanItem | None], budget: float,
                 progress: float, deload: bool, last_sets: dict[tuple[int, int], int],
                 session: int, rank: int, profile: MemberProfile, config: PlannerConfig
                 ) -> PlanItem:
    """A steady block or intervals sized to the week's progression and the time the
    session's other items leave; a deload halves the last loading week's bouts."""
    cand = pick.candidate
    row = cand.row
    used = sum(item_seconds(i, config) for i in items if i is not None)
    sets, seconds, rest = block(cand.role, row, progress, budget - used,
                                config.session.transition_seconds, rank)
    key = (session, pick.slot)
    if deload:
        assert row.seconds is not None
        before = last_sets.get(key, sets)
        sets = deload_sets(before, config.periodization.deload_set_fraction) \
            if cand.role == "intervals" else 1
        seconds = seconds if cand.role == "intervals" else row.seconds[0]
    else:
        last_sets[key] = sets
    rir = max(row.rir[0], min(row.rir[1], round(sum(row.rir) / 2)))
    rir += config.periodization.deload_rir_add if deload else 0
    dose = Dose(None, seconds, rest, Intensity(rpe=10.0 - rir), f"RPE {10 - rir:g}")
    label = "deload, shorter" if deload else f"building up ({round(100 * progress)} % of the way)"
    return _item(pick, why, dose, sets, label, profile,
                 heart_rate(profile, cand.role, deload, config))


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
    progress = _progress(weeks, every)
    budget = (profile.minutes_per_session - config.session.warmup_minutes) * 60
    last_sets: dict[tuple[int, int], int] = {}   # cardio sets of the last loading week
    for w in range(1, weeks + 1):
        sessions = []
        seen_focus: dict[str, int] = {}
        deload = is_deload(w, every)
        for spec in layout.sessions:
            occurrence = seen_focus.get(spec.focus, 0)
            seen_focus[spec.focus] = occurrence + 1
            ph = phase(model, w, weeks, every, occurrence)
            if spec.in_class:
                sessions.append(Session(
                    day=spec.day, focus=spec.focus, estimated_minutes=float(
                        profile.minutes_per_session), exercises=[], in_class=True,
                    heart_rate=heart_rate(profile, "intervals", ph.deload, config)))
                continue
            items: list[PlanItem | None] = []
            cardio: list[tuple[int, Pick, str]] = []
            for pick in (p for p in selection.picks if p.session == spec.index):
                cand = pick.candidate
                why = whys.get(id(cand))
                if why is None:
                    why = whys[id(cand)] = _why_exercise(cand, spec.slots[pick.slot].name,
                                                         profile, one_rms)
                if cand.role in CARDIO_ROLES:
                    cardio.append((len(items), pick, why))
                    items.append(None)
                    continue
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
                hr = heart_rate(profile, cand.role, ph.deload, config) \
                    if cand.role in HR_ROLES else None
                items.append(_item(pick, why, dose, sets, label, profile, hr))
            for at, pick, why in cardio:
                items[at] = _cardio_item(pick, why, items, budget, progress[w - 1], ph.deload,
                                         last_sets, spec.index, rank, profile, config)
            built = [i for i in items if i is not None]
            sessions.append(Session(day=spec.day, focus=spec.focus,
                                    estimated_minutes=session_minutes(built, config),
                                    exercises=built))
        plan_weeks.append(Week(week=w, deload=deload, sessions=sessions))
    warning = cardio_minutes_warning(plan_weeks, profile, config)
    if warning:
        warnings = [*warnings, warning]
    first = [i for s in plan_weeks[0].sessions for i in s.exercises]
    volume = effective_sets(first, config.volume.indirect_weight, library)
    return Plan(member_id=profile.member_id, split=layout.split,  # type: ignore[arg-type]
                progression_model=model,  # type: ignore[arg-type]
                weeks=plan_weeks,
                weekly_sets_per_muscle={m: round(v, 1) for m, v in sorted(volume.items())},
                warnings=warnings)
