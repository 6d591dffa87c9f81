"""Week layouts: split by frequency and level, spacing, slots."""

from __future__ import annotations

import pytest

from planner.split import WEEKDAYS, too_close, week_layout


@pytest.mark.parametrize(("days", "level", "split", "focuses"), [
    (1, "beginner", "full_body", ["full_body"]),
    (3, "advanced", "full_body", ["full_body"] * 3),
    (4, "intermediate", "upper_lower", ["upper", "lower", "upper", "lower"]),
    (5, "beginner", "upper_lower", ["upper", "lower", "conditioning", "upper", "lower"]),
    (5, "advanced", "push_pull_legs", ["upper", "lower", "push", "pull", "legs"]),
    (6, "intermediate", "push_pull_legs", ["push", "pull", "legs"] * 2),
    (7, "advanced", "push_pull_legs", ["push", "pull", "legs"] * 2 + ["conditioning"]),
])
def test_split_follows_frequency_and_level(days: int, level: str, split: str,
                                           focuses: list[str]) -> None:
    layout = week_layout(days, level, ["hypertrophy"])
    assert layout.split == split
    assert [s.focus for s in layout.sessions] == focuses
    assert [s.day for s in layout.sessions] == list(WEEKDAYS[days])


def test_full_body_days_are_never_back_to_back() -> None:
    for days in (2, 3):
        sessions = week_layout(days, "beginner", ["strength"]).sessions
        assert not any(too_close(a.day, b.day, 48) for a in sessions for b in sessions
                       if a.index < b.index)


def test_conditioning_goals_add_an_optional_conditioning_slot() -> None:
    plain = week_layout(3, "beginner", ["strength"]).sessions[0].slots
    mixed = week_layout(3, "beginner", ["strength", "fat_loss"]).sessions[0].slots
    assert "conditioning" not in [s.name for s in plain]
    assert [s for s in mixed if s.name == "conditioning" and not s.required]


@pytest.mark.parametrize(("a", "b", "close"), [(1, 2, True), (1, 3, False), (7, 1, True),
                                               (6, 1, False), (4, 4, True)])
def test_too_close_wraps_the_week(a: int, b: int, close: bool) -> None:
    assert too_close(a, b, 48) is close
