"""The sentences a refused profile gets: what stops a plan and what would fix it."""

from __future__ import annotations

import math
from collections.abc import Mapping

from planner.library import ExerciseLibrary, allowed
from planner.models import Exercise, MemberProfile
from planner.selection import SelectionProblem
from planner.vocab import FIXTURES


def kit_words(profile: MemberProfile) -> str:
    return "your equipment (" + ", ".join(sorted(set(profile.equipment))) + ")"


def kit_suggestion(library: ExerciseLibrary, profile: MemberProfile, muscle: str) -> str:
    """Equipment that would give direct work for ``muscle`` within the member's limits."""
    kits: dict[str, float] = {}  # kit that would unlock an exercise -> how many
    have = profile.available_equipment
    for ex in library:
        if muscle in ex.primary_muscles and ex.pattern not in ("mobility", "power") \
                and not ex.specialty and allowed(ex, avoid_areas=profile.injury_areas,
                                                 level=profile.fitness_level):
            missing: list[str] = [] if ex.equipment in have else [ex.equipment]
            missing += [" or ".join(g) for g in ex.needs if not have.intersection(g)]
            if 1 <= len(missing) <= 2:  # one or two purchases away
                key = " + ".join(missing)
                kits[key] = kits.get(key, 0.0) + (1.0 if len(missing) == 1 else 0.5)
    options = [k for k, _ in sorted(kits.items(), key=lambda kv: (-kv[1], kv[0]))]
    fixture = next((k for k in options if any(f in k for f in FIXTURES)), None)
    shown = options[:3]
    if fixture is not None and fixture not in shown:  # the cheap answer for a home member
        shown = [*options[:2], fixture]
    return ", ".join(shown) or "a coach's review"


def time_reasons(short: dict[str, float], problem: SelectionProblem, profile: MemberProfile,
                  pool: list[Exercise], library: ExerciseLibrary) -> list[str]:
    reasons = []
    minutes = 0.0
    per_set = [c.seconds_per_set for slots in problem.choices for cs in slots for c in cs]
    typical = sorted(per_set)[len(per_set) // 2] if per_set else 120
    for muscle, missing in sorted(short.items()):
        direct = any(muscle in ex.primary_muscles for ex in pool)
        if not direct:
            reasons.append(f"{muscle}: only indirect work fits your equipment; "
                           f"{problem.targets[muscle].min:g} weekly sets need direct work "
                           f"(add {kit_suggestion(library, profile, muscle)})")
        else:
            reasons.append(f"{muscle}: {problem.targets[muscle].min - missing:g} of "
                           f"{problem.targets[muscle].min:g} weekly sets fit in "
                           f"{profile.days_per_week} x {profile.minutes_per_session} min")
            minutes += missing * typical / 60.0
    if minutes:
        reasons.append(f"about {minutes:.0f} more minutes a week are needed for the "
                       f"{profile.primary_goal} volume: add a session or time per session, "
                       "or rank a lower-volume goal first")
    return reasons


def bound_reasons(out_of_reach: Mapping[str, float], rare: list[str],
                   work: tuple[float, float], problem: SelectionProblem,
                   profile: MemberProfile, pool: list[Exercise], library: ExerciseLibrary
                   ) -> list[str]:
    """Reasons for targets the relaxations prove out of reach (no search was needed)."""
    reasons = []
    for muscle, most in out_of_reach.items():
        need = problem.targets[muscle].min
        if not any(muscle in ex.primary_muscles for ex in pool):
            reasons.append(f"{muscle}: only indirect work fits your equipment; {need:g} "
                           f"weekly sets need direct work (add "
                           f"{kit_suggestion(library, profile, muscle)})")
        else:
            reasons.append(f"{muscle}: at most {math.floor(2 * most) / 2:g} of {need:g} "
                           f"weekly sets fit in {profile.days_per_week} x "
                           f"{profile.minutes_per_session} min")
    needed, held = work
    if needed > held:
        mins = sorted({t.min for t in problem.targets.values()})
        reasons.append(
            f"the {profile.primary_goal} minimums ({'/'.join(f'{m:g}' for m in mins)} weekly "
            f"sets for each of {len(problem.targets)} muscles) need at least "
            f"{needed / 60:.0f} min of sets a week, {profile.days_per_week} x "
            f"{profile.minutes_per_session} min sessions hold {held / 60:.0f} min after "
            f"warm-ups: about {max(1.0, (needed - held) / 60):.0f} more minutes a week are "
            "needed; add a session or time per session, or rank a lower-volume goal first")
    reasons += [f"{muscle} cannot be trained on {problem.min_sessions} days a week within the "
                "time budget (schoenfeld2016)" for muscle in rare]
    return reasons
