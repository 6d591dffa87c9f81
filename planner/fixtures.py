"""Fixtures an exercise needs besides its equipment label, seeded from its name.

The dataset files a pull-up as "body only" and a dumbbell bench press as "dumbbell": true
of the load, not of the kit. These rules seed what else it needs (a pull-up bar, a dip
station, a bench, a box or step, rings or a suspension trainer); each need is a group of
alternatives, any one of which will do. ``planner/data/equipment.toml`` corrects the
seeds and the upstream labels per exercise, each with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

BAR, DIP, BENCH, BOX, RINGS = ("pull-up bar", "dip station", "bench", "box or step",
                               "rings or suspension trainer")
_WEIGHTS = ("barbell", "dumbbell", "e-z curl bar", "kettlebells", "other", "bands")
_HANG = ("pull-up", "pullup", "pull up", "chin-up", "chinup", "chin up", "chins", "hanging",
         "toes to bar", "muscle up", "muscle-up", "scapular pull", "gorilla chin", "v-bar pull")
_BENCH_WORDS = ("bench", "incline", "decline", "lying", "prone", "preacher", "pullover",
                "hip thrust", "skullcrusher", "skull crusher", "head on bench", "flye", "flyes",
                "seated", "tate press", "concentration")
_NOT_BENCH = ("standing", "bent over", "bent-over", "floor", "machine", "smith", "on the floor",
              "exercise ball", "ball", "band", "leg press", "seated cable",
              "seated leg curl", "seated calf raise", "cable seated", "reverse flyes")


def _text(record: Mapping[str, object]) -> str:
    raw = f"{record.get('name', '')} {record.get('id', '')}".lower()
    return re.sub(r"[_/]", " ", raw) + " "


def _has(text: str, words: Iterable[str]) -> bool:
    return any(re.search(r"\b" + re.escape(word), text) for word in words)


def seed_needs(record: Mapping[str, object], pattern: str) -> tuple[tuple[str, ...], ...]:
    """Groups of fixtures (any one per group) the exercise needs, from its name."""
    text = _text(record)
    equipment = str(record.get("equipment") or "body only")
    if record.get("category") == "stretching":
        return ()
    needs: list[tuple[str, ...]] = []
    if _has(text, ("ring", "suspension", "trx", "straps")) and not _has(text, ("string",)):
        needs.append((RINGS,))
    elif _has(text, _HANG) and not _has(text, ("pulldown", "pull-down", "machine",
                                               "to chin", "chin crunch")) \
            and equipment not in ("machine", "cable"):
        needs.append((BAR,))
    elif _has(text, ("dip",)) and not _has(text, ("bench dip", "hip dip", "machine")) \
            and equipment != "machine":
        needs.append((DIP,))
    if _has(text, ("bench dip", "step-up", "step up", "step-ups", "box squat", "to a bench",
                   "feet elevated", "elevated", "bulgarian", "rear foot")):
        needs.append((BENCH, BOX))
    elif _has(text, ("box", "step mill")) and equipment in ("body only", "other", *_WEIGHTS) \
            and not _has(text, ("box squat",)):
        needs.append((BOX,))
    elif _has(text, _BENCH_WORDS) and not _has(text, _NOT_BENCH) and (
            equipment in _WEIGHTS or (equipment == "body only" and _has(text, ("bench",
                                                                              "decline")))
            or (equipment == "cable" and _has(text, ("bench", "incline", "decline")))):
        needs.append((BENCH,))
    return tuple(needs)
