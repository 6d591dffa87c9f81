"""The week's shape: which split, which days, and the movement-pattern slots of each session.

A split follows training frequency and level (acsm2009: full body for 1-3 days, upper/lower
at 4, push/pull/legs for 5-6 days of trained lifters). Days are spread over the week so the
same muscle rarely meets itself within 48 h; the optimizer enforces that rule exactly.
Slots name patterns, not exercises: the optimizer fills them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

UPPER_MUSCLES = ("chest", "shoulders", "lats", "middle back", "biceps", "triceps", "traps",
                 "forearms")
LOWER_MUSCLES = ("quadriceps", "hamstrings", "glutes", "calves", "adductors", "abductors",
                 "lower back")
PUSH_MUSCLES = ("chest", "shoulders", "triceps")
PULL_MUSCLES = ("lats", "middle back", "biceps", "traps", "forearms", "shoulders")
CONDITIONING_GOALS = ("fat_loss", "endurance")

# ISO weekdays per sessions-per-week: hard days never back to back where a rest day fits.
WEEKDAYS: dict[int, tuple[int, ...]] = {
    1: (1,), 2: (1, 4), 3: (1, 3, 5), 4: (1, 2, 4, 5), 5: (1, 2, 4, 5, 6),
    6: (1, 2, 3, 4, 5, 6), 7: (1, 2, 3, 4, 5, 6, 7),
}


@dataclass(frozen=True)
class Slot:
    """One place in a session: patterns it accepts and how it is dosed."""

    name: str
    patterns: tuple[str, ...]
    main: bool = False
    required: bool = False
    muscles: tuple[str, ...] = ()   # isolation slots: prime movers allowed
    count: int = 1                  # how many exercises the slot may take
    role: str | None = None         # cardio slots: "steady" or "intervals"
    categories: tuple[str, ...] = ()  # cardio slots: dataset categories allowed


@dataclass(frozen=True)
class SessionSpec:
    index: int
    day: int
    focus: str
    slots: tuple[Slot, ...]
    in_class: bool = False          # a studio class: no items, zones to aim for


@dataclass(frozen=True)
class WeekLayout:
    split: str
    sessions: tuple[SessionSpec, ...]
    notes: tuple[str, ...] = ()


_H_PUSH, _V_PUSH = ("horizontal_push",), ("vertical_push",)
_H_PULL, _V_PULL = ("horizontal_pull",), ("vertical_pull",)
_PUSH = _H_PUSH + _V_PUSH
_PULL = _H_PULL + _V_PULL


def _iso(n: int, muscles: tuple[str, ...]) -> tuple[Slot, ...]:
    """One multi-pick slot rather than n identical ones: no symmetric copies for the solver."""
    return (Slot("isolation", ("isolation",), muscles=muscles, count=n),)


def _slots(focus: str) -> tuple[Slot, ...]:
    core = Slot("core", ("core",))
    if focus == "full_body":
        return (Slot("squat", ("squat", "lunge"), main=True, required=True),
                Slot("push", _PUSH, main=True, required=True),
                Slot("hinge", ("hinge",), required=True),
                Slot("pull", _PULL, required=True),
                Slot("push_2", _PUSH), Slot("pull_2", _PULL),
                *_iso(2, UPPER_MUSCLES + LOWER_MUSCLES), core)
    if focus == "upper":
        return (Slot("horizontal_push", _H_PUSH, main=True, required=True),
                Slot("horizontal_pull", _H_PULL, main=True, required=True),
                Slot("vertical_push", _V_PUSH, required=True),
                Slot("vertical_pull", _V_PULL, required=True),
                *_iso(3, UPPER_MUSCLES), core)
    if focus in ("lower", "legs"):
        return (Slot("squat", ("squat",), main=True, required=True),
                Slot("hinge", ("hinge",), main=True, required=True),
                Slot("lunge", ("lunge",)), *_iso(2, LOWER_MUSCLES), core)
    if focus == "push":
        return (Slot("horizontal_push", _H_PUSH, main=True, required=True),
                Slot("vertical_push", _V_PUSH, main=True, required=True),
                Slot("push_2", _PUSH), *_iso(3, PUSH_MUSCLES))
    if focus == "pull":
        return (Slot("vertical_pull", _V_PULL, main=True, required=True),
                Slot("horizontal_pull", _H_PULL, main=True, required=True),
                Slot("pull_2", _PULL), *_iso(2, PULL_MUSCLES), core)
    if focus == "conditioning":  # role and categories are set per session (week_layout)
        return (Slot("cardio", ("conditioning",), required=True),
                Slot("carry", ("carry",)), core)
    raise ValueError(f"unknown session focus {focus!r}")


def _focuses(days: int, level: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if days <= 3:
        notes = ("one session a week: each muscle is trained once, below the twice-weekly "
                 "guidance (schoenfeld2016)",) if days == 1 else ()
        return "full_body", ("full_body",) * days, notes
    if days == 4:
        return "upper_lower", ("upper", "lower", "upper", "lower"), ()
    extra = days - 4
    if level == "beginner":
        notes = (f"beginner training {days} days: 4 strength sessions (acsm2009 suggests 2-3 "
                 f"for novices) plus {extra} conditioning",)
        seq = ("upper", "lower", "conditioning", "upper", "lower", "conditioning",
               "conditioning")
        return "upper_lower", seq[:days], notes
    if days == 5:
        return "push_pull_legs", ("upper", "lower", "push", "pull", "legs"), ()
    base = ("push", "pull", "legs", "push", "pull", "legs")
    if days == 7:
        return "push_pull_legs", base + ("conditioning",), (
            "7 days: the seventh is a light conditioning session",)
    return "push_pull_legs", base, ()


def _conditioning_first(days: int) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Endurance or fat loss ranked first: cardio sessions between strength days, two or
    three strength days for the resistance minimums (garber2011: 2-3 d/wk resistance,
    most days aerobic)."""
    if days <= 2:
        return "full_body", ("full_body",) * days, (
            f"{days} day(s) a week: cardio comes as a block inside each session; add a "
            "cardio day for the weekly aerobic volume (garber2011)",)
    if days <= 5:
        full: tuple[str, ...] = ("full_body", "conditioning", "full_body", "conditioning",
                                 "full_body")
        return "full_body", full[:days], ()
    halves = ("upper", "lower", "conditioning", "upper", "lower", "conditioning", "conditioning")
    return "upper_lower", halves[:days], ()


def _spread(count: int, taken: set[int]) -> tuple[int, ...]:
    """``count`` weekdays outside ``taken`` as evenly spread as the week allows."""
    from itertools import combinations

    free = [d for d in range(1, 8) if d not in taken]
    best: tuple[int, ...] = tuple(free[:count])
    best_gap = -1
    for combo in combinations(free, count):
        gaps = [(combo[(i + 1) % count] - combo[i]) % 7 or 7 for i in range(count)]
        if min(gaps) > best_gap:
            best, best_gap = combo, min(gaps)
    return best


def _days(focuses: tuple[str, ...], class_days: Sequence[int]) -> tuple[int, ...]:
    """Weekdays per session: the usual spread, or conditioning on the member's class days
    with the strength days spread around them."""
    cond = [i for i, f in enumerate(focuses) if f == "conditioning"]
    if not class_days or not cond:
        return WEEKDAYS[len(focuses)]
    chosen = list(class_days)[:len(cond)]
    strength = _spread(len(focuses) - len(cond), set(chosen)) if len(focuses) > len(cond) \
        else ()
    rest = [d for d in range(1, 8) if d not in set(chosen) | set(strength)]
    chosen += rest[:len(cond) - len(chosen)]
    days = [0] * len(focuses)
    for i, d in zip(cond, chosen, strict=True):
        days[i] = d
    for i, d in zip([i for i in range(len(focuses)) if i not in cond], strength, strict=True):
        days[i] = d
    return tuple(days)


def _cardio_slot(occurrence: int, level: str) -> Slot:
    """Steady and interval days alternate; beginners start steady (garber2011), trained
    members with intervals (helgerud2007)."""
    steady = occurrence % 2 == (0 if level == "beginner" else 1)
    return Slot("cardio", ("conditioning",), required=True,
                role="steady" if steady else "intervals",
                categories=("cardio",) if steady else ())


def week_layout(days: int, level: str, goals: Sequence[str],
                class_days: Sequence[int] = ()) -> WeekLayout:
    """Sessions of one week for a frequency, level, ranked goals and studio class days."""
    if goals and goals[0] in CONDITIONING_GOALS:
        split, focuses, notes = _conditioning_first(days)
    else:
        split, focuses, notes = _focuses(days, level)
    wants_conditioning = any(g in CONDITIONING_GOALS for g in goals)
    weekdays = _days(focuses, class_days)
    sessions = []
    cardio_seen = 0
    for day, focus in zip(weekdays, focuses, strict=True):
        slots = _slots(focus)
        in_class = focus == "conditioning" and day in class_days
        if focus == "conditioning":
            slots = () if in_class else (_cardio_slot(cardio_seen, level), *slots[1:])
            cardio_seen += 1
        elif wants_conditioning and len(focuses) <= 2 and goals[0] in CONDITIONING_GOALS:
            block = _cardio_slot(0, level)  # the week's only cardio: a block, not a finisher
            slots = slots + (Slot("cardio", block.patterns, role=block.role,
                                  categories=block.categories),)
        elif wants_conditioning:
            slots = slots + (Slot("conditioning", ("conditioning",)),)
        sessions.append((day, focus, slots, in_class))
    sessions.sort(key=lambda s: s[0])
    specs = tuple(SessionSpec(i, day, focus, slots, in_class)
                  for i, (day, focus, slots, in_class) in enumerate(sessions))
    return WeekLayout(split, specs, notes)


def too_close(day_a: int, day_b: int, gap_hours: float) -> bool:
    """Whether two weekdays are closer than ``gap_hours`` (the week wraps Sunday->Monday)."""
    diff = abs(day_a - day_b) % 7
    return min(diff, 7 - diff) * 24 < gap_hours
