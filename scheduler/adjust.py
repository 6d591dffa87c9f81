"""Timetable adjustment suggestions from recent attendance, each with its evidence.

Rules (issue 7): a class under 40 % of capacity over the last N weeks should move or be
reduced; a class that sold out or had a waitlist in most recent weeks should get another
session. Where possible a concrete free slot is proposed, ranked by predicted attendance,
using the same hard rules as the optimiser (the greedy board).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from pydantic import BaseModel

from scheduler.config import SchedulerSettings
from scheduler.demand import DemandPredictor, demand_for
from scheduler.greedy import Board
from scheduler.history import ClassRecord
from scheduler.options import Option, build_options
from scheduler.schemas import Instance, ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, to_minutes


class Evidence(BaseModel):
    weeks: list[int]
    capacity: int
    booked: list[int]
    waitlisted: list[int]
    attended: list[int]
    mean_utilisation: float
    sold_out_weeks: int


class Suggestion(BaseModel):
    kind: Literal["move_or_reduce", "add_session"]
    class_type: str
    day: str
    start: str
    room: str
    trainer: str
    message: str
    evidence: Evidence
    proposed: ScheduledClass | None = None


def _evidence(rows: list[ClassRecord]) -> Evidence:
    rows = sorted(rows, key=lambda r: r.week)
    util = [r.attended / r.capacity for r in rows]
    return Evidence(
        weeks=[r.week for r in rows], capacity=rows[-1].capacity,
        booked=[r.booked for r in rows], waitlisted=[r.waitlisted for r in rows],
        attended=[r.attended for r in rows], mean_utilisation=round(sum(util) / len(util), 3),
        sold_out_weeks=sum(1 for r in rows if r.booked >= r.capacity or r.waitlisted > 0))


def _best_free(board: Board, candidates: list[Option], ignore_max: bool) -> Option | None:
    for o in sorted(candidates, key=lambda o: -o.attendance):
        if ignore_max:
            board.count[o.class_type] -= 10**6
        ok = board.fits(o)
        if ignore_max:
            board.count[o.class_type] += 10**6
        if ok:
            return o
    return None


def suggest_adjustments(
    instance: Instance, schedule: list[ScheduledClass], history: list[ClassRecord], *,
    demand: DemandPredictor | None = None, settings: SchedulerSettings | None = None,
    weeks: int | None = None,
) -> list[Suggestion]:
    """Suggestions for the classes of ``schedule`` that have history in the last N weeks."""
    studio = Studio.build(instance, settings)
    cfg = studio.settings.adjust
    weeks = weeks or cfg.lookback_weeks
    if not history:
        return []
    newest = max(r.week for r in history)
    recent: dict[tuple[str, int, int], list[ClassRecord]] = defaultdict(list)
    for r in history:
        if r.week > newest - weeks:
            recent[r.slot].append(r)
    options = build_options(studio, demand or demand_for(instance, history, studio.settings))
    out: list[Suggestion] = []
    for c in schedule:
        rows = recent.get((c.class_type, DAY_INDEX[c.day], to_minutes(c.start)))
        if not rows:
            continue
        ev = _evidence(rows)
        others = [o for o in schedule if o is not c]
        board = Board(studio)
        for o in others:
            idx = options.index_of(o)
            if idx is not None:
                board.place(options.options[idx])
        same_type = [options.options[i] for i in options.by_type.get(c.class_type, [])]
        if ev.mean_utilisation < cfg.under_utilised_fraction:
            better = _best_free(board, [o for o in same_type if o.attendance > (
                ev.mean_utilisation * ev.capacity)], ignore_max=False)
            out.append(Suggestion(
                kind="move_or_reduce", class_type=c.class_type, day=c.day, start=c.start,
                room=c.room, trainer=c.trainer, evidence=ev, proposed=better.to_class()
                if better else None,
                message=f"{c.class_type} {c.day} {c.start} filled {ev.mean_utilisation:.0%} of "
                        f"{ev.capacity} places over {len(rows)} weeks (< "
                        f"{cfg.under_utilised_fraction:.0%}): "
                        + (f"move to {better.to_class().day} {better.to_class().start} "
                           f"(predicted {better.attendance:.1f})" if better else
                           "reduce or drop it")))
        elif ev.sold_out_weeks >= cfg.sold_out_share * len(rows):
            own = options.index_of(c)
            if own is not None:
                board.place(options.options[own])
            extra = _best_free(board, same_type, ignore_max=True)
            limit = studio.class_types[c.class_type].max_sessions
            at_max = sum(1 for o in schedule if o.class_type == c.class_type) >= limit
            out.append(Suggestion(
                kind="add_session", class_type=c.class_type, day=c.day, start=c.start,
                room=c.room, trainer=c.trainer, evidence=ev,
                proposed=extra.to_class() if extra else None,
                message=f"{c.class_type} {c.day} {c.start} sold out or waitlisted in "
                        f"{ev.sold_out_weeks} of {len(rows)} weeks (mean waitlist "
                        f"{sum(ev.waitlisted) / len(rows):.1f}): add a session"
                        + (f" e.g. {extra.to_class().day} {extra.to_class().start} in "
                           f"{extra.room} with {extra.trainer}" if extra else "")
                        + (f" (raise max_sessions {limit} first)" if at_max else "")))
    return out
