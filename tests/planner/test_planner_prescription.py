"""Dose maths against published tables and formulas (sources in configs/planner.toml)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.config import PlannerConfig
from planner.models import Exercise, LoggedSet
from planner.prescription import (
    brzycki,
    chart_percent,
    epley,
    estimate_one_rep_maxes,
    estimate_set,
    percent_for,
    prescribe,
    reps_for,
    round_load,
)


@pytest.mark.parametrize(("reps", "percent"), [
    (1, 100.0), (2, 95.0), (5, 87.0), (6, 85.0), (10, 75.0), (12, 67.0),  # NSCA table
    (1.5, 97.5),                                                           # between rows
    (13, 67.0 - 2.78), (20, 67.0 - 8 * 2.78),                              # Brzycki slope
    (60, 30.0),                                                            # floor
])
def test_chart_percent_follows_the_nsca_table(config: PlannerConfig, reps: float,
                                              percent: float) -> None:
    assert chart_percent(reps, config.chart) == pytest.approx(percent)


@pytest.mark.parametrize(("reps", "rpe", "same_as"), [(5, 10, 5), (5, 8, 7), (3, 9.5, 3.5),
                                                      (8, 7, 11)])
def test_rpe_means_reps_in_reserve(config: PlannerConfig, reps: int, rpe: float,
                                   same_as: float) -> None:
    assert percent_for(reps, rpe, config.chart) == pytest.approx(
        chart_percent(same_as, config.chart))


@pytest.mark.parametrize(("load", "reps", "expected_epley", "expected_brzycki"), [
    (100, 1, 100.0, 100.0), (100, 5, 116.667, 112.5), (60, 10, 80.0, 80.0),
    (80, 3, 88.0, 84.706)])
def test_one_rep_max_formulas(load: float, reps: int, expected_epley: float,
                              expected_brzycki: float) -> None:
    assert epley(load, reps) == pytest.approx(expected_epley, abs=1e-3)
    assert brzycki(load, reps) == pytest.approx(expected_brzycki, abs=1e-3)


def _set(reps: int, load: float = 100, rpe: float | None = None, day: int = 1) -> LoggedSet:
    return LoggedSet(exercise_id="Barbell_Squat", date=date(2025, 1, day), load_kg=load,
                     reps=reps, rpe=rpe)


@pytest.mark.parametrize(("logged", "expected"), [
    (_set(5), 116.667),                       # Epley
    (_set(5, rpe=8), 100 * 100 / 83.0),       # chart at 5 + 2 reps
    (_set(10), 133.333),                      # still inside max_reps
    (_set(11), None),                         # too many reps to estimate
    (_set(15, rpe=7), None),
])
def test_estimate_from_one_set(config: PlannerConfig, logged: LoggedSet,
                               expected: float | None) -> None:
    got = estimate_set(logged, config.one_rep_max, config.chart)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-3))


def test_best_recent_estimate_ignores_old_and_long_sets(config: PlannerConfig) -> None:
    history = [_set(3, load=150, day=1),                      # old: outside the window
               LoggedSet(exercise_id="Barbell_Squat", date=date(2025, 3, 1), load_kg=100,
                         reps=5),
               LoggedSet(exercise_id="Barbell_Squat", date=date(2025, 3, 2), load_kg=80,
                         reps=15)]                             # long: ignored
    found = estimate_one_rep_maxes(history, config.one_rep_max, config.chart)
    assert found["Barbell_Squat"].kg == pytest.approx(116.7)
    assert found["Barbell_Squat"].from_set.reps == 5


@pytest.mark.parametrize(("kg", "equipment", "expected"), [
    (81.3, "barbell", 82.5), (80.9, "barbell", 80.0), (13.1, "dumbbell", 14.0),
    (0.4, "barbell", 2.5), (17.0, "kettlebells", 16.0)])
def test_loads_round_to_real_plates(config: PlannerConfig, kg: float, equipment: str,
                                    expected: float) -> None:
    assert round_load(kg, equipment, config.loads.rounding_kg) == expected


def test_heavier_days_get_fewer_reps(config: PlannerConfig) -> None:
    row = config.dose_row("hypertrophy", "main", "intermediate")
    assert reps_for(row, 0.0) == 12 and reps_for(row, 1.0) == 6 and reps_for(row, 0.5) == 9


def test_prescription_uses_history_then_rpe_and_deload_is_lighter(config: PlannerConfig) -> None:
    squat = Exercise(id="Barbell_Squat", name="Barbell Squat", primary_muscles=("quadriceps",),
                     equipment="barbell", level="beginner", category="strength",
                     mechanic="compound", pattern="squat")
    row = config.dose_row("strength", "main", "advanced")
    one_rm = estimate_one_rep_maxes([_set(5)], config.one_rep_max, config.chart)["Barbell_Squat"]
    kwargs = {"heaviness": 1.0, "rir": 1, "level_rank": 2, "percent_mode": False,
              "config": config}
    with_history = prescribe(squat, row, deload=False, one_rm=one_rm, **kwargs)
    assert with_history.reps == 3 and with_history.intensity.load_kg is not None
    pct = 100 * with_history.intensity.load_kg / one_rm.kg
    assert row.percent_1rm[0] - 3 <= pct <= row.percent_1rm[1] + 3
    fresh = prescribe(squat, row, deload=False, one_rm=None, **kwargs)
    assert fresh.intensity.rpe == 9.0
    deload = prescribe(squat, row, deload=True, one_rm=one_rm, **kwargs)
    assert deload.intensity.load_kg < with_history.intensity.load_kg
    assert prescribe(squat, row, deload=True, one_rm=None, **kwargs).intensity.rpe == 7.0
