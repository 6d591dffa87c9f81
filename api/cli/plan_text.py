"""``spotter plan generate`` without --json: the whole plan in words, week by week.

Loads in kg, %1RM as a share of the one-rep max, RPE as effort out of 10 with the reps
left; days by name; the split and progression model said in words (the same words the
member portal uses, ``api.words.glossary``)."""

from __future__ import annotations

from collections.abc import Iterator

from api.plans.display import day_name
from api.words.glossary import PROGRESSIONS, SPLITS
from planner.models import Intensity, Plan, PlanItem

LEGEND = ("kg: the weight to use; % of 1-rep max: of the most you could lift once; "
          "RPE: effort out of 10 (RPE 7 = about 3 more reps left in you).")


def intensity_words(value: Intensity) -> str:
    if value.load_kg is not None:
        return f"{value.load_kg:g} kg"
    if value.percent_1rm is not None:
        return f"{value.percent_1rm:g} % of 1-rep max"
    if value.rpe is not None:
        left = 10 - value.rpe
        reps = (f"{left:g} more rep{'s' if left != 1 else ''} left" if left == int(left)
                else f"{int(left)}-{int(left) + 1} more reps left") if left > 0 else "all out"
        return f"RPE {value.rpe:g} (about {reps})"
    return "any load"


def item_words(item: PlanItem) -> str:
    amount = f"{item.reps} reps" if item.reps else f"{item.duration_seconds} s"
    line = f"{item.name}: {item.sets} sets × {amount}"
    if item.heart_rate is not None:
        low, high = item.heart_rate.zones
        zones = f"zone {low}" if low == high else f"zones {low}-{high}"
        line += f" in heart-rate {zones} ({item.heart_rate.bpm[0]}-{item.heart_rate.bpm[1]} bpm)"
    else:
        line += f" at {intensity_words(item.intensity)}"
    return line + f", rest {item.rest_seconds} s"


def plan_lines(plan: Plan, only_week: int | None = None) -> Iterator[str]:
    split = SPLITS.get(plan.split, plan.split.replace("_", " "))
    name, why = PROGRESSIONS.get(plan.progression_model, (plan.progression_model, ""))
    yield f"{plan.member_id}: {split}, {len(plan.weeks)} weeks"
    yield f"Progression: {name}" + (f" ({why})" if why else "")
    yield LEGEND
    for week in plan.weeks:
        if only_week is not None and week.week != only_week:
            continue
        yield ""
        yield f"Week {week.week}" + (" · lighter week (deload: fewer sets, lighter loads)"
                                     if week.deload else "")
        for session in week.sessions:
            yield (f"  {day_name(session.day)} · {session.focus.replace('_', ' ')} · "
                   f"about {session.estimated_minutes:.0f} min")
            for item in session.exercises:
                yield f"    {item_words(item)}"
    for warning in plan.warnings:
        yield f"Note: {warning}"
