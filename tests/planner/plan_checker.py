"""A second plan checker, written apart from ``planner/validation.py``.

It shares only the data with the planner: the library file (``planner/data/exercises.json``),
the guidance table (``configs/planner.toml``), the injury rules (``configs/injury_rules.toml``)
and the zone bounds (``configs/zones.toml``), all read here as plain JSON/TOML. It imports
nothing from ``planner``: plans and profiles arrive as the documented JSON dicts. If the
generator and its own validator shared a mistake, this checker would still see it.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LEVELS = ("beginner", "intermediate", "advanced")
STRENGTH_KIT = {"barbell", "dumbbell", "cable", "machine", "kettlebells", "e-z curl bar"}


@dataclass(frozen=True)
class Data:
    exercises: dict[str, dict[str, Any]]
    guidance: dict[str, Any]
    rules: dict[str, Any]
    zones: dict[str, Any]

    @classmethod
    def load(cls) -> Data:
        library = json.loads((ROOT / "planner/data/exercises.json").read_text("utf-8"))
        return cls({e["id"]: e for e in library["exercises"]},
                   tomllib.loads((ROOT / "configs/planner.toml").read_text("utf-8")),
                   tomllib.loads((ROOT / "configs/injury_rules.toml").read_text("utf-8")),
                   tomllib.loads((ROOT / "configs/zones.toml").read_text("utf-8")))


def _rows(data: Data, goal: str, level: str, roles: set[str]) -> list[dict[str, Any]]:
    return [r for r in data.guidance["dose"] if goal in r["goals"] and level in r["levels"]
            and roles & set(r["roles"])]


def _roles(ex: dict[str, Any]) -> set[str]:
    """Which guidance roles an exercise may be dosed under, from its own facts."""
    if ex["pattern"] == "conditioning":
        return {"conditioning", "steady", "intervals"}
    if ex["timed"]:
        return {"timed"}
    if ex["pattern"] == "core":
        return {"core"}
    return {"main", "accessory"}


def _in(value: float | None, pair: list[float]) -> bool:
    return value is not None and pair[0] <= value <= pair[1]


def _dose_fits(item: dict[str, Any], row: dict[str, Any], deload: bool,
               history: set[str], ex: dict[str, Any], easier: dict[str, Any]) -> bool:
    """Whether the item's dose lies in guidance row ``row`` (``easier``: the deload rules)."""
    if "reps" in row and not _in(item["reps"], row["reps"]):
        return False
    if "seconds" in row and not _in(item["duration_seconds"], row["seconds"]):
        return False
    if not _in(item["rest_seconds"], row["rest_seconds"]):
        return False
    if item["sets"] > row["sets"][1] or (not deload and item["sets"] < row["sets"][0]):
        return False
    intensity = item["intensity"]
    if len(intensity) != 1:
        return False
    hi_rpe, lo_rpe = 10 - row["rir"][0], 10 - row["rir"][1]
    if "rpe" in intensity:
        return (1 <= intensity["rpe"] <= hi_rpe - easier["deload_rir_add"]) if deload else \
            lo_rpe <= intensity["rpe"] <= hi_rpe
    loadable = ex["equipment"] in STRENGTH_KIT and not ex["timed"]
    if "percent_1rm" not in row or not loadable:
        return False
    if "load_kg" in intensity:
        return ex["id"] in history   # a load needs logged sets of that exercise
    lo, hi = row["percent_1rm"]
    return (intensity["percent_1rm"] <= hi - easier["deload_percent_drop"]) if deload else \
        lo <= intensity["percent_1rm"] <= hi


def _zone_bpm(data: Data, zone: int, hr_max: int, hr_rest: int | None) -> tuple[int, int]:
    bounds = data.zones["zones"]["lower_bounds"] + [1.0]
    rest = hr_rest if hr_rest is not None else data.zones["physiology"]["default_hr_rest"]

    def bpm(fraction: float) -> int:
        if data.zones["zones"]["basis"] == "hrr":
            return round(rest + fraction * (hr_max - rest))
        return round(fraction * hr_max)
    return bpm(bounds[zone - 1]), bpm(bounds[zone])


def _heart_rate_problem(data: Data, target: dict[str, Any] | None,
                        profile: dict[str, Any]) -> str | None:
    if target is None:
        return "cardio without a heart-rate target"
    hr_max = profile.get("hr_max") or round(208 - 0.7 * profile["age"])   # Tanaka 2001
    if target["hr_max"] != hr_max:
        return f"HRmax {target['hr_max']}, the member's is {hr_max}"
    lo, hi = target["zones"]
    want = (_zone_bpm(data, lo, hr_max, profile.get("hr_rest"))[0],
            _zone_bpm(data, hi, hr_max, profile.get("hr_rest"))[1])
    if tuple(target["bpm"]) != want:
        return f"zones {lo}-{hi} written as {target['bpm']} bpm, not {want}"
    return None


def check(plan: dict[str, Any], profile: dict[str, Any], data: Data) -> list[str]:
    """Every way the plan breaks the member's limits or the guidance (empty = sound)."""
    out: list[str] = []
    kit = set(profile.get("equipment") or ["body only"]) | {"body only"}
    hurt = {i["area"] for i in profile.get("injuries", [])}
    avoided = {p for r in data.rules["rule"] if r["area"] in hurt for p in r["avoid"]}
    level = LEVELS.index(profile["fitness_level"])
    disliked = set(profile.get("preferences", {}).get("disliked", []))
    history = {s["exercise_id"] for s in profile.get("training_history", [])
               if s["load_kg"] > 0 and s["reps"] <= data.guidance["one_rep_max"]["max_reps"]}
    goal = profile["goals"][0]
    session_rules = data.guidance["session"]
    budget = profile["minutes_per_session"]
    volume_rules = data.guidance["volume"]
    for week in plan["weeks"]:
        where_w = f"week {week['week']}"
        if len(week["sessions"]) != profile["days_per_week"] or len(
                {s["day"] for s in week["sessions"]}) != len(week["sessions"]):
            out.append(f"{where_w}: {len(week['sessions'])} sessions on distinct days, "
                       f"member trains {profile['days_per_week']}")
        weekly: dict[str, float] = defaultdict(float)
        for session in week["sessions"]:
            where = f"{where_w} day {session['day']}"
            if session.get("in_class"):
                if session["day"] not in profile.get("class_days", []):
                    out.append(f"{where}: a class on a day the member has none")
                problem = _heart_rate_problem(data, session.get("heart_rate"), profile)
                if problem:
                    out.append(f"{where} class: {problem}")
                continue
            seconds = 60 * session_rules["warmup_minutes"]
            for item in session["exercises"]:
                ex = data.exercises.get(item["exercise_id"])
                if ex is None:
                    out.append(f"{where}: unknown exercise {item['exercise_id']}")
                    continue
                name = f"{where} {ex['name']}"
                if ex["equipment"] not in kit or any(not kit & set(g) for g in ex["needs"]):
                    out.append(f"{name}: needs {ex['equipment']} {ex['needs']}, kit {kit}")
                if avoided & set(ex["positions"]):
                    out.append(f"{name}: {sorted(avoided & set(ex['positions']))} with "
                               f"injured {sorted(hurt)}")
                if LEVELS.index(ex["level"]) > level:
                    out.append(f"{name}: {ex['level']} for a {profile['fitness_level']}")
                if ex["id"] in disliked:
                    out.append(f"{name}: disliked")
                rows = _rows(data, goal, profile["fitness_level"], _roles(ex))
                if not any(_dose_fits(item, r, week["deload"], history, ex,
                                      data.guidance["periodization"]) for r in rows):
                    amount = item["reps"] or item["duration_seconds"]
                    out.append(f"{name}: {item['sets']} x {amount} rest "
                               f"{item['rest_seconds']} {item['intensity']} fits no {goal} row")
                if ex["pattern"] == "conditioning":
                    problem = _heart_rate_problem(data, item.get("heart_rate"), profile)
                    if problem:
                        out.append(f"{name}: {problem}")
                    continue
                work = item["duration_seconds"] if item["reps"] is None else \
                    item["reps"] * session_rules["seconds_per_rep"]
                seconds += item["sets"] * (work + item["rest_seconds"])
                for m in ex["primary_muscles"]:
                    weekly[m] += item["sets"]
                for m in ex["secondary_muscles"]:
                    weekly[m] += volume_rules["indirect_weight"] * item["sets"]
            cardio = sum(i["sets"] * (i["duration_seconds"] + i["rest_seconds"])
                         for i in session["exercises"] if i["exercise_id"] in data.exercises
                         and data.exercises[i["exercise_id"]]["pattern"] == "conditioning")
            seconds += cardio + session_rules["transition_seconds"] * len(session["exercises"])
            if seconds / 60 > budget + 1e-6:
                out.append(f"{where}: {seconds / 60:.1f} min in a {budget} min session")
        for muscle, sets in weekly.items():
            if sets > volume_rules["flag_above"]:
                out.append(f"{where_w}: {muscle} {sets:g} weekly sets, above the flag line")
        if not week["deload"] and not hurt and weekly:
            target = volume_rules["targets"][goal]
            for muscle in target["muscles"]:
                if weekly.get(muscle, 0.0) + 1e-9 < target["min"]:
                    out.append(f"{where_w}: {muscle} {weekly.get(muscle, 0):g} weekly sets, "
                               f"under the {goal} minimum {target['min']}")
    return out


def deloads_every(plan: dict[str, Any]) -> int:
    """Longest run of loading weeks (the guidance caps it at 5)."""
    run = longest = 0
    for week in plan["weeks"]:
        run = 0 if week["deload"] else run + 1
        longest = max(longest, run)
    return longest if plan["weeks"] else 0

