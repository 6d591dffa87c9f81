"""Joint positions and loads of an exercise, seeded from its facts and name.

The dataset says which muscles work, not what a joint goes through. These rules file each
exercise under the positions a physio screens for (loaded overhead shoulder flexion, deep
knee flexion, loaded spinal flexion or extension, loaded wrist extension, impact,
hanging, ...). Names only *seed* the positions: ``planner/data/positions.toml`` adds and
removes positions per exercise with a reason, and the injury rules
(``configs/injury_rules.toml``) decide what each position means for which injury.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FREE_WEIGHTS = frozenset({"barbell", "dumbbell", "kettlebells", "e-z curl bar", "medicine ball",
                          "other"})
_OVERHEAD = ("overhead", "military", "shoulder press", "push press", "jerk", "snatch",
             "handstand", "pullover", "behind the head", "arnold", "thruster", "get-up",
             "get up", "windmill", "waiter", "around the world", "bradford", "wall ball",
             "overhead squat", "standing dumbbell triceps extension", "seated triceps press",
             "french press")
_NOT_OVERHEAD = ("bench press", "floor press", "incline dumbbell press", "chest press",
                 "decline", "incline press", "neutral grip")
_END_RANGE = ("dip", "behind the neck", "upright", "kipping", "muscle up", "muscle-up",
              "iron cross", "to neck", "guillotine")
_HANGING = ("hanging", "pull-up", "pullup", "pull up", "chin-up", "chinup", "chin up",
            "chins", "chin", "toes to bar", "muscle up", "muscle-up", "rope climb",
            "scapular pull", "gorilla chin")
_NOT_HANGING = ("pulldown", "pull-down", "to chin", "machine", "chin crunch", "hanging bar")
_IMPACT = ("jump", "hop", "bound", "skip", "sprint", "running", "run ", "jog", "climber",
           "burpee", "plyo", "star jump", "jack", "butt kick", "high knee", "carioca",
           "clap", "depth", "prowler", "split jump", "skater", "box jump", "lateral cone",
           "shuffle", "stair", "wind sprint", "rope jumping")
_SPINAL_FLEXION = ("crunch", "sit-up", "situp", "sit up", "v-up", "jackknife", "toe touch",
                   "toes to bar", "russian twist", "jefferson", "good morning", "cocoon",
                   "leg raise", "pike", "knee raise", "knees to", "tuck", "heel touch",
                   "elbow to knee", "bicycle", "air bike", "flutter", "leg pull-in",
                   "bottoms up", "butt-up", "roll out", "rollout", "ab roller", "side bend",
                   "windmill", "seated barbell twist")
_BENT_OVER = ("bent over", "bent-over", "t-bar", "long bar row", "pendlay", "yates")
_SUPPORTED = ("one-arm", "one arm", "single-arm", "head on bench", "seated", "incline",
              "lying", "supported", "chest supported", "prone", "kneeling")
_SPINAL_EXTENSION = ("hyperextension", "back extension", "superman", "reverse hyper",
                     "good morning", "glute ham", "glute-ham", "back raise")
_AXIAL_SQUAT = ("barbell squat", "front squat", "front barbell squat", "back squat",
                "overhead squat", "zercher", "barbell lunge", "barbell walking lunge",
                "barbell side split", "barbell step", "barbell side bend",
                "smith machine squat", "box squat", "barbell squat to a bench", "yoke",
                "barbell full squat", "jefferson", "standing military",
                "barbell shoulder press", "push press", "jerk")
_WRIST = ("push-up", "pushup", "push up", "push-ups", "pushups", "handstand", "front squat",
          "front barbell squat", "clean", "snatch", "burpee", "climber", "bear crawl",
          "renegade", "wrist", "plank to", "push up to", "spider crawl", "bench dip",
          "body tricep press", "body-up", "inchworm", "push press", "thruster",
          "dips - triceps", "body up")
_ELBOW = ("skull", "to chin", "preacher", "french press",
          "tate press", "jm press", "body tricep", "body-up", "body up", "dip")
_DEEP_HIP = ("full squat", "pistol", "deep", "leg press", "hack squat", "lunge",
             "split squat", "bulgarian", "cossack", "frog squat")
_SHALLOW = ("box squat", "to a bench", "wall", "half", "partial", "quarter")
_WIDE = ("sumo", "wide stance", "wide-stance", "plie", "side lunge", "lateral lunge",
         "cossack", "adductor", "abductor", "groin", "side split", "monster walk",
         "lateral band")
_CERVICAL = ("neck", "harness", "shrug", "headstand", "head bridge", "wrestler")


def _text(record: Mapping[str, object]) -> str:
    raw = f"{record.get('name', '')} {record.get('id', '')}".lower()
    return re.sub(r"[_/]", " ", raw) + " "


def _has(text: str, words: Iterable[str]) -> bool:
    return any(re.search(r"\b" + re.escape(word), text) for word in words)


def _muscles(record: Mapping[str, object], key: str) -> set[str]:
    value = record.get(key)
    return {str(v) for v in value} if isinstance(value, list | tuple) else set()


def seed_positions(record: Mapping[str, object], pattern: str) -> tuple[str, ...]:
    """Positions an exercise involves, from pattern, facts and name (sorted)."""
    text = _text(record)
    primary = _muscles(record, "primaryMuscles")
    equipment = str(record.get("equipment") or "body only")
    category = str(record.get("category"))
    stretch = category == "stretching"
    found: set[str] = set()
    if not stretch and ((pattern == "vertical_push" and not _has(text, ("dip",)))
                        or (_has(text, _OVERHEAD) and not _has(text, _NOT_OVERHEAD)
                            and pattern != "core")):
        found.add("overhead_loaded")
    if not stretch and _has(text, _END_RANGE) and not _has(text, ("hip dip", "dip belt")):
        found.add("shoulder_end_range")
    if (_has(text, _HANGING) or (pattern == "vertical_pull" and equipment in
                                 ("body only", "other", "bands"))) \
            and not _has(text, _NOT_HANGING) and not stretch:
        found.add("hanging")
    if not stretch and (pattern in ("squat", "lunge") or _has(text, ("pistol", "sissy",
                                                                     "leg press",
                                                                     "hack squat"))) \
            and not _has(text, ("calf",)):
        found.add("deep_knee_flexion")
    if _has(text, ("leg extension",)):
        found.add("open_chain_knee_extension")
    if not stretch and _has(text, _SPINAL_FLEXION) and pattern not in ("squat", "lunge"):
        found.add("loaded_spinal_flexion")
    hinge_loaded = pattern == "hinge" and equipment in FREE_WEIGHTS | {"bands", "cable"} \
        and not _has(text, ("bridge", "thrust", "hip lift", "hip raise", "kickback",
                            "hyperextension", "back extension", "glute ham", "glute-ham",
                            "reverse hyper", "pull through", "pull-through"))
    bent = _has(text, _BENT_OVER) and not _has(text, _SUPPORTED) \
        and equipment in ("barbell", "dumbbell", "e-z curl bar", "kettlebells", "other")
    if hinge_loaded or bent or category in ("olympic weightlifting",) \
            or (category == "strongman" and pattern not in ("carry", "conditioning")):
        found.add("loaded_spinal_flexion")
    if not stretch and (_has(text, _SPINAL_EXTENSION) or (
            pattern == "hinge" and "lower back" in primary
            and not _has(text, ("bridge", "thrust")))):
        found.add("loaded_spinal_extension")
    if _has(text, _AXIAL_SQUAT) or (
            equipment == "barbell" and pattern in ("squat", "lunge", "vertical_push")
            and not _has(text, ("seated", "lying", "incline", "bench", "hack", "leg press"))):
        found.add("axial_spinal_load")
    if not stretch and (_has(text, _WRIST) or (
            "forearms" in primary and not _has(text, ("carry", "farmer", "walk", "grip")))):
        found.add("loaded_wrist_extension")
    if not stretch and (("triceps" in primary and pattern == "isolation"
                         and _has(text, ("extension", "skull", "to chin", "press")))
                        or _has(text, _ELBOW) and not _has(text, ("hip dip",))
                        or (_has(text, ("close-grip", "close grip")) and _has(text, ("press",)))):
        found.add("elbow_loaded_end_range")
    impact_lower = category == "plyometrics" and primary & {
        "quadriceps", "hamstrings", "glutes", "calves", "adductors", "abductors"}
    if not stretch and (_has(text, _IMPACT) or impact_lower) and not _has(
            text, ("stairmaster", "step mill", "stair climb", "jack knife", "jackknife",
                   "bench jack")) or _has(text, ("rope jumping",)):
        found.add("impact")
    if not stretch and (_has(text, _DEEP_HIP) or pattern == "lunge" or (
            pattern == "squat" and not _has(text, _SHALLOW))) and not _has(text, ("calf",)):
        found.add("deep_hip_flexion")
    if not stretch and (_has(text, _WIDE) or primary & {"adductors", "abductors"}):
        found.add("wide_hip_abduction")
    if not stretch and ("calves" in primary or _has(text, ("calf raise", "calf press"))):
        found.add("loaded_plantarflexion")
    if not stretch and ("neck" in primary or "traps" in primary or _has(text, _CERVICAL)):
        found.add("cervical_load")
    return tuple(sorted(found))
