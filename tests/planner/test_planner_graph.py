"""One regression/progression graph: easier means easier on the same pattern, for this
member, and no exercise appears twice in a swap list."""

from __future__ import annotations

import pytest

from planner.graph import DIRECTIONS, Limits, alternatives, direction_of, swap_options
from planner.io import read_overrides
from planner.library import ExerciseLibrary
from planner.models import MemberProfile
from planner.vocab import LEVEL_RANK

LOAD_KIT = {"barbell", "dumbbell", "cable", "machine", "kettlebells", "e-z curl bar",
            "medicine ball"}


def test_bodyweight_squat_is_never_regressed_to_a_machine(library: ExerciseLibrary) -> None:
    """Issue 18: Hack Squat, Leg Press and Smith Machine Squat were its regressions."""
    squat = library.get("Bodyweight_Squat")
    assert not {library.get(i).equipment for i in squat.regressions} & LOAD_KIT
    easier = alternatives(squat, "easier", library, Limits())
    assert all(alt.equipment == "body only" for alt in easier)


def test_every_link_is_on_the_same_pattern_and_one_sided(library: ExerciseLibrary) -> None:
    curated = read_overrides().links
    for ex in library:
        assert not set(ex.regressions) & set(ex.progressions), ex.id
        assert ex.id not in ex.regressions + ex.progressions
        for other in ex.regressions + ex.progressions:
            assert library.get(other).pattern == ex.pattern, (ex.id, other)
        for easier in map(library.get, ex.regressions):
            assert LEVEL_RANK[easier.level] <= LEVEL_RANK[ex.level], (ex.id, easier.id)
            if ex.equipment == "body only" and easier.id not in curated.get(ex.id, {}).get(
                    "easier", ()):  # a coach's pull-up -> pulldown link is a stated choice
                assert easier.equipment == "body only" or "assisted" in easier.id.lower()


@pytest.mark.parametrize("kit", [{"body only"}, {"dumbbell", "bench"},
                                 {"pull-up bar", "bands"}, {"barbell", "bench", "machine"}])
def test_alternatives_are_what_the_member_can_do(library: ExerciseLibrary,
                                                 kit: set[str]) -> None:
    limits = Limits(kit=frozenset(kit), areas=frozenset({"knee"}), level="beginner")
    for ex in list(library.plannable)[::5]:
        for direction in DIRECTIONS:
            for alt in alternatives(ex, direction, library, limits):
                assert alt.fits_kit(frozenset(kit)) and "knee" not in alt.contraindications
                assert alt.level == "beginner" and alt.pattern == ex.pattern
                assert direction_of(ex, alt) == direction


def test_swap_options_list_each_exercise_once(library: ExerciseLibrary,
                                              gym_profile: MemberProfile) -> None:
    """Issue 17: the substitute list repeated an exercise as both "same" and "harder"."""
    limits = Limits.of(gym_profile)
    for ex in library.plannable:
        ids = [alt.id for alt, _ in swap_options(ex, library, limits)]
        assert len(ids) == len(set(ids)), ex.id


def test_dislikes_and_fixtures_shape_the_editor_list(library: ExerciseLibrary,
                                                     gym_profile: MemberProfile) -> None:
    bench = library.get("Barbell_Bench_Press_-_Medium_Grip")
    offered = dict((alt.id, d) for alt, d in swap_options(bench, library,
                                                          Limits.of(gym_profile)))
    assert offered.get("Dumbbell_Bench_Press") == "easier"
    no_bench = gym_profile.model_copy(update={"equipment": ["barbell", "dumbbell"],
                                              "preferences": gym_profile.preferences.model_copy(
                                                  update={"disliked": ["Pushups"]})})
    offered = {alt.id for alt, _ in swap_options(bench, library, Limits.of(no_bench))}
    assert "Dumbbell_Bench_Press" not in offered and "Pushups" not in offered
