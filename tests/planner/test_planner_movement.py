"""Contraindications come from joint positions and the injury rules; kit from fixtures too."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from planner.derive import movement_pattern
from planner.errors import PlanInfeasible
from planner.fixtures import seed_needs
from planner.generator import generate_plan
from planner.injuries import default_rules
from planner.io import EQUIPMENT_FILE, POSITIONS_FILE, read_overrides
from planner.library import ExerciseLibrary
from planner.models import Injury, MemberProfile
from planner.movement import seed_positions
from planner.vocab import FIXTURES, INJURY_AREAS, POSITIONS


@pytest.mark.parametrize(("exercise", "position", "area"), [
    ("Triceps_Overhead_Extension_with_Rope", "overhead_loaded", "shoulder"),   # issue 18
    ("Straight-Arm_Dumbbell_Pullover", "overhead_loaded", "shoulder"),
    ("Standing_Military_Press", "overhead_loaded", "shoulder"),
    ("Upright_Barbell_Row", "shoulder_end_range", "shoulder"),
    ("Pullups", "hanging", "shoulder"),
    ("Barbell_Squat", "deep_knee_flexion", "knee"),
    ("Leg_Extensions", "open_chain_knee_extension", "knee"),
    ("Crunches", "loaded_spinal_flexion", "lower_back"),
    ("Romanian_Deadlift", "loaded_spinal_flexion", "lower_back"),
    ("Hyperextensions_Back_Extensions", "loaded_spinal_extension", "lower_back"),
    ("Pushups", "loaded_wrist_extension", "wrist"),
    ("EZ-Bar_Skullcrusher", "elbow_loaded_end_range", "elbow"),
    ("Star_Jump", "impact", "ankle"),
    ("Standing_Calf_Raises", "loaded_plantarflexion", "ankle"),
    ("Sumo_Deadlift", "wide_hip_abduction", "hip"),
    ("Barbell_Shrug", "cervical_load", "neck"),
])
def test_library_files_exercises_under_positions_and_rules_keep_them_from_the_area(
        library: ExerciseLibrary, exercise: str, position: str, area: str) -> None:
    ex = library.get(exercise)
    assert position in ex.positions
    assert area in ex.contraindications


@pytest.mark.parametrize(("exercise", "area"), [
    ("Plank", "lower_back"), ("Butt_Lift_Bridge", "lower_back"), ("Goblet_Squat", "shoulder"),
    ("Seated_Cable_Rows", "shoulder"), ("Leg_Press", "wrist"), ("Dumbbell_Bench_Press", "knee"),
])
def test_positions_do_not_overreach(library: ExerciseLibrary, exercise: str, area: str) -> None:
    assert area not in library.get(exercise).contraindications


def test_every_library_entry_follows_the_rules_exactly(library: ExerciseLibrary) -> None:
    """Contraindications are the rules applied to the positions, nothing else."""
    rules = default_rules()
    for ex in library:
        assert set(ex.positions) <= set(POSITIONS)
        assert ex.contraindications == rules.contraindications(ex.positions), ex.id


def test_each_injury_area_has_one_rule_with_a_named_source() -> None:
    rules = default_rules()
    assert sorted(r.area for r in rules.rule) == sorted(INJURY_AREAS)
    for rule in rules.rule:
        assert rule.avoid and rule.why
        for key in rule.source.split(","):
            assert len(rules.sources[key.strip()]) > 40   # a real citation, not a tag


def _raw(shared_data: Path) -> dict[str, dict[str, object]]:
    text = (shared_data / "free-exercise-db" / "exercises.json").read_text(encoding="utf-8")
    return {r["id"]: r for r in json.loads(text)}


def test_curated_entries_name_real_exercises_change_the_seed_and_say_why(
        shared_data: Path) -> None:
    raw = _raw(shared_data)
    overrides = read_overrides()
    for path, seed in ((POSITIONS_FILE, "positions"), (EQUIPMENT_FILE, "needs")):
        for ex_id, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            assert ex_id in raw, f"{path.name}: {ex_id} is not in the dataset"
            assert len(entry["reason"]) > 15
            record = raw[ex_id]
            pattern = overrides.pattern.get(ex_id) or movement_pattern(record)
            if seed == "positions":
                seeded = set(seed_positions(record, pattern))
                assert not set(entry.get("add", [])) <= seeded or not entry.get("add")
                assert set(entry.get("remove", [])) <= seeded
            else:
                changed = ("needs" in entry and tuple(map(tuple, entry["needs"]))
                           != seed_needs(record, pattern)) or (
                    "equipment" in entry and entry["equipment"] != record["equipment"])
                assert changed, f"{ex_id}: the entry repeats what the rules already give"


@pytest.mark.parametrize(("exercise", "needs"), [
    ("V-Bar_Pullup", {"pull-up bar"}), ("Pullups", {"pull-up bar"}),
    ("Dips_-_Triceps_Version", {"dip station"}), ("Dumbbell_Step_Ups", {"box or step", "bench"}),
    ("Barbell_Bench_Press_-_Medium_Grip", {"bench"}), ("Dumbbell_Flyes", {"bench"}),
    ("Ring_Dips", {"rings or suspension trainer"}),
    ("Inverted_Row", {"rings or suspension trainer", "barbell"}),
])
def test_fixtures_are_kit(library: ExerciseLibrary, exercise: str, needs: set[str]) -> None:
    ex = library.get(exercise)
    assert set().union(*ex.needs) == needs
    assert not ex.fits_kit(frozenset({"body only"}))
    assert ex.fits_kit(frozenset({ex.equipment, *needs}))


def test_body_only_never_gets_a_fixture_exercise(library: ExerciseLibrary) -> None:
    """The issue's V-Bar Pullup case: labelled body only upstream, needs a bar."""
    body_only = [ex for ex in library.plannable if ex.fits_kit(frozenset({"body only"}))]
    assert body_only and all(not ex.needs and ex.equipment == "body only" for ex in body_only)
    assert "V-Bar_Pullup" not in {ex.id for ex in body_only}


def test_a_body_only_endurance_beginner_is_told_what_kit_pulls_need(
        library: ExerciseLibrary) -> None:
    profile = MemberProfile(member_id="m", age=30, sex="female", body_weight_kg=60,
                            goals=["endurance"], fitness_level="beginner", days_per_week=3,
                            minutes_per_session=45, equipment=["body only"])
    with pytest.raises(PlanInfeasible) as refused:
        generate_plan(profile, 8, library=library)
    assert any("pull-up bar" in r for r in refused.value.reasons), refused.value.reasons
    with_bar = profile.model_copy(update={"equipment": ["pull-up bar", "bands"],
                                          "fitness_level": "intermediate"})
    plan = generate_plan(with_bar, 8, library=library)
    for item in (i for w in plan.weeks for s in w.sessions for i in s.exercises):
        assert library.get(item.exercise_id).fits_kit(with_bar.available_equipment)


def test_shoulder_injury_gets_no_loaded_overhead_work(library: ExerciseLibrary,
                                                      gym_profile: MemberProfile) -> None:
    profile = gym_profile.model_copy(update={"injuries": [Injury(area="shoulder")],
                                             "equipment": [*gym_profile.equipment,
                                                           *FIXTURES]})
    plan = generate_plan(profile, 6, library=library)
    avoided = default_rules().avoided(["shoulder"])
    for item in (i for w in plan.weeks for s in w.sessions for i in s.exercises):
        assert not avoided & set(library.get(item.exercise_id).positions), item.name
