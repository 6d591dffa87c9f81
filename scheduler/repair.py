"""Minimal-change repair of a published timetable after a trainer drops out or a room closes.

The change is applied to the instance (availability cut, room closure), then CP-SAT first
minimises the change cost against the published week (same class and time with another
trainer or room 1, dropped class 2, class at a new time 1) and then, holding that cost,
maximises attendance and revenue. Every class the change hit gets a list of substitutes
(free qualified trainers, free fitting rooms), ranked by predicted attendance, with the
one the repair chose.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from scheduler.config import SchedulerSettings
from scheduler.demand import DemandPredictor, demand_for
from scheduler.diff import ClassChange, diff_schedules
from scheduler.explain import explain_infeasible, precheck
from scheduler.model import build_model, change_expr, value_expr
from scheduler.options import OptionSet, build_options
from scheduler.schemas import Day, Instance, Schedule, ScheduledClass, Violation, Window
from scheduler.solve import to_classes
from scheduler.stage import run_stage
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, DAYS, to_hhmm, to_minutes
from scheduler.validation import validate_schedule


class TrainerUnavailable(BaseModel):
    kind: Literal["trainer_unavailable"] = "trainer_unavailable"
    trainer: str
    day: Day | None = Field(None, description="None = the whole week")
    start: str = "00:00"
    end: str = "24:00"


class RoomClosed(BaseModel):
    kind: Literal["room_closed"] = "room_closed"
    room: str
    day: Day | None = Field(None, description="None = the whole week")
    start: str = "00:00"
    end: str = "24:00"


Change = Annotated[TrainerUnavailable | RoomClosed, Field(discriminator="kind")]


class Substitute(BaseModel):
    affected: ScheduledClass
    trainers: list[str] = Field(description="free qualified trainers, best first")
    rooms: list[str] = Field(description="free fitting rooms, best first")
    chosen: ScheduledClass | None


class RepairResult(BaseModel):
    status: str
    classes: list[ScheduledClass]
    changes: list[ClassChange]
    change_cost: float | None
    objective: float | None
    substitutes: list[Substitute]
    notes: list[str]
    violations: list[Violation]
    explanation: list[str]


def _cut(windows: list[Window], day: str, start: int, end: int) -> list[Window]:
    """Availability windows minus [start, end) on ``day``."""
    out = []
    for w in windows:
        ws, we = to_minutes(w.start), to_minutes(w.end)
        if w.day != day or we <= start or end <= ws:
            out.append(w)
            continue
        for s, e in ((ws, start), (end, we)):
            if e > s:
                out.append(Window(day=w.day, start=to_hhmm(s), end=to_hhmm(e)))
    return out


def apply_change(instance: Instance, change: Change) -> Instance:
    """A copy of ``instance`` with the change applied (the input is not modified)."""
    new = instance.model_copy(deep=True)
    days = [change.day] if change.day else list(DAYS)
    start, end = to_minutes(change.start), to_minutes(change.end)
    if isinstance(change, TrainerUnavailable):
        for t in new.trainers:
            if t.id == change.trainer:
                for d in days:
                    t.availability = _cut(t.availability, d, start, end)
    else:
        for r in new.rooms:
            if r.id == change.room:
                r.closed += [Window(day=d, start=change.start, end=change.end)  # type: ignore[arg-type]
                             for d in days]
    return new


def _substitutes(studio: Studio, options: OptionSet, hit: ScheduledClass,
                 new: list[ScheduledClass]) -> tuple[list[str], list[str]]:
    """Trainers and rooms that could take ``hit`` as is, given the repaired week."""
    day, start = DAY_INDEX[hit.day], to_minutes(hit.start)
    gap = studio.changeover
    busy = [c for c in new if c.day == hit.day]
    rank: dict[str, float] = {}
    rooms: dict[str, float] = {}
    for i in options.by_type_day.get((hit.class_type, day), []):
        o = options.options[i]
        if o.start != start:
            continue
        t_free = not any(c.trainer == o.trainer and to_minutes(c.start) < o.end + gap
                         and o.start < to_minutes(c.end) + gap for c in busy)
        r_free = not any(c.room == o.room and to_minutes(c.start) < o.end
                         and o.start < to_minutes(c.end) for c in busy)
        if t_free and o.room == hit.room:
            rank[o.trainer] = max(rank.get(o.trainer, 0.0), o.attendance)
        if r_free and o.trainer == hit.trainer:
            rooms[o.room] = max(rooms.get(o.room, 0.0), o.attendance)
    return (sorted(rank, key=lambda t: -rank[t]), sorted(rooms, key=lambda r: -rooms[r]))


def repair(instance: Instance, published: Schedule, change: Change, *,
           demand: DemandPredictor | None = None, time_limit_s: float = 10.0,
           workers: int | None = None, seed: int | None = None,
           settings: SchedulerSettings | None = None) -> RepairResult:
    """Re-plan with as few changes as possible after ``change``; list changes and substitutes."""
    started = time.perf_counter()
    changed = apply_change(instance, change)
    studio = Studio.build(changed, settings)
    options = build_options(studio, demand or demand_for(changed, settings=studio.settings))
    notes = []
    keep_pins = [p for p, i in zip(changed.pinned, options.pinned, strict=True) if i is not None]
    if len(keep_pins) < len(changed.pinned):
        notes.append(f"{len(changed.pinned) - len(keep_pins)} pinned class(es) hit by the change "
                     "were unpinned so they can be repaired")
        changed = changed.model_copy(update={"pinned": keep_pins})
        studio = Studio.build(changed, settings)
        options.pinned = [i for i in options.pinned if i is not None]
    cfg = studio.settings.solver
    workers, seed = workers or cfg.workers, cfg.seed if seed is None else seed
    old = list(published.classes)
    hit = [c for c in old if options.index_of(c) is None]

    def failed(status: str, why: list[str]) -> RepairResult:
        return RepairResult(status=status, classes=[], changes=[], change_cost=None,
                            objective=None, substitutes=[], notes=notes, violations=[],
                            explanation=why)

    problems = precheck(studio, options)
    if problems:
        return failed("INFEASIBLE", problems)
    ctx = build_model(studio, options)
    hint = [i for i in (options.index_of(c) for c in old) if i is not None]
    cost = change_expr(ctx, old)
    first = run_stage(ctx, "fewest_changes", cost, maximize=False, time_s=time_limit_s / 2,
                      workers=workers, seed=seed, hint=hint)
    if first.chosen is None or first.objective is None:
        if first.status == "INFEASIBLE":
            return failed("INFEASIBLE", explain_infeasible(studio, options, cfg.explain_time_s))
        return failed(first.status, [f"no repair found within {time_limit_s:g} s"])
    ctx.model.add(cost <= first.objective)
    left = max(time_limit_s - (time.perf_counter() - started), 0.1)
    second = run_stage(ctx, "attendance_revenue", value_expr(ctx), maximize=True, time_s=left,
                       workers=workers, seed=seed, hint=first.chosen)
    chosen = second.chosen if second.chosen is not None else first.chosen
    classes = to_classes(options, chosen)
    diff = diff_schedules(old, classes)
    subs = []
    for c in hit:
        chosen_for = next((ch.after for ch in diff.changes if ch.before == c), None)
        others = [k for k in classes if k != chosen_for]  # the slot the replacement fills
        trainers, rooms = _substitutes(studio, options, c, others)
        subs.append(Substitute(affected=c, trainers=trainers, rooms=rooms, chosen=chosen_for))
    return RepairResult(
        status=first.status, classes=classes, changes=diff.changes,
        change_cost=float(first.objective),
        objective=sum(options.options[i].value for i in chosen) / cfg.scale,
        substitutes=subs, notes=notes,
        violations=validate_schedule(changed, Schedule(classes=classes), studio.settings),
        explanation=[])
