"""Exercise library: derivation rules, the importer, the shipped table, find_alternative."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.derive import Overrides, movement_pattern
from planner.errors import ExerciseImportError, PlannerError, UnknownExercise
from planner.graph import find_alternative
from planner.importer import import_exercises, import_exercises_json
from planner.injuries import default_rules
from planner.io import LIBRARY_FILE, library_document, read_overrides
from planner.library import ExerciseLibrary
from planner.movement import seed_positions


def rec(name: str, primary: str, *, category: str = "strength", equipment: str | None = "barbell",
        mechanic: str | None = "compound", force: str | None = "push",
        secondary: list[str] | None = None, level: str = "beginner") -> dict[str, Any]:
    return {"id": name.replace(" ", "_"), "name": name, "primaryMuscles": [primary],
            "secondaryMuscles": secondary or [], "category": category, "equipment": equipment,
            "mechanic": mechanic, "force": force, "level": level,
            "instructions": ["step"], "images": ["a.jpg"]}


@pytest.mark.parametrize(("record", "pattern"), [
    (rec("Barbell Squat", "quadriceps"), "squat"),
    (rec("Dumbbell Lunges", "quadriceps"), "lunge"),
    (rec("Romanian Deadlift", "hamstrings", force="pull"), "hinge"),
    (rec("Barbell Hip Thrust", "glutes"), "hinge"),
    (rec("Leg Extensions", "quadriceps", mechanic="isolation", equipment="machine"), "isolation"),
    (rec("Barbell Bench Press", "chest"), "horizontal_push"),
    (rec("Dips - Chest Version", "chest"), "vertical_push"),
    (rec("Standing Military Press", "shoulders"), "vertical_push"),
    (rec("Side Lateral Raise", "shoulders", mechanic="isolation"), "isolation"),
    (rec("Face Pull", "shoulders", force="pull", equipment="cable"), "horizontal_pull"),
    (rec("Bent Over Barbell Row", "middle back", force="pull"), "horizontal_pull"),
    (rec("Wide-Grip Lat Pulldown", "lats", force="pull", equipment="cable"), "vertical_pull"),
    (rec("Machine Bicep Curl", "biceps", force="pull", equipment="machine",
         mechanic="isolation"), "isolation"),       # "machine" holds "chin": no vertical pull
    (rec("Plank", "abdominals", force="static", equipment="body only"), "core"),
    (rec("Farmers Walk", "forearms", category="strongman", equipment="other"), "carry"),
    (rec("Rowing, Stationary", "quadriceps", category="cardio", equipment="machine"),
     "conditioning"),
    (rec("Power Clean", "hamstrings", category="olympic weightlifting", force="pull"), "power"),
    (rec("Box Jump", "hamstrings", category="plyometrics", equipment="other"), "power"),
    (rec("Hamstring Stretch", "hamstrings", category="stretching"), "mobility"),
])
def test_movement_pattern_rules(record: dict[str, Any], pattern: str) -> None:
    assert movement_pattern(record) == pattern


@pytest.mark.parametrize(("record", "areas", "not_areas"), [
    (rec("Barbell Squat", "quadriceps", secondary=["lower back"]), {"knee", "lower_back"},
     {"shoulder"}),
    (rec("Standing Military Press", "shoulders"), {"shoulder"}, {"knee"}),
    (rec("Pushups", "chest", equipment="body only"), {"wrist"}, {"knee", "shoulder"}),
    (rec("Butt Lift Bridge", "glutes", equipment="body only"), set(), {"lower_back"}),
    (rec("Romanian Deadlift", "hamstrings", force="pull"), {"lower_back"}, {"knee"}),
    (rec("Standing Calf Raises", "calves", mechanic="isolation"), {"ankle"}, {"knee"}),
])
def test_contraindication_rules(record: dict[str, Any], areas: set[str],
                                not_areas: set[str]) -> None:
    positions = seed_positions(record, movement_pattern(record))
    found = set(default_rules().contraindications(positions))
    assert areas <= found and not (not_areas & found)


def test_import_keeps_facts_reports_bad_records_and_maps_expert() -> None:
    good = rec("Barbell Squat", "quadriceps", level="expert")
    records = [good, {"id": "x", "name": "No muscles", "level": "beginner",
                      "category": "strength", "primaryMuscles": []},
               dict(good), "not an object", rec("Bad Kit", "chest", equipment="spaceship")]
    report = import_exercises(records, Overrides())
    assert [e.id for e in report.exercises] == ["Barbell_Squat"]
    squat = report.exercises[0]
    assert squat.level == "advanced" and squat.pattern == "squat"
    assert "instructions" not in squat.model_dump()
    reasons = {r.index: r.reason for r in report.rejected}
    assert set(reasons) == {1, 2, 3, 4}
    assert "primaryMuscles" in reasons[1] and "duplicate" in reasons[2]
    assert "equipment" in reasons[4]


@pytest.mark.parametrize("payload", ["{not json", '{"a": 1}', "[]", '[{"id": "only"}]'])
def test_unusable_files_raise_one_clear_error(payload: str) -> None:
    with pytest.raises(ExerciseImportError):
        import_exercises_json(payload)


def test_shipped_library_is_what_the_rules_derive(shared_data: Path) -> None:
    """The committed table must be regenerable from the dataset with the committed rules."""
    text = (shared_data / "free-exercise-db" / "exercises.json").read_bytes()
    report = import_exercises_json(text, read_overrides())
    assert not report.rejected and len(report.exercises) == 873
    shipped = json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(library_document(report.exercises)))


def test_library_lookup_suggests_close_ids(library: ExerciseLibrary) -> None:
    with pytest.raises(UnknownExercise, match="Barbell_Squat"):
        library.get("Barbell_Sqaut")


@pytest.mark.parametrize(("start", "direction", "equipment", "avoid", "expect"), [
    ("Barbell_Squat", "easier", None, None, "Goblet_Squat"),          # curated link first
    ("Barbell_Squat", "easier", ["dumbbell"], None, None),             # any dumbbell squat
    ("Pushups", "easier", ["body only"], None, "Incline_Push-Up"),
    ("Pushups", "harder", ["box or step"], None, "Push-Ups_With_Feet_Elevated"),
    ("Pullups", "easier", ["pull-up bar", "bands"], None, "Band_Assisted_Pull-Up"),
    ("Barbell_Squat", "same", None, ["knee"], "NONE"),                 # every squat loads knees
])
def test_find_alternative(library: ExerciseLibrary, start: str, direction: str,
                          equipment: list[str] | None, avoid: list[str] | None,
                          expect: str | None) -> None:
    original = library.get(start)
    alt = find_alternative(start, direction, library=library, equipment=equipment, avoid=avoid)
    if expect == "NONE":
        assert alt is None
        return
    assert alt is not None and alt.id != start
    if expect:
        assert alt.id == expect
    if equipment:
        assert alt.fits_kit(frozenset(equipment))
    if avoid:
        assert not set(avoid) & set(alt.contraindications)
    if direction == "same" or expect is None:
        assert alt.pattern == original.pattern


def test_find_alternative_never_breaks_limits(library: ExerciseLibrary) -> None:
    for ex in list(library)[::7]:
        for direction in ("easier", "harder", "same"):
            alt = find_alternative(ex, direction, library=library, equipment=["dumbbell"],
                                   avoid=["shoulder", ex.id], level="intermediate")
            if alt is not None:
                assert alt.equipment in ("dumbbell", "body only") and not alt.needs
                assert "shoulder" not in alt.contraindications and alt.id != ex.id
                assert alt.level != "advanced" and not alt.specialty


def test_bad_direction_is_refused(library: ExerciseLibrary) -> None:
    with pytest.raises(PlannerError, match="easier, harder or same"):
        find_alternative("Pushups", "sideways", library=library)
