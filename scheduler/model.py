"""The CP-SAT timetable model: one function per constraint family and per objective term.

Decision: one Boolean per candidate option (see ``options.py``). Coupling rules:
rooms and trainers never double-booked (optional intervals + NoOverlap, trainers' intervals
padded by the changeover gap), plus the same rules as time-indexed "at most one per slot"
cliques, which are exact because starts lie on the slot grid and give CP-SAT's LP a tight
bound (that is what makes the reported gap small). In ``explain`` mode each rule group is
guarded by an assumption literal so an infeasible core can be read back in plain words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ortools.sat.python import cp_model

from scheduler.options import OptionSet
from scheduler.schemas import ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, MINUTES_PER_DAY, to_minutes

# OR-Tools 9.9's stubs reject ``int - expression`` and sums of expressions, so linear
# expressions are typed loosely here; CP-SAT itself checks them when the model is built.
LinearExpr: TypeAlias = Any
_sum = cp_model.LinearExpr.sum
_wsum = cp_model.LinearExpr.weighted_sum


@dataclass
class ModelContext:
    model: cp_model.CpModel
    studio: Studio
    options: OptionSet
    x: list[cp_model.IntVar]
    explain: bool = False
    intervals: bool = True
    # assumption literal -> (rule kind, subject id, plain words)
    groups: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    literals: list[cp_model.IntVar] = field(default_factory=list)

    def guard(self, kind: str, subject: str, words: str) -> list[cp_model.IntVar]:
        """Enforcement literals for a rule group: one assumption in explain mode, else none."""
        if not self.explain:
            return []
        lit = self.model.new_bool_var(f"assume[{len(self.groups)}]")
        self.groups[lit.Index()] = (kind, subject, words)
        self.literals.append(lit)
        return [lit]


def add_linear(ctx: ModelContext, lits: list[cp_model.IntVar], coeffs: list[int], lo: int,
               hi: int, enforce: list[cp_model.IntVar] | None = None) -> None:
    """lo <= sum(coeffs * lits) <= hi, written straight into the proto: the generic
    expression API costs ~1 ms per constraint on long sums (profiled), too slow for LNS."""
    ct = ctx.model.proto.constraints.add()
    if enforce:
        ct.enforcement_literal.extend(v.Index() for v in enforce)
    ct.linear.vars.extend(v.Index() for v in lits)
    ct.linear.coeffs.extend(coeffs)
    ct.linear.domain.extend([lo, hi])


def _cliques(ctx: ModelContext, groups: dict[str, list[int]], pad: int,
             guards: dict[str, tuple[str, str, str]]) -> None:
    """At most one option per slot and group; slot k is covered by [start, end + pad)."""
    slot = ctx.studio.slot
    index = [v.Index() for v in ctx.x]
    for name, idx in groups.items():
        cover: dict[tuple[int, int], list[int]] = defaultdict(list)
        starts: set[tuple[int, int]] = set()
        for i in idx:
            o = ctx.options.options[i]
            starts.add((o.day, o.start // slot))
            for k in range(o.start // slot, -(-(o.end + pad) // slot)):
                cover[(o.day, k)].append(i)
        enforce = ctx.guard(*guards[name]) if name in guards else []
        for at in sorted(starts):  # maximal cliques of interval graphs begin at a start
            members = cover[at]
            if len(members) > 1:
                if enforce:
                    add_linear(ctx, [ctx.x[i] for i in members], [1] * len(members), 0, 1,
                               enforce)
                else:
                    ctx.model.proto.constraints.add().at_most_one.literals.extend(
                        [index[i] for i in members])


def _no_overlap(ctx: ModelContext, groups: dict[str, list[int]], pad: int) -> None:
    for name, idx in groups.items():
        intervals = []
        for i in idx:
            o = ctx.options.options[i]
            week_start = o.day * MINUTES_PER_DAY + o.start
            intervals.append(ctx.model.new_optional_fixed_size_interval_var(
                week_start, o.duration + pad, ctx.x[i], f"{name}[{i}]"))
        if len(intervals) > 1:
            ctx.model.add_no_overlap(intervals)


def add_room_no_overlap(ctx: ModelContext) -> None:
    """A room hosts one class at a time (physical: never an assumption)."""
    _cliques(ctx, ctx.options.by_room, 0, {})
    if ctx.intervals and not ctx.explain:
        _no_overlap(ctx, ctx.options.by_room, 0)


def add_trainer_no_overlap(ctx: ModelContext) -> None:
    """A trainer teaches one class at a time, with the changeover gap between classes."""
    gap = ctx.studio.changeover
    if ctx.explain:
        _cliques(ctx, ctx.options.by_trainer, 0, {})
        if gap:
            _cliques(ctx, ctx.options.by_trainer, gap,
                     {t: ("changeover", t, f"{t} needs {gap} min between classes")
                      for t in ctx.options.by_trainer})
        return
    _cliques(ctx, ctx.options.by_trainer, gap, {})
    if ctx.intervals:
        _no_overlap(ctx, ctx.options.by_trainer, gap)


def add_session_bounds(ctx: ModelContext) -> None:
    for ctype in ctx.studio.class_types.values():
        lits = [ctx.x[i] for i in ctx.options.by_type.get(ctype.id, [])]
        if ctype.min_sessions > 0:
            add_linear(ctx, lits, [1] * len(lits), ctype.min_sessions, len(lits) + 1, ctx.guard(
                "min_sessions", ctype.id,
                f"{ctype.id} must run at least {ctype.min_sessions} times a week"))
        pins = sum(1 for p in ctx.studio.instance.pinned if p.class_type == ctype.id)
        if ctype.max_sessions < len(ctx.options.by_type.get(ctype.id, [])):
            words = f"{ctype.id} may run at most {ctype.max_sessions} times a week"
            add_linear(ctx, lits, [1] * len(lits), 0, ctype.max_sessions,
                       ctx.guard("max_sessions", ctype.id, words) if pins else [])


def add_trainer_hours(ctx: ModelContext) -> None:
    for trainer, idx in ctx.options.by_trainer.items():
        cap = ctx.studio.max_minutes[trainer]
        minutes = [ctx.options.options[i].duration for i in idx]
        if sum(minutes) > cap:
            add_linear(ctx, [ctx.x[i] for i in idx], minutes, 0, cap, ctx.guard(
                "trainer_hours", trainer, f"{trainer} may teach at most {cap / 60:g} h a week"))


def add_trainer_day_cap(ctx: ModelContext) -> None:
    """At most ``max_classes_per_trainer_day`` classes per trainer and day (admin setting)."""
    cap = ctx.studio.day_cap
    if cap is None:
        return
    guards: dict[str, list[cp_model.IntVar]] = {}  # one assumption per trainer, all days
    for (trainer, _day), idx in ctx.options.by_trainer_day.items():
        if len(idx) > cap:
            if trainer not in guards:
                guards[trainer] = ctx.guard("trainer_day_cap", trainer,
                                            f"{trainer} may teach at most {cap} classes a day")
            add_linear(ctx, [ctx.x[i] for i in idx], [1] * len(idx), 0, cap, guards[trainer])


def add_pinned(ctx: ModelContext) -> None:
    for k, (pin, idx) in enumerate(zip(ctx.studio.instance.pinned, ctx.options.pinned,
                                       strict=True)):
        if idx is None:
            continue  # reported by the pre-solve checks
        words = (f"{pin.class_type} is pinned on {pin.day} {pin.start} in {pin.room} "
                 f"with {pin.trainer}")
        add_linear(ctx, [ctx.x[idx]], [1], 1, 1, ctx.guard("pinned", str(k), words))


def build_model(studio: Studio, options: OptionSet, explain: bool = False,
                intervals: bool = True) -> ModelContext:
    """All hard rules over one Boolean per option. ``intervals=False`` (and models above
    ``no_overlap_max_options``) leave out the NoOverlap constraints: the exact slot cliques
    already forbid every clash, and on the 27k-option medium studio the intervals doubled
    presolve time (10.8 s vs 5.2 s to the first bound, measured) without a better bound."""
    model = cp_model.CpModel()  # type: ignore[no-untyped-call]
    x = [model.new_bool_var(f"x[{i}]") for i in range(len(options))]
    limit = studio.settings.solver.no_overlap_max_options
    ctx = ModelContext(model, studio, options, x, explain, intervals and len(options) <= limit)
    add_room_no_overlap(ctx)
    add_trainer_no_overlap(ctx)
    add_session_bounds(ctx)
    add_trainer_hours(ctx)
    add_trainer_day_cap(ctx)
    add_pinned(ctx)
    return ctx


def value_expr(ctx: ModelContext) -> LinearExpr:
    """Stage 2: scaled (attendance + revenue) of the chosen classes."""
    pairs = [(ctx.x[i], o.value) for i, o in enumerate(ctx.options.options) if o.value]
    return _wsum([p[0] for p in pairs], [p[1] for p in pairs])


def idle_expr(ctx: ModelContext) -> LinearExpr:
    """Minutes trainers wait between their first and last class of each day."""
    terms = []
    for (_trainer, _day), idx in ctx.options.by_trainer_day.items():
        if len(idx) < 2:
            continue
        opts = [ctx.options.options[i] for i in idx]
        lo, hi = min(o.start for o in opts), max(o.end for o in opts)
        first = ctx.model.new_int_var(lo, hi, "first")
        last = ctx.model.new_int_var(lo, hi, "last")
        ctx.model.add(last >= first)
        for i, o in zip(idx, opts, strict=True):
            ctx.model.add(first <= o.start).only_enforce_if(ctx.x[i])
            ctx.model.add(last >= o.end).only_enforce_if(ctx.x[i])
        busy = _wsum([ctx.x[i] for i in idx], [o.duration for o in opts])
        terms.append(last - first - busy)
    return _sum(terms)  # type: ignore[arg-type]


def imbalance_expr(ctx: ModelContext) -> LinearExpr:
    """Per class type: sessions on its busiest open day minus its quietest open day."""
    terms = []
    days = ctx.studio.open_days
    for ctype in ctx.studio.class_types.values():
        if not ctx.options.by_type.get(ctype.id) or len(days) < 2:
            continue
        counts = [_sum([ctx.x[i] for i in ctx.options.by_type_day.get((ctype.id, d), [])])
                  for d in days]
        hi = ctx.model.new_int_var(0, ctype.max_sessions, f"hi[{ctype.id}]")
        lo = ctx.model.new_int_var(0, ctype.max_sessions, f"lo[{ctype.id}]")
        for n in counts:
            ctx.model.add(hi >= n)
            ctx.model.add(lo <= n)
        terms.append(hi - lo)
    return _sum(terms)


def change_expr(ctx: ModelContext, published: list[ScheduledClass]) -> LinearExpr:
    """Changes against a published timetable, tiered by what members notice: same class at
    the same time with another trainer or room 1, dropped class 2, class at a new time 1."""
    slot_opts: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for i, o in enumerate(ctx.options.options):
        slot_opts[(o.class_type, o.day, o.start)].append(i)
    published_slots = set()
    terms: list[LinearExpr] = []
    for c in published:
        slot = (c.class_type, DAY_INDEX[c.day], to_minutes(c.start))
        published_slots.add(slot)
        same = ctx.model.new_bool_var("same_slot")  # 1 only if the slot still runs
        add_linear(ctx, [same] + [ctx.x[i] for i in slot_opts.get(slot, [])],
                   [1] + [-1] * len(slot_opts.get(slot, [])), -(10**6), 0)
        exact = ctx.options.index_of(c)
        terms.append(2 - same - (ctx.x[exact] if exact is not None else 0))
    for slot, idx in slot_opts.items():
        if slot not in published_slots:
            terms.extend(ctx.x[i] for i in idx)
    return _sum(terms)


def preference_expr(ctx: ModelContext) -> LinearExpr:
    return _sum([ctx.x[i] for i, o in enumerate(ctx.options.options) if o.avoid])
