"""The manager-style greedy timetable: the baseline the optimiser must beat.

What a studio manager does by hand in a Mindbody/Glofox grid: keep the pinned classes,
give every class type its minimum number of sessions (hardest-to-staff types first, each
in the best free slot), then keep filling the most popular free slots until the week or
the session caps are full. It uses the same predictions and rules as the optimiser, so the
measured ratio is about the search, not about different information.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from scheduler.options import Option, OptionSet
from scheduler.studio import Studio


class Board:
    """Who is busy when; ``fits`` enforces exactly the solver's coupled hard rules."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.room_busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self.trainer_busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self.minutes: Counter[str] = Counter()
        self.count: Counter[str] = Counter()
        self.per_day: Counter[tuple[str, int]] = Counter()

    def fits(self, o: Option) -> bool:
        s = self.studio
        if self.count[o.class_type] >= s.class_types[o.class_type].max_sessions:
            return False
        if self.minutes[o.trainer] + o.duration > s.max_minutes[o.trainer]:
            return False
        if s.day_cap is not None and self.per_day[(o.trainer, o.day)] >= s.day_cap:
            return False
        if any(o.start < e and b < o.end for b, e in self.room_busy[(o.room, o.day)]):
            return False
        gap = s.changeover
        return not any(o.start < e + gap and b < o.end + gap
                       for b, e in self.trainer_busy[(o.trainer, o.day)])

    def place(self, o: Option) -> None:
        self.room_busy[(o.room, o.day)].append((o.start, o.end))
        self.trainer_busy[(o.trainer, o.day)].append((o.start, o.end))
        self.minutes[o.trainer] += o.duration
        self.count[o.class_type] += 1
        self.per_day[(o.trainer, o.day)] += 1


def board_with_pins(studio: Studio, options: OptionSet) -> tuple[Board, list[int]]:
    """A board holding the pinned classes that fit, and their option indexes: every
    constructive timetable (greedy, manager's draft) starts from the pins."""
    board = Board(studio)
    chosen: list[int] = []
    for idx in options.pinned:
        if idx is not None and board.fits(options.options[idx]):
            board.place(options.options[idx])
            chosen.append(idx)
    return board, chosen


def greedy_schedule(studio: Studio, options: OptionSet) -> list[int]:
    """Option indexes of the greedy timetable (may miss minimums: it does not backtrack)."""
    board, chosen = board_with_pins(studio, options)
    by_value = sorted(range(len(options)), key=lambda i: -options.options[i].value)
    ranked_by_type: dict[str, list[int]] = defaultdict(list)
    for i in by_value:
        ranked_by_type[options.options[i].class_type].append(i)
    hardest_first = sorted(studio.class_types.values(),
                           key=lambda c: len(options.by_type.get(c.id, [])))
    for ctype in hardest_first:
        for i in ranked_by_type[ctype.id]:
            if board.count[ctype.id] >= ctype.min_sessions:
                break
            if board.fits(options.options[i]):
                board.place(options.options[i])
                chosen.append(i)
    taken = set(chosen)
    for i in by_value:
        if i not in taken and options.options[i].value > 0 and board.fits(options.options[i]):
            board.place(options.options[i])
            chosen.append(i)
    return chosen
