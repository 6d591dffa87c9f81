"""What a change of the exercise rules did to the whole library, as a Markdown report.

``spotter exercises review --before OLD.json`` compares an earlier library file (any
``spotter-exercise-library/1`` document, e.g. from ``git show REF:planner/data/exercises.json``)
with the current one: per injury rule, how many exercises it now keeps from the area and
how that differs from before; how many exercises need which fixtures; which links changed;
and worked examples a physio can check one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.injuries import InjuryRules
from planner.library import ExerciseLibrary
from planner.models import Exercise

EXAMPLES = 20
# The cases issue 18 names, listed first so a reader can check them straight away.
FEATURED = ("Triceps_Overhead_Extension_with_Rope", "V-Bar_Pullup", "Bodyweight_Squat")


def _changes(old: Mapping[str, Any], ex: Exercise) -> tuple[set[str], set[str]]:
    before: set[str] = set(old.get("contraindications", ()))
    now: set[str] = set(ex.contraindications)
    return now - before, before - now


def _example(old: Mapping[str, Any], ex: Exercise, names: Mapping[str, str]) -> str:
    added, dropped = _changes(old, ex)
    bits = []
    if added:
        bits.append("now kept from " + ", ".join(sorted(added)))
    if dropped:
        bits.append("no longer kept from " + ", ".join(sorted(dropped)))
    if ex.needs:
        bits.append("needs " + ex.kit_words())
    if old.get("equipment") and old["equipment"] != ex.equipment:
        bits.append(f"equipment {old['equipment']} -> {ex.equipment}")
    gone = [names.get(i, i) for i in old.get("regressions", ()) if i not in ex.regressions]
    if gone:
        bits.append("no longer regressed to " + ", ".join(gone))
    positions = ", ".join(p.replace("_", " ") for p in ex.positions) or "none"
    return f"| {ex.name} | {ex.equipment} | {positions} | {'; '.join(bits)} |"


def library_review(before: Sequence[Mapping[str, Any]], library: ExerciseLibrary,
                   rules: InjuryRules, before_label: str = "before") -> str:
    """The Markdown report (see the module docstring)."""
    old = {str(e["id"]): e for e in before}
    names = {ex.id: ex.name for ex in library}
    plannable = {ex.id for ex in library.plannable}
    lines = ["## Counts per injury rule", "",
             f"Exercises the rule keeps from the injured area (all {len(library)}; "
             f"in brackets the {len(plannable)} the planner may schedule), against "
             f"{before_label}.", "",
             "| area | avoided positions | source | now | before | newly kept out | "
             "no longer kept out |", "|---|---|---|---:|---:|---:|---:|"]
    for rule in rules.rule:
        now = {ex.id for ex in library if rule.area in ex.contraindications}
        was = {i for i, e in old.items() if rule.area in e.get("contraindications", ())}
        avoided = ", ".join(p.replace("_", " ") for p in rule.avoid)
        lines.append(
            f"| {rule.area.replace('_', ' ')} | {avoided}"
            f" | {rule.source} | {len(now)} ({len(now & plannable)}) | {len(was)} "
            f"({len(was & plannable)}) | {len(now - was)} ({len(now - was & plannable)}) | "
            f"{len(was - now)} ({len(was - now & plannable)}) |")
    lines += ["", "## Positions", "", "| position | exercises (plannable) |", "|---|---:|"]
    counts: dict[str, set[str]] = {}
    for ex in library:
        for position in ex.positions:
            counts.setdefault(position, set()).add(ex.id)
    for name, ids in sorted(counts.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"| {name.replace('_', ' ')} | {len(ids)} ({len(ids & plannable)}) |")
    lines += ["", "## Equipment truth", "", "| fixture | exercises that need it (plannable) |",
              "|---|---:|"]
    need: dict[str, set[str]] = {}
    for ex in library:
        for group in ex.needs:
            need.setdefault(" or ".join(group), set()).add(ex.id)
    for kit, kit_ids in sorted(need.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"| {kit} | {len(kit_ids)} ({len(kit_ids & plannable)}) |")
    relabelled = [ex for ex in library if ex.id in old
                  and old[ex.id].get("equipment") != ex.equipment]
    body_only_before = sum(1 for ex in library if ex.id in plannable and ex.id in old
                           and old[ex.id].get("equipment") == "body only")
    body_only_now = sum(1 for ex in library.plannable if ex.fits_kit(frozenset({"body only"})))
    lines += ["", f"Upstream equipment labels corrected: {len(relabelled)}. Plannable "
              f"exercises a body-only member can do: {body_only_now} (before: "
              f"{body_only_before} were labelled body only)."]
    changed_links = sum(1 for ex in library if ex.id in old and (
        list(old[ex.id].get("regressions", ())) != list(ex.regressions)
        or list(old[ex.id].get("progressions", ())) != list(ex.progressions)))
    both = sum(1 for e in old.values() if set(e.get("regressions", ()))
               & set(e.get("progressions", ())))
    lines += ["", "## Regressions and progressions", "",
              f"Links changed on {changed_links} exercises; exercises listing a variant as "
              f"both easier and harder: {both} before, "
              f"{sum(1 for ex in library if set(ex.regressions) & set(ex.progressions))} now."]
    def weight(ex: Exercise) -> int:
        was = old[ex.id]
        return (ex.staple * 2 + bool(_changes(was, ex)[0]) + bool(ex.needs)
                + (list(was.get("regressions", ())) != list(ex.regressions)))

    ranked = sorted((ex for ex in library if ex.id in old and ex.id in plannable),
                    key=lambda ex: (ex.id not in FEATURED, -weight(ex), ex.id))
    picked = [ex for ex in ranked if _changes(old[ex.id], ex) != (set(), set())
              or ex.needs or old[ex.id].get("equipment") != ex.equipment][:EXAMPLES]
    lines += ["", f"## {len(picked)} examples", "",
              "| exercise | equipment | positions | what changed |", "|---|---|---|---|",
              *(_example(old[ex.id], ex, names) for ex in picked)]
    return "\n".join(lines) + "\n"
