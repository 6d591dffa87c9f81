"""Conditioning goals get cardio sessions in the member's heart-rate zones, the live
board's zones, lengthening over the weeks."""

from __future__ import annotations

import pytest

from configs.hr_zones import default_zone_bands
from planner.cardio import heart_rate
from planner.config import PlannerConfig
from planner.generator import generate_plan
from planner.library import ExerciseLibrary
from planner.models import MemberProfile, Plan
from planner.validation import check_plan
from streams.insight_config import default_insight_config
from streams.zones import TANAKA_INTERCEPT, TANAKA_SLOPE, intensity, zone_for


@pytest.fixture(scope="module")
def runner(gym_profile: MemberProfile) -> MemberProfile:
    return gym_profile.model_copy(update={
        "member_id": "runner", "goals": ["endurance", "general_fitness"], "days_per_week": 4,
        "age": 40, "hr_max": None, "hr_rest": 55, "training_history": []})


def cardio_items(plan: Plan, week: int) -> list:  # type: ignore[type-arg]
    return [i for s in plan.weeks[week - 1].sessions for i in s.exercises if i.heart_rate]


def test_planner_zones_are_the_live_boards() -> None:
    """The planner reads the zone bands through configs; the board through streams. A
    heart rate inside a planned zone's bpm is that zone on the board."""
    bands = default_zone_bands()
    board = default_insight_config().zones
    assert (bands.basis, bands.lower_bounds) == (board.basis, board.lower_bounds)
    for age in (18, 35, 52, 77):
        hr_max = bands.hr_max(age)
        assert hr_max == round(TANAKA_INTERCEPT - TANAKA_SLOPE * age)   # the board's HRmax
        for zone in range(1, 6):
            lo, hi = bands.bpm_range(zone, hr_max, 60)
            for bpm in (lo + 1, (lo + hi) // 2, hi - 1):
                got = zone_for(intensity(bpm, hr_max, 60, board.basis), board.model())
                assert got == zone, (age, zone, bpm)


def test_endurance_weeks_hold_steady_and_interval_sessions_in_zones(
        runner: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    plan = generate_plan(runner, 8, library=library, config=config)
    focuses = [s.focus for s in plan.weeks[0].sessions]
    assert focuses.count("conditioning") == 2 and focuses.count("full_body") == 2
    blocks = [s.exercises[0] for s in plan.weeks[0].sessions if s.focus == "conditioning"]
    steady = next(b for b in blocks if b.sets == 1)
    intervals = next(b for b in blocks if b.sets > 1)
    hr_max = 208 - round(0.7 * 40)
    assert steady.heart_rate is not None and steady.heart_rate.zones == (2, 3)
    assert steady.heart_rate.bpm == (round(0.6 * hr_max), round(0.8 * hr_max))
    assert intervals.heart_rate is not None and intervals.heart_rate.zones == (4, 4)
    assert intervals.heart_rate.recovery_zone == 2
    assert "zone" in steady.reason and "bpm" in intervals.reason
    assert check_plan(plan, runner, library, config) == []


def test_blocks_lengthen_over_the_weeks_and_deloads_ease_off(
        runner: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    plan = generate_plan(runner.model_copy(update={"minutes_per_session": 75}), 10,
                         library=library, config=config)
    steady = [next(i for s in w.sessions if s.focus == "conditioning" for i in s.exercises
                   if i.sets == 1) for w in plan.weeks]
    loading = [b.duration_seconds for b, w in zip(steady, plan.weeks, strict=True)
               if not w.deload]
    assert loading == sorted(loading) and loading[-1] > loading[0]
    deload = next(i for i, w in enumerate(plan.weeks) if w.deload)
    assert steady[deload].heart_rate is not None
    assert steady[deload].heart_rate.zones == (1, 2)
    assert (steady[deload].duration_seconds or 0) < (steady[deload - 1].duration_seconds or 0)


def test_class_days_carry_the_conditioning_with_zones_to_aim_for(
        runner: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    member = runner.model_copy(update={"class_days": [3, 6]})
    plan = generate_plan(member, 6, library=library, config=config)
    classes = [s for s in plan.weeks[0].sessions if s.in_class]
    assert [s.day for s in classes] == [3, 6]
    assert all(s.heart_rate == heart_rate(member, "intervals", False, config)
               and not s.exercises for s in classes)
    strength = [s.day for s in plan.weeks[0].sessions if not s.in_class]
    assert len(strength) == 2 and not set(strength) & {3, 6}
    assert check_plan(plan, member, library, config) == []


def test_a_measured_hrmax_and_resting_hr_are_used(runner: MemberProfile,
                                                   config: PlannerConfig) -> None:
    fit = runner.model_copy(update={"hr_max": 200})
    assert heart_rate(fit, "steady", False, config).bpm == (120, 160)
    assert heart_rate(fit, "steady", False, config).hr_max == 200


def test_fat_loss_strength_sessions_end_with_a_zoned_finisher(
        gym_profile: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    member = gym_profile.model_copy(update={"goals": ["hypertrophy", "fat_loss"],
                                            "member_id": "fl"})
    plan = generate_plan(member, 4, library=library, config=config)
    finishers = cardio_items(plan, 1)
    assert finishers and all(f.heart_rate and f.heart_rate.zones == (4, 5) for f in finishers)


def test_a_plan_made_before_zones_gets_them_on_its_next_edit(
        runner: MemberProfile, library: ExerciseLibrary, config: PlannerConfig) -> None:
    from planner.editing import ItemEdit, edit_plan

    plan = generate_plan(runner, 4, library=library, config=config)
    old = plan.model_copy(deep=True)
    for week in old.weeks:
        for session in week.sessions:
            for item in session.exercises:
                item.heart_rate = None
    assert any("heart-rate" in str(v) for v in check_plan(old, runner, library, config))
    strength = next(s for s in old.weeks[0].sessions if s.focus != "conditioning")
    edited = edit_plan(old, [ItemEdit(week=1, day=strength.day, index=0,
                                      rest_seconds=strength.exercises[0].rest_seconds)],
                       library, config, runner)
    assert check_plan(edited, runner, library, config) == []
