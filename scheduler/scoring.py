"""The score breakdown of a timetable, computed from the classes alone (no solver).

The same function scores the optimiser's output, the greedy baseline and a manager's draft,
so their numbers are comparable, and every soft penalty is named with the classes and
trainers it involves. Its totals match the CP-SAT objective terms (tested).
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.schemas import ObjectiveTerm, PenaltyItem, ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, DAYS, to_minutes


def _term(weight: float, value: float, unit: str, stage: str, items: list[PenaltyItem]
          ) -> ObjectiveTerm:
    return ObjectiveTerm(weight=weight, value=round(value, 4), weighted=round(weight * value, 4),
                         unit=unit, stage=stage, items=items)  # type: ignore[arg-type]


def _label(c: ScheduledClass) -> str:
    return f"{c.class_type} {c.day} {c.start}-{c.end} ({c.room}, {c.trainer})"


def value_terms(studio: Studio, classes: list[ScheduledClass]) -> dict[str, ObjectiveTerm]:
    att: dict[str, float] = defaultdict(float)
    rev: dict[str, float] = defaultdict(float)
    n: dict[str, int] = defaultdict(int)
    for c in classes:
        price = studio.class_types[c.class_type].revenue_weight
        att[c.class_type] += c.predicted_attendance
        rev[c.class_type] += price * c.predicted_attendance
        n[c.class_type] += 1
    w = studio.weights
    return {
        "attendance": _term(w.attendance, sum(att.values()), "expected attendees", "value", [
            PenaltyItem(involves=[t], value=round(v, 2), detail=f"{n[t]} sessions")
            for t, v in sorted(att.items())]),
        "revenue": _term(w.revenue, sum(rev.values()), "price x expected attendees", "value", [
            PenaltyItem(involves=[t], value=round(v, 2), detail=f"{n[t]} sessions")
            for t, v in sorted(rev.items()) if v]),
    }


def idle_term(studio: Studio, classes: list[ScheduledClass]) -> ObjectiveTerm:
    per_day: dict[tuple[str, str], list[ScheduledClass]] = defaultdict(list)
    for c in classes:
        per_day[(c.trainer, c.day)].append(c)
    items = []
    for (trainer, day), group in sorted(per_day.items(), key=lambda kv: (kv[0][0],
                                                                        DAY_INDEX[kv[0][1]])):
        group.sort(key=lambda c: to_minutes(c.start))
        span = to_minutes(group[-1].end) - to_minutes(group[0].start)
        idle = span - sum(to_minutes(c.end) - to_minutes(c.start) for c in group)
        if idle > 0:
            items.append(PenaltyItem(
                involves=[trainer] + [_label(c) for c in group], value=idle,
                detail=f"{trainer} waits {idle} min on {day} between {group[0].start} and "
                       f"{group[-1].end}"))
    return _term(studio.weights.idle_minute, sum(i.value for i in items), "minutes", "quality",
                 items)


def imbalance_term(studio: Studio, classes: list[ScheduledClass]) -> ObjectiveTerm:
    items = []
    days = studio.open_days
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for c in classes:
        counts[c.class_type][DAY_INDEX[c.day]] += 1
    for ctype in studio.class_types.values():
        if len(days) < 2 or ctype.id not in counts:
            continue
        per = [counts[ctype.id][d] for d in days]
        spread = max(per) - min(per)
        if spread:
            items.append(PenaltyItem(involves=[ctype.id], value=spread, detail=", ".join(
                f"{DAYS[d]} {k}" for d, k in zip(days, per, strict=True))))
    return _term(studio.weights.imbalance, sum(i.value for i in items), "sessions of spread",
                 "quality", items)


def change_term(studio: Studio, classes: list[ScheduledClass],
                published: list[ScheduledClass]) -> ObjectiveTerm:
    """Tiered like the model: same class and time with another trainer/room 1, dropped 2,
    class at a time it did not run before 1."""
    def slot(c: ScheduledClass) -> tuple[str, str, int]:
        return (c.class_type, c.day, to_minutes(c.start))

    def exact(c: ScheduledClass) -> tuple[str, str, int, str, str]:
        return (*slot(c), c.room, c.trainer)

    draft_slots: dict[tuple[str, str, int], ScheduledClass] = {}
    for c in classes:
        draft_slots.setdefault(slot(c), c)
    draft_exact = {exact(c) for c in classes}
    published_slots = {slot(c) for c in published}
    items = []
    for c in published:
        if exact(c) in draft_exact:
            continue
        if slot(c) in draft_slots:
            new = draft_slots[slot(c)]
            items.append(PenaltyItem(involves=[_label(c), new.trainer, new.room], value=1,
                                     detail=f"{_label(c)}: now {new.room} with {new.trainer}"))
        else:
            items.append(PenaltyItem(involves=[_label(c)], value=2, detail=f"dropped {_label(c)}"))
    for c in classes:
        if slot(c) not in published_slots:
            items.append(PenaltyItem(involves=[_label(c)], value=1, detail=f"added {_label(c)}"))
    return _term(studio.weights.change, sum(i.value for i in items), "change points", "quality",
                 items)


def preference_term(studio: Studio, classes: list[ScheduledClass]) -> ObjectiveTerm:
    items = [PenaltyItem(involves=[c.trainer, _label(c)], value=1,
                         detail=f"{c.trainer} asked to avoid {c.day} around {c.start}")
             for c in classes
             if c.trainer in studio.avoid and studio.in_avoid_window(
                 c.trainer, DAY_INDEX[c.day], to_minutes(c.start), to_minutes(c.end))]
    return _term(studio.weights.preference, len(items), "classes", "quality", items)


def score_breakdown(studio: Studio, classes: list[ScheduledClass],
                    published: list[ScheduledClass] | None = None) -> dict[str, ObjectiveTerm]:
    """Every objective term with its weight, raw value, weighted value and named items."""
    terms = value_terms(studio, classes)
    terms["idle_time"] = idle_term(studio, classes)
    terms["imbalance"] = imbalance_term(studio, classes)
    terms["trainer_preferences"] = preference_term(studio, classes)
    if published is not None:
        terms["changes"] = change_term(studio, classes, published)
    return terms


# Which admin weight scales which term (the weights' names are the settings' names).
TERM_WEIGHTS = {"attendance": "attendance", "revenue": "revenue", "idle_time": "idle_minute",
                "imbalance": "imbalance", "trainer_preferences": "preference",
                "changes": "change"}


def signed(term: ObjectiveTerm) -> float:
    """A term's contribution to the total: value terms add, quality penalties subtract."""
    if not term.weighted:
        return 0.0
    return term.weighted if term.stage == "value" else -term.weighted


def total_score(terms: dict[str, ObjectiveTerm]) -> float:
    """The whole objective: sum of the signed weighted terms."""
    return round(sum(signed(t) for t in terms.values()), 4)


def reweigh(terms: dict[str, ObjectiveTerm], weights: dict[str, float]
            ) -> dict[str, ObjectiveTerm]:
    """The same timetable's terms under other weights (raw values do not depend on them),
    so two scenarios planned under different weights can be scored on one scale."""
    out = {}
    for name, term in terms.items():
        w = weights.get(TERM_WEIGHTS.get(name, name), term.weight)
        out[name] = term.model_copy(update={"weight": w, "weighted": round(w * term.value, 4)})
    return out


def primary_value(terms: dict[str, ObjectiveTerm]) -> float:
    """The stage-2 objective (weighted attendance + revenue) in real units."""
    return terms["attendance"].weighted + terms["revenue"].weighted
