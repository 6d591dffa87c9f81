"""Zone maths: %HRmax / Karvonen intensity and zone lookup (hand-computed)."""

from __future__ import annotations

import pytest

from streams.zones import ZoneModel, intensity, zone_for

KARVONEN = ZoneModel(basis="hrr")


@pytest.mark.parametrize(("hr", "hr_max", "hr_rest", "basis", "expected"), [
    (150, 200, 60, "hrmax", 0.75),    # %HRmax ignores the resting HR
    (200, 200, 60, "hrmax", 1.0),
    (125, 200, 50, "hrr", 0.5),    # Karvonen: (125 - 50) / (200 - 50)
    (50, 200, 50, "hrr", 0.0),
    (140, 200, 60, "hrr", 0.5714),   # 80 / 140
])
def test_intensity(hr: float, hr_max: int, hr_rest: int, basis: str,
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
