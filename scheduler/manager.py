"""The manager's draft: how a studio timetable is made by hand today, as a baseline.

A manager in a Mindbody/Glofox grid does not consult a demand model or weigh every
(slot, room, trainer) option. They keep a fixed weekly grid of the usual popular times
(before work, late morning, lunch, after work; weekend mornings), go through the class
types in the order of their catalogue, spread each type's sessions over the week, and for
each session take the first grid time on that day where a fitting room is free and a
qualified trainer can teach it -- the first such room and trainer in their lists. This is
that procedure, with the studio's hard rules (the greedy ``Board``), so the optimiser's
margin over it is a measure of what the product adds to current practice.

``scheduler.greedy`` is the other baseline: it *does* use the demand predictions and tries
every option, so the margin over it isolates the value of the search alone.
"""

from __future__ import annotations

from scheduler.greedy import board_with_pins
from scheduler.options import OptionSet
from scheduler.studio import Studio
from scheduler.timegrid import to_minutes

WEEKEND = (5, 6)


def _grid(studio: Studio, day: int) -> list[int]:
    """The template's start times on ``day``, then every full hour as the fall-back a manager
    uses once the usual times are taken."""
    cfg = studio.settings.manager
    times = cfg.weekend_times if day in WEEKEND else cfg.weekday_times
    first = [to_minutes(t) for t in times]
    spans = studio.opening.get(day, [])
    hours = [h for s, e in spans for h in range(-(-s // 60) * 60, e, 60) if h not in first]
    return first + hours


def manager_schedule(studio: Studio, options: OptionSet) -> list[int]:
    """Option indexes of the hand-made week: pins, then every class type's minimum, then
    each type up to its maximum. Demand plays no part in any choice."""
    board, chosen = board_with_pins(studio, options)
    days = studio.open_days
    grids = {d: _grid(studio, d) for d in days}
    # The manager's lists of rooms and trainers, in the studio's own order.
    room_rank = {r: k for k, r in enumerate(studio.rooms)}
    trainer_rank = {t: k for k, t in enumerate(studio.trainers)}
    at: dict[tuple[str, int, int], list[int]] = {}
    for i, o in enumerate(options.options):
        at.setdefault((o.class_type, o.day, o.start), []).append(i)
    for members in at.values():
        members.sort(key=lambda i: (room_rank[options.options[i].room],
                                trainer_rank[options.options[i].trainer]))
    types = [c for c in studio.class_types.values() if options.by_type.get(c.id)]
    next_day = {c.id: k % max(len(days), 1) for k, c in enumerate(types)}

    def place_one(type_id: str) -> bool:
        """The next session of a type: days in rotation from where the last one went."""
        for step in range(len(days)):
            day = days[(next_day[type_id] + step) % len(days)]
            for start in grids[day]:
                for idx in at.get((type_id, day, start), []):  # first room, first trainer
                    if board.fits(options.options[idx]):
                        board.place(options.options[idx])
                        chosen.append(idx)
                        next_day[type_id] = (days.index(day) + 1) % len(days)
                        return True
        return False

    for target in ("min_sessions", "max_sessions"):
        for ctype in types:
            while board.count[ctype.id] < getattr(ctype, target):
                if not place_one(ctype.id):
                    break
    return chosen
