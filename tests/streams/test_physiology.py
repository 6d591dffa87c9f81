"""Published formulas with hand-computed expectations, the per-bpm table and HRV filtering.

Sources: Tanaka et al. 2001 (HRmax), Morton, Fitz-Clarke & Banister 1990 / Banister 1991
(TRIMP weighting), Keytel et al. 2005 (energy expenditure), issue 4 (RR artefact rules).
"""

from __future__ import annotations

import pytest

from streams.insight_config import default_insight_config
from streams.physiology import (
    HrvAccumulator,
    MemberProfile,
    banister_weight,
    keytel_kcal_per_min,
    learned_resting_hr,
    rate_table,
    resolve_physiology,
    tanaka_hr_max,
)

CFG = default_insight_config()
SHORT_HRV = CFG.model_copy(update={"hrv": CFG.hrv.model_copy(update={"min_pairs": 1})})


@pytest.mark.parametrize(("age", "expected"), [(20, 194), (30, 187), (45, 176), (70, 159)])
def test_tanaka(age: int, expected: int) -> None:
    assert tanaka_hr_max(age) == expected  # 208 - 0.7 * age, rounded


@pytest.mark.parametrize(("x", "sex", "expected"), [
    (0.5, "male", 0.835743),    # 0.5 * 0.64 * e^0.96
    (1.0, "male", 4.365413),    # 0.64 * e^1.92
    (0.5, "female", 0.991070),  # 0.5 * 0.86 * e^0.835
    (1.0, "female", 4.568464),  # 0.86 * e^1.67
    (0.5, None, 0.913406),      # mean of the two weightings
    (0.0, "male", 0.0),
])
def test_banister_trimp_per_minute(x: float, sex: str | None, expected: float) -> None:
    assert banister_weight(x, sex) == pytest.approx(expected, abs=1e-5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("hr", "sex", "weight", "age", "expected"), [
    # male: (-55.0969 + 0.6309*150 + 0.1988*75 + 0.2017*35) / 4.184 = 61.5076 / 4.184
    (150, "male", 75.0, 35, 14.700669),
    # female: (-20.4022 + 0.4472*150 - 0.1263*60 + 0.0740*30) / 4.184 = 41.3198 / 4.184
    (150, "female", 60.0, 30, 9.875669),
    # mean of both equations at 150 bpm, 75 kg, 35 y
    (150, "other", 75.0, 35, 12.105987),
    # -3.27 kJ/min predicted at rest: clamped to 0
    (60, "male", 50.0, 20, 0.0),
    (150, "male", None, 35, None),
    (150, "male", 75.0, None, None),
])
def test_keytel_kcal_per_minute(hr: int, sex: str, weight: float | None, age: int | None,
                                expected: float | None) -> None:
    got = keytel_kcal_per_min(hr, sex, weight, age)  # type: ignore[arg-type]
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-5))


def test_keytel_thirty_minutes_matches_the_published_worked_example() -> None:
    # 75 kg man, 35 y, 150 bpm for 30 min: "about 441 kcal" (Keytel calculators).
    assert 30 * keytel_kcal_per_min(150, "male", 75.0, 35) == pytest.approx(441.0, abs=0.1)  # type: ignore[operator]


@pytest.mark.parametrize(("profile", "learned", "hr_max", "max_src", "hr_rest", "rest_src"), [
    (MemberProfile(age=40, hr_max=190, hr_rest=55), 50, 190, "profile", 55, "profile"),
    (MemberProfile(age=40), None, 180, "tanaka", 60, "default"),
    (MemberProfile(age=40), 52, 180, "tanaka", 52, "learned"),
    (MemberProfile(), None, 184, "default", 60, "default"),
    # a resting HR too close to HRmax is pulled down to keep a usable reserve
    (MemberProfile(hr_max=100, hr_rest=95), None, 100, "profile", 80, "profile"),
])
def test_resolve_physiology(profile: MemberProfile, learned: int | None, hr_max: int,
                            max_src: str, hr_rest: int, rest_src: str) -> None:
    phys = resolve_physiology(profile, learned_hr_rest=learned)
    assert (phys.hr_max, phys.hr_max_source, phys.hr_rest, phys.hr_rest_source) == (
        hr_max, max_src, hr_rest, rest_src)


def test_rate_table_agrees_with_the_formulas() -> None:
    phys = resolve_physiology(MemberProfile(age=35, sex="male", weight_kg=75.0, hr_max=200,
                                            hr_rest=50))
    table = rate_table(phys)
    # 150 bpm: 75 % HRmax -> zone 3 (3 points/min); HRR fraction 100/150
    assert table.zone[150] == 3
    assert table.effort_per_s[150] * 60 == pytest.approx(3.0)
    assert table.trimp_per_s[150] * 60 == pytest.approx(1.534566, abs=1e-6)
    assert table.kcal_per_s is not None
    assert table.kcal_per_s[150] * 60 == pytest.approx(14.700669, abs=1e-5)
    assert table.kcal_per_s[99] == 0.0  # below 50 % HRmax: no calories (Myzone practice)
    assert table.engaged[140] and not table.engaged[139]
    assert rate_table(phys) is table  # cached per physiology


def test_no_calories_without_weight() -> None:
    assert rate_table(resolve_physiology(MemberProfile(age=30, sex="female"))).kcal_per_s is None


@pytest.mark.parametrize(("hist", "expected"), [
    ({60: 10, 62: 80, 70: 10}, 60),   # 5th percentile of 100 samples is in the 60 bucket
    ({48: 1, 61: 99}, 61),            # one low artefact does not set the resting HR
    ({60: 30}, None),                 # fewer than 60 samples: not learned
])
def test_learned_resting_hr(hist: dict[int, int], expected: int | None) -> None:
    assert learned_resting_hr(hist, 5.0, 60) == expected


def rmssd_of(beats: list[float], chunks: int = 1) -> tuple[float | None, int, int]:
    hrv = HrvAccumulator.empty()
    size = max(1, len(beats) // chunks)
    for start in range(0, len(beats), size):
        hrv.add_beats(beats[start:start + size], SHORT_HRV)
    hrv.break_run(SHORT_HRV)
    return hrv.rmssd(1), hrv.pairs, hrv.rejected


@pytest.mark.parametrize(("beats", "expected", "pairs", "rejected"), [
    # diffs 10, -20, 10, 20 -> mean square 250
    ([800, 810, 790, 800, 820], 15.811388, 4, 0),
    # 1200 is > 20 % off its neighbourhood median (800): rejected, and no pair spans it
    ([800, 810, 1200, 800, 790, 805], 11.902381, 3, 1),
    # 250 ms is outside 300-2000 ms: rejected, breaks the run
    ([800, 250, 810, 820], 10.0, 1, 1),
    ([800, 2100, 810], None, 0, 1),
])
def test_rmssd_with_artefact_filtering(beats: list[float], expected: float | None,
                                       pairs: int, rejected: int) -> None:
    for chunks in (1, 2, len(beats)):  # however the beats are split across notifications
        got, got_pairs, got_rejected = rmssd_of(beats, chunks)
        assert got == (None if expected is None else pytest.approx(expected, abs=1e-5))
        assert (got_pairs, got_rejected) == (pairs, rejected)


def test_rmssd_needs_enough_pairs() -> None:
    hrv = HrvAccumulator.empty()
    hrv.add_beats([800.0, 810.0, 805.0], CFG)
    hrv.break_run(CFG)
    assert hrv.pairs == 2 and hrv.rmssd(CFG.hrv.min_pairs) is None
