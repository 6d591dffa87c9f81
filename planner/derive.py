"""Rules that turn a free-exercise-db record into a planner library entry.

The dataset gives facts (muscles, equipment, level, force, mechanic, category) but no
movement pattern, no joint positions, no fixtures and no regression/progression links.
These rules derive them from the facts and the name, the way a coach would file an
exercise (positions in :mod:`planner.movement`, fixtures in :mod:`planner.fixtures`); the
curated tables in ``planner/data/`` correct what the rules misfile, each with a reason.
Contraindications follow from the positions and the injury rules in
``configs/injury_rules.toml``. Running the same rules over the same file always yields the
same table (``spotter exercises import``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from planner.fixtures import seed_needs
from planner.graph import step_allowed
from planner.injuries import InjuryRules, default_rules
from planner.models import Exercise
from planner.movement import seed_positions
from planner.vocab import LEVELS

_LUNGE = ("lunge", "split squat", "step-up", "step up", "single-leg", "single leg", "pistol",
          "one leg", "one-leg", "split_squat")
_HINGE = ("deadlift", "good morning", "swing", "hip thrust", "bridge", "pull through",
          "pull-through", "hyperextension", "hip lift", "hip extension", "back extension",
          "glute ham", "glute-ham", "hip raise", "rack pull")
_VERTICAL_PULL = ("pulldown", "pull-up", "pullup", "pull up", "chin")
_CONDITIONING_MOVES = ("climber", "jack", "star jump", "scissors", "butt kick", "skip", "carioca",
                       "burpee", "sprint", "sled", "prowler", "battling", "shuffle")
_POWER = ("clean", "snatch", "jerk", "push press", "thruster", "get-up", "jump squat",
          "muscle up", "muscle-up")
_SPECIALTY = ("chains", "reverse band", "board press", "pin press", "speed", "jefferson",
              "zercher", "anderson", "guillotine", "behind the neck", "kipping", "partial",
              "with plate movers", "axle", "sots", "one-arm side deadlift", "car deadlift",
              "neck", "to neck")
_EQUIPMENT_SKILL = {"machine": 0.0, "foam roll": 0.0, "cable": 0.3, "bands": 0.3,
                    "exercise ball": 0.5, "medicine ball": 0.5, "body only": 0.8,
                    "dumbbell": 0.8, "e-z curl bar": 0.8, "kettlebells": 1.0, "other": 1.0,
                    "barbell": 1.2}
_DIFFICULTY_WORDS = (("assisted", -1.0), ("incline push", -0.7), ("wall", -0.5),
                     ("kneeling", -0.4), ("to a bench", -0.3), ("box squat", -0.3),
                     ("single-leg", 0.6), ("single leg", 0.6), ("one-leg", 0.6),
                     ("one leg", 0.6), ("one-arm", 0.4), ("one arm", 0.4), ("single-arm", 0.4),
                     ("pistol", 1.0), ("feet elevated", 0.5), ("decline push", 0.5),
                     ("weighted", 0.6), ("deficit", 0.5), ("jump", 0.5), ("handstand", 1.0),
                     ("plyo", 0.5), ("hanging", 0.5), ("glute ham", 1.0),
                     ("glute-ham", 1.0), ("natural glute", 0.5))


def _text(record: Mapping[str, object]) -> str:
    """Lower-case name and id with separators normalised, for keyword rules."""
    raw = f"{record.get('name', '')} {record.get('id', '')}".lower()
    return re.sub(r"[_/]", " ", raw)


def _has(text: str, words: Iterable[str]) -> bool:
    """Keyword test at word starts, so "row" finds "rows" but not "narrow" or "throw"."""
    return any(re.search(r"\b" + re.escape(word), text) for word in words)


def movement_pattern(record: Mapping[str, object]) -> str:
    """File an exercise under one movement pattern (squat, hinge, push, pull, ...)."""
    text = _text(record)
    category = str(record.get("category"))
    primary = str(_list(record.get("primaryMuscles"))[0])
    mechanic = record.get("mechanic")
    force = record.get("force")
    if category == "stretching":
        return "mobility"
    if category == "cardio":
        return "conditioning"
    if category == "olympic weightlifting" or _has(text, _POWER):
        return "power"
    if _has(text, ("carry", "farmer", "yoke", "suitcase")):
        return "carry"
    if _has(text, ("battling ropes",)):
        return "conditioning"
    if category in ("plyometrics", "strongman"):
        no_kit = record.get("equipment") in (None, "body only")
        if (no_kit or _has(text, ("sled", "prowler"))) and _has(text, _CONDITIONING_MOVES) \
                and not _has(text, ("depth",)):
            return "conditioning"
        return "power"
    if primary == "abdominals" or _has(text, ("plank", "crunch", "flutter kick")):
        return "core"
    if _has(text, ("pullover", "around the world", "rotation", "cross over", "hip flexion")):
        return "isolation"
    if primary in ("quadriceps", "hamstrings", "glutes", "lower back"):
        return _lower_body_pattern(text, primary, mechanic)
    if primary == "chest":
        if mechanic == "isolation" or _has(text, ("fly", "flye", "crossover", "butterfly")):
            return "isolation"
        return "vertical_push" if _has(text, ("dip",)) else "horizontal_push"
    if primary == "shoulders":
        if _has(text, ("raise", "fly", "flye", "cuban", "iron cross", "pirate")):
            return "isolation"
        if force == "push" and mechanic == "compound":
            return "vertical_push"
        if _has(text, ("row", "face pull")) and not _has(text, ("upright",)):
            return "horizontal_pull"
        return "isolation"
    if primary == "triceps" and mechanic == "compound":
        return "vertical_push" if _has(text, ("dip",)) else "horizontal_push"
    if primary in ("lats", "middle back", "biceps", "traps"):
        return _upper_pull_pattern(text, primary, mechanic)
    return "isolation"


def _lower_body_pattern(text: str, primary: str, mechanic: object) -> str:
    if _has(text, ("leg curl", "leg extension", "kickback")):
        return "isolation"
    if _has(text, ("deadlift", "bridge", "thrust")):
        return "hinge"
    if _has(text, _LUNGE):
        return "lunge"
    if primary == "lower back" or _has(text, _HINGE):
        return "hinge"
    if mechanic == "isolation":
        return "isolation"
    if primary == "quadriceps":
        return "squat"
    return "squat" if _has(text, ("squat",)) else "hinge"


def _upper_pull_pattern(text: str, primary: str, mechanic: object) -> str:
    if _has(text, ("shrug", "upright", "pullover", "straight-arm", "curl", "scapular")):
        return "isolation"
    if _has(text, _VERTICAL_PULL):
        return "vertical_pull"
    if _has(text, ("row",)):
        return "horizontal_pull"
    if mechanic == "compound" and primary in ("lats", "middle back"):
        return "vertical_pull" if primary == "lats" else "horizontal_pull"
    return "isolation"


def difficulty(record: Mapping[str, object], level: str) -> float:
    """An ordering for regressions/progressions: level first, then kit and variant."""
    text = _text(record)
    score = 2.0 * LEVELS.index(level)
    score += _EQUIPMENT_SKILL.get(str(record.get("equipment") or "body only"), 1.0)
    score += sum(delta for word, delta in _DIFFICULTY_WORDS if word in text)
    return round(score, 2)


def _list_of(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class Overrides:
    """The hand-curated tables (``planner/data/*.toml``) and the injury rules.

    ``equipment`` relabels upstream kit, ``needs`` replaces seeded fixtures, and
    ``add_positions``/``drop_positions`` correct seeded joint positions; every entry in the
    files carries a reason (kept in ``reasons`` for the library review)."""

    staples: frozenset[str] = frozenset()
    level: Mapping[str, str] = field(default_factory=dict)
    pattern: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    equipment: Mapping[str, str] = field(default_factory=dict)
    needs: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    add_positions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    drop_positions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    rules: InjuryRules | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, object],
                     equipment: Mapping[str, Mapping[str, object]] | None = None,
                     positions: Mapping[str, Mapping[str, object]] | None = None,
                     rules: InjuryRules | None = None) -> Overrides:
        links = data.get("links", {})
        kit = dict(equipment or {})
        moves = dict(positions or {})
        reasons = {f"equipment:{k}": str(v.get("reason", "")) for k, v in kit.items()}
        reasons |= {f"positions:{k}": str(v.get("reason", "")) for k, v in moves.items()}
        return cls(staples=frozenset(_list(data.get("staples", []))),
                   level=dict(data.get("level", {})),  # type: ignore[call-overload]
                   pattern=dict(data.get("pattern", {})),  # type: ignore[call-overload]
                   links=dict(links) if isinstance(links, Mapping) else {},
                   equipment={k: str(v["equipment"]) for k, v in kit.items()
                              if "equipment" in v},
                   needs={k: tuple(tuple(_list(g)) for g in _list_of(v["needs"]))
                          for k, v in kit.items() if "needs" in v},
                   add_positions={k: tuple(_list(v.get("add"))) for k, v in moves.items()},
                   drop_positions={k: tuple(_list(v.get("remove"))) for k, v in moves.items()},
                   reasons=reasons, rules=rules)

    def injury_rules(self) -> InjuryRules:
        return self.rules if self.rules is not None else default_rules()


def positions_of(record: Mapping[str, object], pattern: str, overrides: Overrides
                 ) -> tuple[str, ...]:
    """Seeded positions with the curated additions and removals applied (sorted)."""
    ex_id = str(record["id"])
    found = set(seed_positions(record, pattern)) | set(overrides.add_positions.get(ex_id, ()))
    return tuple(sorted(found - set(overrides.drop_positions.get(ex_id, ()))))


def derive_exercise(record: Mapping[str, object], overrides: Overrides) -> Exercise:
    """One validated raw record -> one library entry without links (see :func:`link`)."""
    ex_id = str(record["id"])
    level = str(record["level"])
    level = "advanced" if level == "expert" else level  # dataset says expert (README)
    level = overrides.level.get(ex_id, level)
    pattern = overrides.pattern.get(ex_id) or movement_pattern(record)
    text = _text(record)
    category = record.get("category")
    timed = pattern in ("carry", "conditioning") or record.get("force") == "static"
    positions = positions_of(record, pattern, overrides)
    equipment = overrides.equipment.get(ex_id) or record.get("equipment") or "body only"
    needs = overrides.needs.get(ex_id)
    return Exercise(
        id=ex_id, name=str(record["name"]),
        primary_muscles=tuple(dict.fromkeys(_list(record["primaryMuscles"]))),  # type: ignore[arg-type]
        secondary_muscles=tuple(
            m for m in dict.fromkeys(_list(record.get("secondaryMuscles")))  # type: ignore[misc]
            if m not in _list(record["primaryMuscles"])),
        equipment=equipment,  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        category=category,  # type: ignore[arg-type]
        mechanic=record.get("mechanic"),  # type: ignore[arg-type]
        force=record.get("force"),  # type: ignore[arg-type]
        pattern=pattern,  # type: ignore[arg-type]
        contraindications=overrides.injury_rules().contraindications(positions),  # type: ignore[arg-type]
        timed=timed, staple=ex_id in overrides.staples,
        specialty=(category == "strongman" and pattern != "carry") or _has(text, _SPECIALTY),
        difficulty=difficulty(record, level),
        positions=positions,  # type: ignore[arg-type]
        needs=needs if needs is not None else seed_needs(record, pattern),  # type: ignore[arg-type]
    )


def _similarity(a: Exercise, b: Exercise) -> float:
    sa, sb = set(a.secondary_muscles), set(b.secondary_muscles)
    jaccard = len(sa & sb) / len(sa | sb) if sa | sb else 1.0
    return jaccard + 0.5 * (a.mechanic == b.mechanic) + 0.5 * (a.equipment == b.equipment)


def link(exercises: Sequence[Exercise], overrides: Overrides, per_side: int = 3) -> list[Exercise]:
    """Regression/progression links: the graph alternatives, the plan editor and in-session
    changes walk (:mod:`planner.graph` applies the member's kit, injuries and level).

    A link stays on the same pattern and prime mover and follows
    :func:`planner.graph.step_allowed` (easier never asks for more kit or a higher level;
    a body-weight move is never regressed to a machine). Curated links come first; rule
    links fill up to ``per_side`` on each side; no exercise is both easier and harder.
    """
    known = {e.id: e for e in exercises}
    groups: dict[tuple[str, str], list[Exercise]] = {}
    for ex in exercises:
        if ex.pattern not in ("mobility", "power") and not ex.specialty:
            groups.setdefault((ex.pattern, ex.primary_muscles[0]), []).append(ex)
    linked = []
    for ex in exercises:
        peers = [p for p in groups.get((ex.pattern, ex.primary_muscles[0]), []) if p.id != ex.id]
        curated = overrides.links.get(ex.id, {})

        def side(name: str, peers: list[Exercise] = peers, ex: Exercise = ex,
                 curated: Mapping[str, Sequence[str]] = curated) -> tuple[str, ...]:
            chosen = [i for i in curated.get(name, ()) if i in known and i != ex.id
                      and known[i].pattern == ex.pattern]
            pool = [p for p in peers if step_allowed(ex, p, name)]
            pool.sort(key=lambda p: (abs(p.difficulty - ex.difficulty) - 0.3 * p.staple
                                     - 0.2 * _similarity(ex, p), p.id))
            chosen += [p.id for p in pool if p.id not in chosen]
            return tuple(chosen[:per_side])

        easier = side("easier")
        harder = tuple(i for i in side("harder") if i not in easier)
        linked.append(ex.model_copy(update={"regressions": easier, "progressions": harder}))
    return linked
