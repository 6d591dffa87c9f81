"""Zone maths: Tanaka HRmax, %HRmax / Karvonen intensity, zone lookup (hand-computed)."""

from __future__ import annotations

import pytest

from streams.zones import ZoneModel, estimate_hr_max, intensity, zone_for

KARVONEN = ZoneModel(basis="hrr")


@pytest.mark.parametrize(("age", "hr_max", "expected"), [
    (20, None, 194),   # Tanaka: 208 - 0.7 * 20 = 194
    (40, None, 180),   # 208 - 28
    (60, None, 166),   # 208 - 42
    (None, None, 184),  # default age 35: 183.5, rounded half to even
    (40, 171, 171),    # a measured HRmax wins over the estimate
])
def test_estimate_hr_max(age: int | None, hr_max: int | None, expected: int) -> None:
    assert estimate_hr_max(age, hr_max) == expected


@pytest.mark.parametrize(("hr", "hr_max", "hr_rest", "basis", "expected"), [
    (150, 200, None, "hrmax", 0.75),
    (200, 200, None, "hrmax", 1.0),
    (125, 200, 50, "hrr", 0.5),    # Karvonen: (125 - 50) / (200 - 50)
    (50, 200, 50, "hrr", 0.0),
    (140, 200, None, "hrr", 0.5714),  # default resting 60: 80 / 140
])
def test_intensity(hr: float, hr_max: int, hr_rest: int | None, basis: str,
                   expected: float) -> None:
    assert intensity(hr, hr_max, hr_rest, basis) == pytest.approx(expected, abs=1e-4)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fraction", "expected"), [
    (0.0, 0), (0.49, 0), (0.50, 1), (0.5999, 1), (0.60, 2), (0.70, 3), (0.79, 3),
    (0.80, 4), (0.90, 5), (1.10, 5),
])
def test_zone_for_default_bounds_are_inclusive_below(fraction: float, expected: int) -> None:
    assert zone_for(fraction) == expected


def test_zone_model_refuses_bounds_that_do_not_rise() -> None:
    with pytest.raises(ValueError, match="rise strictly"):
        ZoneModel(lower_bounds=(0.5, 0.6, 0.6, 0.8, 0.9))
    with pytest.raises(ValueError):
        ZoneModel(lower_bounds=(0.0, 0.6, 0.7, 0.8, 0.9))


def test_karvonen_zones_use_the_reserve() -> None:
    # HRmax 200, rest 50: 140 bpm is 70 % HRmax (zone 3) but 60 % HRR (zone 2).
    assert zone_for(intensity(140, 200, 50, "hrmax")) == 3
    assert zone_for(intensity(140, 200, 50, "hrr"), KARVONEN) == 2
