"""Browser forms of the plan pages -> the planner's own models (validation stays there)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData

from db.models import Member
from planner.editing import ItemEdit
from planner.models import Intensity, MemberProfile


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def number(form: FormData, name: str) -> float | None:
    value = text(form, name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        raise ValueError(f"{name.replace('_', ' ')} must be a number, not {value!r}") from None


def whole(form: FormData, name: str) -> int | None:
    value = number(form, name)
    return int(value) if value is not None else None


def profile_from_form(form: FormData, member: Member, stored: MemberProfile | None
                      ) -> MemberProfile:
    """A profile from the coach's form; history and preferences are kept from ``stored``."""
    primary = text(form, "primary_goal")
    others = [g for g in form.getlist("goals") if isinstance(g, str) and g != primary]
    base: dict[str, Any] = stored.model_dump(mode="json") if stored else {}
    data = {**base, "member_id": member.id, "age": whole(form, "age"),
            "sex": text(form, "sex"), "body_weight_kg": number(form, "body_weight_kg"),
            "goals": [g for g in [primary, *others] if g],
            "fitness_level": text(form, "fitness_level"),
            "days_per_week": whole(form, "days_per_week"),
            "minutes_per_session": whole(form, "minutes_per_session"),
            "equipment": [e for e in form.getlist("equipment") if isinstance(e, str)],
            "injuries": [{"area": a} for a in form.getlist("injuries") if isinstance(a, str)],
            "hr_max": whole(form, "hr_max"), "hr_rest": whole(form, "hr_rest"),
            "class_days": [int(d) for d in form.getlist("class_days")
                           if isinstance(d, str) and d.isdigit()]}
    return MemberProfile.model_validate(data)


def starting_values(member: Member, stored: MemberProfile | None) -> dict[str, Any]:
    """What the profile form shows: the stored profile, else what the studio knows."""
    if stored is not None:
        return stored.model_dump(mode="json")
    year = datetime.now(UTC).year
    return {"age": year - member.birth_year if member.birth_year else 35,
            "sex": member.sex if member.sex in ("female", "male") else "other",
            "body_weight_kg": member.weight_kg or 70, "goals": ["general_fitness"],
            "fitness_level": "beginner", "days_per_week": 3, "minutes_per_session": 60,
            "equipment": ["dumbbell", "bench"], "injuries": [], "hr_max": member.hr_max,
            "hr_rest": member.hr_rest, "class_days": []}


def item_edit_from_form(form: FormData) -> ItemEdit:
    """One item's edit form: only fields the coach changed are sent on."""
    kind, value = text(form, "intensity_kind"), number(form, "intensity_value")
    intensity = Intensity.model_validate({kind: value}) if kind and value is not None else None
    index = whole(form, "index")
    return ItemEdit(week=whole(form, "week") or 0, day=whole(form, "day") or 0,
                    index=index if index is not None else -1,
                    all_weeks=text(form, "all_weeks") == "on",
                    remove=text(form, "remove") == "on",
                    exercise_id=text(form, "exercise_id") if text(form, "exercise_id") !=
                    text(form, "current_exercise_id") else None,
                    sets=whole(form, "sets"), reps=whole(form, "reps"),
                    duration_seconds=whole(form, "duration_seconds"),
                    rest_seconds=whole(form, "rest_seconds"), intensity=intensity,
                    reason=text(form, "reason"))
