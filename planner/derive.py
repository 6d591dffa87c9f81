"""Rules that turn a free-exercise-db record into a planner library entry.

The dataset gives facts (muscles, equipment, level, force, mechanic, category) but no
movement pattern, no injury contraindications and no regression/progression links. These
rules derive them from the facts and the name, the way a coach would file an exercise;
``planner/data/overrides.toml`` corrects the few cases the rules misfile. Running the same
rules over the same file always yields the same table (``spotter exercises import``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from planner.models import Exercise
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


def contraindications(record: Mapping[str, object], pattern: str) -> tuple[str, ...]:
    """Injury areas an exercise loads in a way a plan must avoid (conservative by design).

    A physio may clear a member for more; the rules err towards leaving an exercise out.
    """
    text = _text(record)
    primary = set(_list(record.get("primaryMuscles")))
    secondary = set(_list(record.get("secondaryMuscles")))
    equipment = record.get("equipment")
    category = record.get("category")
    impact = _has(text, ("jump", "hop", "bound", "skip", "sprint", "run", "jog", "climber",
                         "rope jumping", "burpee"))
    areas: set[str] = set()
    if pattern in ("squat", "lunge") or (pattern in ("conditioning", "power") and impact) \
            or _has(text, ("pistol", "sissy", "leg extension")) or _has(text, ("stair",)):
        areas.add("knee")
    if pattern == "vertical_push" or _has(text, ("behind the neck", "upright", "dip", "snatch",
                                                 "jerk", "handstand", "kipping", "pullover")):
        areas.add("shoulder")
    gentle_hinge = _has(text, ("bridge", "thrust", "hip lift", "hip raise", "kickback"))
    loaded_spine = equipment == "barbell" and "lower back" in primary | secondary \
        and record.get("mechanic") == "compound"
    if (pattern == "hinge" and not gentle_hinge) or loaded_spine or _has(text, ("good morning",)) \
            or category in ("olympic weightlifting", "strongman") \
            or (_has(text, ("bent over",)) and equipment == "barbell"):
        areas.add("lower_back")
    if _has(text, ("push-up", "pushup", "push up", "handstand", "front squat", "clean", "snatch",
                   "burpee", "climber", "wrist", "bear crawl", "renegade")) \
            or "forearms" in primary:
        areas.add("wrist")
    if ("triceps" in primary and pattern == "isolation" and _has(text, ("extension", "skull",
                                                                         "to chin"))) \
            or _has(text, ("dip",)) or _has(text, ("preacher",)) \
            or (_has(text, ("close-grip",)) and _has(text, ("press",))):
        areas.add("elbow")
    if pattern == "lunge" or _has(text, ("full squat", "pistol", "sumo", "wide stance", "plie")) \
            or primary & {"adductors", "abductors"}:
        areas.add("hip")
    if "calves" in primary or impact:
        areas.add("ankle")
    if "neck" in primary or "traps" in primary or _has(text, ("neck",)):
        areas.add("neck")
    return tuple(sorted(areas))


def difficulty(record: Mapping[str, object], level: str) -> float:
    """An ordering for regressions/progressions: level first, then kit and variant."""
    text = _text(record)
    score = 2.0 * LEVELS.index(level)
    score += _EQUIPMENT_SKILL.get(str(record.get("equipment") or "body only"), 1.0)
    score += sum(delta for word, delta in _DIFFICULTY_WORDS if word in text)
    return round(score, 2)


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class Overrides:
    """The hand-curated table (``planner/data/overrides.toml``)."""

    staples: frozenset[str] = frozenset()
    level: Mapping[str, str] = field(default_factory=dict)
    pattern: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Overrides:
        links = data.get("links", {})
        return cls(staples=frozenset(_list(data.get("staples", []))),
                   level=dict(data.get("level", {})),  # type: ignore[call-overload]
                   pattern=dict(data.get("pattern", {})),  # type: ignore[call-overload]
                   links=dict(links) if isinstance(links, Mapping) else {})


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
    return Exercise(
        id=ex_id, name=str(record["name"]),
        primary_muscles=tuple(dict.fromkeys(_list(record["primaryMuscles"]))),  # type: ignore[arg-type]
        secondary_muscles=tuple(
            m for m in dict.fromkeys(_list(record.get("secondaryMuscles")))  # type: ignore[misc]
            if m not in _list(record["primaryMuscles"])),
        equipment=record.get("equipment") or "body only",  # type: ignore[arg-type]
        level=level,  # type: ignore[arg-type]
        category=category,  # type: ignore[arg-type]
        mechanic=record.get("mechanic"),  # type: ignore[arg-type]
        force=record.get("force"),  # type: ignore[arg-type]
        pattern=pattern,  # type: ignore[arg-type]
        contraindications=contraindications(record, pattern),  # type: ignore[arg-type]
        timed=timed, staple=ex_id in overrides.staples,
        specialty=(category == "strongman" and pattern != "carry") or _has(text, _SPECIALTY),
        difficulty=difficulty(record, level),
    )


def _similarity(a: Exercise, b: Exercise) -> float:
    sa, sb = set(a.secondary_muscles), set(b.secondary_muscles)
    jaccard = len(sa & sb) / len(sa | sb) if sa | sb else 1.0
    return jaccard + 0.5 * (a.mechanic == b.mechanic) + 0.5 * (a.equipment == b.equipment)


def link(exercises: Sequence[Exercise], overrides: Overrides, per_side: int = 3) -> list[Exercise]:
    """Add regression/progression links: same pattern and primary muscle, nearest difficulty.

    Curated links come first; rule links fill up to ``per_side`` on each side.
    """
    known = {e.id for e in exercises}
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
            chosen = [i for i in curated.get(name, ()) if i in known and i != ex.id]
            if name == "easier":
                pool = [p for p in peers if p.difficulty < ex.difficulty]
            else:
                pool = [p for p in peers if p.difficulty > ex.difficulty]
            pool.sort(key=lambda p: (abs(p.difficulty - ex.difficulty) - 0.3 * p.staple
                                     - 0.2 * _similarity(ex, p), p.id))
            chosen += [p.id for p in pool if p.id not in chosen]
            return tuple(chosen[:per_side])

        linked.append(ex.model_copy(update={"regressions": side("easier"),
                                            "progressions": side("harder")}))
    return linked
