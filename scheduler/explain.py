"""Why a week cannot be planned, in plain words.

Two layers: cheap pre-solve checks (a class type nobody may teach, a pinned class that
breaks a single-class rule, more required hours than qualified trainers can give), then,
if CP-SAT still proves infeasibility, the assumption-literal model: every rule group is
switched by a literal, CP-SAT returns a sufficient subset
(``sufficient_assumptions_for_infeasibility``) and a deletion pass shrinks it to a small
set a manager can act on.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.model import ModelContext, build_model
from scheduler.options import OptionSet
from scheduler.schemas import ClassType, PinnedClass
from scheduler.studio import Studio, inside_any
from scheduler.timegrid import DAY_INDEX, to_minutes


def _why_no_options(studio: Studio, ctype: ClassType) -> str:
    rooms = [r.id for r in studio.rooms.values() if studio.room_fits(ctype, r)]
    trainers = [t.id for t in studio.trainers.values() if studio.qualified(ctype, t)]
    head = f"{ctype.id} needs {ctype.min_sessions} sessions but cannot run at all: "
    if not rooms:
        return head + (f"no room has features {sorted(ctype.required_features)} and "
                       f"capacity >= {ctype.min_capacity}")
    if not trainers:
        return head + f"no trainer has qualification {ctype.qualification!r}"
    longest = max((e - s for spans in studio.opening.values() for s, e in spans), default=0)
    if longest < ctype.duration_min:
        return head + f"it lasts {ctype.duration_min} min, the longest opening is {longest} min"
    return head + (f"its qualified trainers ({', '.join(trainers)}) are never available for "
                   f"{ctype.duration_min} min while the studio is open and a fitting room "
                   f"({', '.join(rooms)}) is free")


def _teachable_minutes(studio: Studio, trainer: str) -> int:
    """Minutes a trainer is both available and the studio open, capped by max hours."""
    total = 0
    for day, spans in studio.availability[trainer].items():
        for s, e in spans:
            for os_, oe in studio.opening.get(day, []):
                total += max(0, min(e, oe) - max(s, os_))
    return min(total, studio.max_minutes[trainer])


def _why_pin_breaks(studio: Studio, pin: PinnedClass) -> str:
    ctype, room = studio.class_types[pin.class_type], studio.rooms[pin.room]
    trainer = studio.trainers[pin.trainer]
    day, start = DAY_INDEX[pin.day], to_minutes(pin.start)
    end = start + ctype.duration_min
    reasons = [why for bad, why in (
        (start % studio.slot != 0, f"start is off the {studio.slot}-min grid"),
        (not inside_any(studio.opening.get(day, []), start, end), "the studio is closed then"),
        (not studio.room_fits(ctype, room), f"room {room.id} does not fit the class"),
        (not studio.room_open(room.id, day, start, end), f"room {room.id} is closed then"),
        (not studio.qualified(ctype, trainer),
         f"{trainer.id} lacks qualification {ctype.qualification!r}"),
        (not studio.trainer_available(trainer.id, day, start, end),
         f"{trainer.id} is not available then"),
        (ctype.max_sessions == 0, f"{ctype.id} has max_sessions 0"),
    ) if bad]
    return (f"pinned {pin.class_type} on {pin.day} {pin.start} in {pin.room} with "
            f"{pin.trainer} breaks a rule: {'; '.join(reasons) or 'unknown'}")


def precheck(studio: Studio, options: OptionSet) -> list[str]:
    """Conflicts found without a solver; [] means 'let CP-SAT decide'."""
    problems = []
    for ctype in studio.class_types.values():
        if ctype.min_sessions > 0 and not options.by_type.get(ctype.id):
            problems.append(_why_no_options(studio, ctype))
    for pin, idx in zip(studio.instance.pinned, options.pinned, strict=True):
        if idx is None:
            problems.append(_why_pin_breaks(studio, pin))
    by_qual: dict[str, list[ClassType]] = defaultdict(list)
    for ctype in studio.class_types.values():
        if ctype.qualification and ctype.min_sessions:
            by_qual[ctype.qualification].append(ctype)
    for qual, types in sorted(by_qual.items()):
        need = sum(c.min_sessions * c.duration_min for c in types)
        who = [t.id for t in studio.trainers.values() if qual in t.qualifications]
        can = sum(_teachable_minutes(studio, t) for t in who)
        if 0 < can < need:
            problems.append(
                f"classes needing {qual!r} ({', '.join(c.id for c in types)}) need at least "
                f"{need / 60:g} h a week, but the qualified trainers ({', '.join(who)}) can "
                f"teach at most {can / 60:g} h within their availability and max hours")
    return problems


def _context(studio: Studio, kind: str, subject: str) -> str:
    if kind == "min_sessions":
        ctype = studio.class_types[subject]
        who = [t.id for t in studio.trainers.values() if studio.qualified(ctype, t)]
        rooms = [r.id for r in studio.rooms.values() if studio.room_fits(ctype, r)]
        return f" (qualified trainers: {', '.join(who)}; fitting rooms: {', '.join(rooms)})"
    if kind == "trainer_hours":
        return f" (available {_teachable_minutes(studio, subject) / 60:g} h while open)"
    return ""


def _infeasible(ctx: ModelContext, lits: list[cp_model.IntVar], time_s: float
                ) -> tuple[bool, list[int]]:
    """Solve under ``lits`` as assumptions; (proved infeasible, sufficient literal indexes)."""
    ctx.model.clear_assumptions()
    ctx.model.add_assumptions(lits)
    solver = cp_model.CpSolver()  # type: ignore[no-untyped-call]
    solver.parameters.num_workers = 1  # assumptions-based cores need the sequential search
    # Guarded (enforced) linear rules only reach the LP at level 2; counting conflicts
    # (7 days x 4 classes < 29 sessions) are then proved at once instead of timing out
    # (measured: 0.08 s vs no proof in 2.5 s).
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = max(time_s, 0.05)
    if solver.status_name(solver.solve(ctx.model)) != "INFEASIBLE":
        return False, []
    return True, list(solver.sufficient_assumptions_for_infeasibility())


def explain_infeasible(studio: Studio, options: OptionSet, time_s: float = 5.0) -> list[str]:
    """A small set of rules that cannot hold together, in plain words (first line: summary)."""
    deadline = time.perf_counter() + time_s
    ctx = build_model(studio, options, explain=True)
    by_index = {lit.Index(): lit for lit in ctx.literals}
    proved, core = _infeasible(ctx, ctx.literals, time_s / 2)
    if not proved:
        return ["no timetable meets every hard rule, but the conflicting rules could not be "
                f"isolated within {time_s:g} s; relax min sessions or widen availability"]
    if not core:
        return ["no timetable meets the rooms' and trainers' no-double-booking rules with the "
                "pinned classes and sessions as given"]
    kept = list(core)
    for idx in list(core):  # deletion filter: drop a rule if the rest still conflicts
        if len(kept) == 1 or time.perf_counter() > deadline:
            break
        if idx not in kept:
            continue
        trial = [i for i in kept if i != idx]
        still, smaller = _infeasible(ctx, [by_index[i] for i in trial],
                                     min(1.0, deadline - time.perf_counter()))
        if still:
            kept = [i for i in trial if not smaller or i in smaller]
    lines = [f"No timetable satisfies these {len(kept)} rules together; relax one of them:"]
    for i in kept:
        kind, subject, words = ctx.groups[i]
        lines.append(f"- {words}{_context(studio, kind, subject)}")
    return lines
