"""Timetable adjustment suggestions from recent attendance and members' class ratings,
each with its evidence.

Rules (issue 7): a class under 40 % of capacity over the last N weeks should move or be
reduced; a class that sold out or had a waitlist in most recent weeks should get another
session. Rules (issue 15, ``scheduler.feedback``): a class rated low by enough members,
many of whom say the time does not suit them, should move to a better time; one rated low
for other reasons is flagged for a look at the class itself. Where possible a concrete
free slot is proposed, ranked by predicted attendance, using the same hard rules as the
optimiser (the greedy board), with the predicted gain.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from pydantic import BaseModel

from scheduler.config import SchedulerSettings
from scheduler.demand import DemandPredictor, demand_for
from scheduler.feedback import FeedbackEvidence, Rating, headline, label, pool
from scheduler.feedback import evidence as rating_evidence
from scheduler.greedy import Board
from scheduler.history import ClassRecord
from scheduler.options import Option, OptionSet, build_options
from scheduler.schemas import Instance, ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, to_minutes

Names = dict[str, dict[str, str]]


class Evidence(BaseModel):
    weeks: list[int]
    capacity: int
    booked: list[int]
    waitlisted: list[int]
    attended: list[int]
    mean_utilisation: float
    sold_out_weeks: int


class Suggestion(BaseModel):
    kind: Literal["move_or_reduce", "add_session", "move_time", "review_class"]
    class_type: str
    day: str
    start: str
    room: str
    trainer: str
    message: str
    evidence: Evidence | None = None
    feedback: FeedbackEvidence | None = None
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


class _Context:
    """What every rule needs: options, the week on a board, names for the messages."""

    def __init__(self, studio: Studio, options: OptionSet, schedule: list[ScheduledClass],
                 names: Names) -> None:
        self.studio, self.options, self.schedule, self.names = studio, options, schedule, names

    def name(self, kind: str, key: str) -> str:
        return self.names.get(kind, {}).get(key, key)

    def board_without(self, c: ScheduledClass) -> Board:
        board = Board(self.studio)
        for o in self.schedule:
            if o is c:
                continue
            idx = self.options.index_of(o)
            if idx is not None:
                board.place(self.options.options[idx])
        return board

    def same_type(self, c: ScheduledClass) -> list[Option]:
        return [self.options.options[i] for i in self.options.by_type.get(c.class_type, [])]

    def predicted(self, c: ScheduledClass) -> float:
        idx = self.options.index_of(c)
        return self.options.options[idx].attendance if idx is not None else (
            c.predicted_attendance)


def _from_attendance(ctx: _Context, c: ScheduledClass, rows: list[ClassRecord]
                     ) -> Suggestion | None:
    cfg = ctx.studio.settings.adjust
    ev = _evidence(rows)
    board = ctx.board_without(c)
    same_type = ctx.same_type(c)
    where = label(DAY_INDEX[c.day], c.start, ctx.name("class_types", c.class_type))
    if ev.mean_utilisation < cfg.under_utilised_fraction:
        better = _best_free(board, [o for o in same_type if o.attendance > (
            ev.mean_utilisation * ev.capacity)], ignore_max=False)
        new = better.to_class() if better else None
        return Suggestion(
            kind="move_or_reduce", class_type=c.class_type, day=c.day, start=c.start,
            room=c.room, trainer=c.trainer, evidence=ev, proposed=new,
            message=f"{where}: filled {ev.mean_utilisation:.0%} of {ev.capacity} places over "
                    f"{len(rows)} weeks (< {cfg.under_utilised_fraction:.0%}): "
                    + (f"move to {new.day} {new.start} (predicted {new.predicted_attendance:.1f})"
                       if new else "reduce or drop it"))
    if ev.sold_out_weeks >= cfg.sold_out_share * len(rows):
        own = ctx.options.index_of(c)
        if own is not None:
            board.place(ctx.options.options[own])
        extra = _best_free(board, same_type, ignore_max=True)
        limit = ctx.studio.class_types[c.class_type].max_sessions
        at_max = sum(1 for o in ctx.schedule if o.class_type == c.class_type) >= limit
        new = extra.to_class() if extra else None
        return Suggestion(
            kind="add_session", class_type=c.class_type, day=c.day, start=c.start,
            room=c.room, trainer=c.trainer, evidence=ev, proposed=new,
            message=f"{where}: sold out or waitlisted in {ev.sold_out_weeks} of {len(rows)} "
                    f"weeks (mean waitlist {sum(ev.waitlisted) / len(rows):.1f}): add a session"
                    + (f", e.g. {new.day} {new.start} in {ctx.name('rooms', new.room)} with "
                       f"{ctx.name('trainers', new.trainer)}" if new else "")
                    + (f" (raise max_sessions {limit} first)" if at_max else ""))
    return None


def _from_ratings(ctx: _Context, c: ScheduledClass, rated: list[Rating],
                  rows: list[ClassRecord]) -> Suggestion | None:
    cfg = ctx.studio.settings.feedback
    ev = rating_evidence(rated)
    if ev.ratings < cfg.min_ratings or ev.mean_rating > cfg.low_rating:
        return None
    if rows:
        ev.capacity = rows[-1].capacity
        ev.booked = round(sum(r.booked for r in rows) / len(rows), 1)
        ev.fill = round(sum(r.booked / r.capacity for r in rows) / len(rows), 3)
    ev.predicted_now = round(ctx.predicted(c), 1)
    where = label(DAY_INDEX[c.day], c.start, ctx.name("class_types", c.class_type))
    common = dict(class_type=c.class_type, day=c.day, start=c.start, room=c.room,
                  trainer=c.trainer, feedback=ev)
    if ev.time_unsuitable < cfg.time_share * ev.ratings:
        return Suggestion(kind="review_class", **common,  # type: ignore[arg-type]
                          message=headline(where, ev) + " -> the time is not the main "
                          "complaint: read the comments with "
                          f"{ctx.name('trainers', c.trainer)} before moving it")
    board = ctx.board_without(c)
    here = (DAY_INDEX[c.day], to_minutes(c.start))
    better = _best_free(board, [o for o in ctx.same_type(c) if (o.day, o.start) != here],
                        ignore_max=False)
    if better is None:
        return Suggestion(kind="move_time", **common,  # type: ignore[arg-type]
                          message=headline(where, ev) + " -> move it, but no other time "
                          "is free this week: free a room or a trainer first")
    new = better.to_class()
    ev.predicted_new = round(better.attendance, 1)
    gain = ev.predicted_new - ev.predicted_now  # the shown numbers: the reader can check
    when = new.start if new.day == c.day else f"{new.day} {new.start}"
    effect = (f"{gain:+.0f} predicted" if abs(gain) >= 0.5 else
              f"about as many predicted ({better.attendance:.1f}), and it answers the "
              f"{ev.time_unsuitable} who asked for another time")
    return Suggestion(kind="move_time", proposed=new, **common,  # type: ignore[arg-type]
                      message=headline(where, ev) + f" -> move to {when}, {effect}")


def suggest_adjustments(
    instance: Instance, schedule: list[ScheduledClass], history: list[ClassRecord], *,
    ratings: list[Rating] | None = None, demand: DemandPredictor | None = None,
    settings: SchedulerSettings | None = None, weeks: int | None = None,
    names: Names | None = None,
) -> list[Suggestion]:
    """Suggestions for the classes of ``schedule`` with recent history or ratings. A class
    rated low gets the rating-based suggestion (it names the fill too) instead of the
    attendance one."""
    studio = Studio.build(instance, settings)
    cfg = studio.settings
    weeks = weeks or cfg.adjust.lookback_weeks
    ratings = ratings or []
    if not history and not ratings:
        return []
    newest = max([r.week for r in history] + [r.week for r in ratings])
    recent: dict[tuple[str, int, int], list[ClassRecord]] = defaultdict(list)
    for r in history:
        if r.week > newest - weeks:
            recent[r.slot].append(r)
    rated = pool(ratings, newest, cfg.feedback.lookback_weeks)
    options = build_options(studio, demand or demand_for(instance, history or None,
                                                         studio.settings))
    ctx = _Context(studio, options, schedule, names or {})
    out: list[Suggestion] = []
    for c in schedule:
        slot = (c.class_type, DAY_INDEX[c.day], to_minutes(c.start))
        rows = recent.get(slot, [])
        found = _from_ratings(ctx, c, rated[slot], rows) if rated.get(slot) else None
        if found is None and rows:
            found = _from_attendance(ctx, c, rows)
        if found is not None:
            out.append(found)
    return out
