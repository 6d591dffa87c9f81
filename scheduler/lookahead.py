"""Lookahead: the published classes of the next days whose trainer is on leave, each with
the smallest change that keeps the week valid.

For every dated class in ``[today, today + days)`` taught by a trainer whose leave covers
that date, in time order, the first of these that passes the independent validator wins:

1. **substitute**: the same class, room and time with another trainer who is qualified,
   available that weekday, not on leave that date and free (changeover included); the one
   with the highest predicted attendance, fewer teaching minutes that week breaking ties;
2. **move**: the same class type at another time of the same week (the same day first,
   then the nearest), on a date from tomorrow on that is not a closure, with a trainer who
   is there and a fitting room that is free;
3. **cancel**: members who booked are told (the caller notifies them).

Each proposal is checked as part of its whole dated week: the week's classes after the
change go through ``validation.validate_schedule`` against the weekly instance with every
leave of that week cut out of the trainers' availability, and a change is taken only when
it brings no new violation into that week. Two rules are relaxed on
purpose and named in the result: weekly minimum sessions (a closure or a cancellation
lowers them by design) and pins (a pinned class whose trainer is away must change).
Proposals made earlier in the same run count as decided, so two absences never get the
same substitute at clashing times.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from scheduler.config import SchedulerSettings
from scheduler.demand import DemandPredictor, demand_for
from scheduler.options import Option, build_options
from scheduler.repair import TrainerUnavailable, apply_change
from scheduler.schemas import Instance, Schedule, ScheduledClass, Violation
from scheduler.studio import Studio
from scheduler.timegrid import DAYS, to_minutes
from scheduler.validation import validate_schedule

MAX_MOVE_CHECKS = 300  # candidate moves validated per class (each a whole-week check)
RELAXED = ("min_sessions", "pinned_missing")  # see the module docstring


@dataclass(frozen=True)
class Leave:
    trainer: str
    start: date
    end: date  # inclusive
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DatedClass:
    """A published class on a date (one ``class_sessions`` row)."""

    session_id: str
    on: date
    cls: ScheduledClass
    booked: int = 0


class Proposal(BaseModel):
    session_id: str
    on: date
    kind: Literal["substitute", "move", "cancel"]
    before: ScheduledClass
    after: ScheduledClass | None = None
    after_on: date | None = None
    booked: int
    leave: str = Field(description="the absence, in words")
    reason: str = Field(description="what is proposed and why, in words with numbers")
    alternatives: list[str] = Field(default_factory=list,
                                    description="other qualified, free trainers")
    violations: list[Violation] = Field(
        default_factory=list, description="validator findings on the week after the change "
        "(minimum sessions and pins relaxed); empty for every proposal made")
    checked_rules_relaxed: list[str] = Field(default_factory=lambda: list(RELAXED))


@dataclass
class _Week:
    monday: date
    classes: dict[str, tuple[date, ScheduledClass]] = field(default_factory=dict)

    def schedule(self) -> list[ScheduledClass]:
        return [c for _, c in sorted(self.classes.values(), key=lambda v: (v[0], v[1].start))]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _on_day(c: ScheduledClass, on: date) -> ScheduledClass:
    return c.model_copy(update={"day": DAYS[on.weekday()]})


def _week_instance(instance: Instance, monday: date, leave: list[Leave]) -> Instance:
    """The weekly instance with that week's leave cut out; minimums and pins relaxed."""
    out = instance.model_copy(deep=True, update={"pinned": []})
    for ct in out.class_types:
        ct.min_sessions = 0
    for k in range(7):
        on = monday + timedelta(days=k)
        for absence in leave:
            if absence.covers(on):
                out = apply_change(out, TrainerUnavailable(trainer=absence.trainer,
                                                           day=DAYS[k]))  # type: ignore[arg-type]
    return out


def _name(names: dict[str, dict[str, str]], kind: str, key: str) -> str:
    return names.get(kind, {}).get(key, key)


class _Planner:
    def __init__(self, instance: Instance, dated: list[DatedClass], leave: list[Leave],
                 closures: set[date], today: date, demand: DemandPredictor,
                 settings: SchedulerSettings | None, names: dict[str, dict[str, str]]) -> None:
        self.instance, self.leave, self.closures, self.today = instance, leave, closures, today
        self.demand, self.settings, self.names = demand, settings, names
        self.weeks: dict[date, _Week] = {}
        for d in dated:
            week = self.weeks.setdefault(_monday(d.on), _Week(_monday(d.on)))
            week.classes[d.session_id] = (d.on, _on_day(d.cls, d.on))
        self.studios: dict[date, tuple[Instance, Studio, list[Option]]] = {}

    def away(self, trainer: str, on: date) -> Leave | None:
        return next((a for a in self.leave if a.trainer == trainer and a.covers(on)), None)

    def week_model(self, monday: date) -> tuple[Instance, Studio, list[Option]]:
        if monday not in self.studios:
            inst = _week_instance(self.instance, monday, self.leave)
            studio = Studio.build(inst, self.settings)
            self.studios[monday] = (inst, studio, build_options(studio, self.demand).options)
        return self.studios[monday]

    def check(self, monday: date, session_id: str, on: date, new: ScheduledClass | None
              ) -> list[Violation]:
        """Violations the change brings into its dated week: the validator's findings on
        the week with ``new`` in place of the class, less those already there without it
        (other absences of the week not yet decided are not this change's fault)."""
        inst, studio, _ = self.week_model(monday)
        without = {k: v for k, v in self.weeks[monday].classes.items() if k != session_id}
        before = {v.message for v in validate_schedule(
            inst, Schedule(classes=[c for _, c in without.values()]), studio.settings)}
        if new is None:
            return []
        trial = [c for _, c in without.values()] + [new]
        return [v for v in validate_schedule(inst, Schedule(classes=trial), studio.settings)
                if v.message not in before]

    def minutes(self, monday: date, trainer: str) -> int:
        return sum(to_minutes(c.end) - to_minutes(c.start)
                   for _, c in self.weeks[monday].classes.values() if c.trainer == trainer)

    def substitutes(self, d: DatedClass, current: ScheduledClass) -> list[ScheduledClass]:
        monday = _monday(d.on)
        inst, studio, _ = self.week_model(monday)
        ctype = studio.class_types[current.class_type]
        ranked = []
        for t in studio.trainers.values():
            if t.id == current.trainer or not studio.qualified(ctype, t) or self.away(
                    t.id, d.on):
                continue
            new = current.model_copy(update={"trainer": t.id})
            if self.check(monday, d.session_id, d.on, new):
                continue
            est = self.demand.predict(ctype, d.on.weekday(), to_minutes(current.start), t)
            cap = studio.rooms[current.room].capacity
            ranked.append((-min(est.mean, cap), self.minutes(monday, t.id), t.id,
                           new.model_copy(update={"predicted_attendance": round(
                               min(est.mean, cap), 2)})))
        return [r[3] for r in sorted(ranked, key=lambda r: r[:3])]

    def move(self, d: DatedClass, current: ScheduledClass) -> tuple[date, ScheduledClass] | None:
        monday = _monday(d.on)
        _, _, options = self.week_model(monday)
        tomorrow = self.today + timedelta(days=1)
        candidates = []
        for o in options:
            on = monday + timedelta(days=o.day)
            if (o.class_type != current.class_type or on < tomorrow or on in self.closures
                    or self.away(o.trainer, on)):
                continue
            cost = ((on != d.on) * 2 + (o.trainer != current.trainer) + (o.room != current.room))
            candidates.append((cost, abs((on - d.on).days), -o.attendance,
                               abs(o.start - to_minutes(current.start)), on, o))
        candidates.sort(key=lambda c: c[:4])
        for *_, on, o in candidates[:MAX_MOVE_CHECKS]:
            new = o.to_class()
            if not self.check(monday, d.session_id, on, new):
                return on, new
        return None

    def propose(self, d: DatedClass, absence: Leave) -> Proposal:
        monday = _monday(d.on)
        current = self.weeks[monday].classes[d.session_id][1]
        n = self.names
        what = (f"{_name(n, 'class_types', current.class_type)} {d.on:%a %d %b} "
                f"{current.start}")
        who = _name(n, "trainers", current.trainer)
        away = (f"{who} is on leave {absence.start:%d %b}–{absence.end:%d %b}"
                + (f" ({absence.reason})" if absence.reason else ""))
        base = dict(session_id=d.session_id, on=d.on, before=current, booked=d.booked,
                    leave=away)
        subs = self.substitutes(d, current)
        if subs:
            best = subs[0]
            self.weeks[monday].classes[d.session_id] = (d.on, best)
            return Proposal(
                kind="substitute", after=best, after_on=d.on,
                alternatives=[_name(n, "trainers", s.trainer) for s in subs[1:]],
                reason=f"{what}: {away}. {_name(n, 'trainers', best.trainer)} is qualified "
                       f"and free then, so the class stays at its time and room; "
                       f"{d.booked} booked member(s) keep their place "
                       f"({best.predicted_attendance:.1f} expected with the new trainer).",
                **base)  # type: ignore[arg-type]
        moved = self.move(d, current)
        if moved is not None:
            on, new = moved
            self.weeks[monday].classes[d.session_id] = (on, new)
            return Proposal(
                kind="move", after=new, after_on=on,
                reason=f"{what}: {away} and no qualified trainer is free then. Move to "
                       f"{on:%a %d %b} {new.start} in {_name(n, 'rooms', new.room)} with "
                       f"{_name(n, 'trainers', new.trainer)} ({new.predicted_attendance:.1f}"
                       f" expected); {d.booked} booked member(s) are told of the move.",
                **base)  # type: ignore[arg-type]
        del self.weeks[monday].classes[d.session_id]
        return Proposal(
            kind="cancel",
            reason=f"{what}: {away}, no qualified trainer is free then and no other time "
                   f"this week works. Cancel; {d.booked} booked member(s) are told.",
            **base)  # type: ignore[arg-type]


def lookahead(instance: Instance, dated: list[DatedClass], leave: list[Leave], *,
              today: date, days: int, closures: set[date] | None = None,
              demand: DemandPredictor | None = None, settings: SchedulerSettings | None = None,
              names: dict[str, dict[str, str]] | None = None) -> list[Proposal]:
    """Proposals for the classes of ``[today, today + days)`` whose trainer is away.

    ``dated`` should hold every class of the weeks those days touch (not only the
    affected ones): the validator checks each proposal against the whole week."""
    planner = _Planner(instance, dated, leave, closures or set(), today,
                       demand or demand_for(instance, settings=settings), settings,
                       names or {})
    until = today + timedelta(days=days)
    affected: dict[str, tuple[DatedClass, Leave]] = {}
    for d in sorted(dated, key=lambda d: (d.on, d.cls.start)):
        absence = planner.away(d.cls.trainer, d.on)
        if today <= d.on < until and absence is not None:
            affected[d.session_id] = (d, absence)
    proposals = []
    for d, absence in affected.values():
        proposal = planner.propose(d, absence)
        kept = planner.weeks[_monday(d.on)].classes.get(d.session_id)
        proposal.violations = planner.check(_monday(d.on), d.session_id, kept[0], kept[1]
                                            ) if kept else []
        proposals.append(proposal)
    return proposals


def by_week(dated: list[DatedClass]) -> dict[date, list[DatedClass]]:
    out: dict[date, list[DatedClass]] = defaultdict(list)
    for d in dated:
        out[_monday(d.on)].append(d)
    return out
