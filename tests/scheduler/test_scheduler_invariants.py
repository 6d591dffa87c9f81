"""Invariants checked on generated inputs (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.demand import demand_for
from scheduler.diff import diff_schedules
from scheduler.greedy import greedy_schedule
from scheduler.instances import generate_instance
from scheduler.options import build_options
from scheduler.schemas import Schedule, ScheduledClass
from scheduler.scoring import change_term
from scheduler.solve import to_classes
from scheduler.studio import Studio
from scheduler.timegrid import to_hhmm, to_minutes
from scheduler.validation import validate_schedule

PAIR_RULES = {"room_double_booked", "trainer_double_booked", "changeover_gap",
              "trainer_max_hours", "max_sessions"}


@given(st.integers(0, 24 * 60))
def test_clock_round_trip(minutes: int) -> None:
    assert to_minutes(to_hhmm(minutes)) == minutes


classes = st.builds(
    lambda t, d, h, r, tr: ScheduledClass(class_type=t, day=d, start=f"{h:02d}:00",
                                          end=f"{h + 1:02d}:00", room=r, trainer=tr),
    st.sampled_from(["Yoga", "HIIT"]), st.sampled_from(["Mon", "Tue"]), st.integers(7, 9),
    st.sampled_from(["A", "B"]), st.sampled_from(["Tara", "Sam"]))


@given(st.lists(classes, max_size=6), st.lists(classes, max_size=6))
def test_diff_accounts_for_every_class(before: list[ScheduledClass],
                                       after: list[ScheduledClass]) -> None:
    diff = diff_schedules(before, after)
    assert diff.unchanged + sum(1 for c in diff.changes if c.before is not None) == len(before)
    assert diff.unchanged + sum(1 for c in diff.changes if c.after is not None) == len(after)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.data())
def test_greedy_and_its_subsets_keep_the_coupled_rules(seed: int, data: st.DataObject) -> None:
    inst = generate_instance("tiny", seed)
    studio = Studio.build(inst)
    options = build_options(studio, demand_for(inst))
    week = to_classes(options, greedy_schedule(studio, options))
    assert validate_schedule(inst, Schedule(classes=week)) == []
    subset = data.draw(st.lists(st.sampled_from(week), unique_by=id)) if week else []
    found = {v.constraint for v in validate_schedule(inst, Schedule(classes=subset))}
    assert not found & PAIR_RULES  # dropping classes never creates a clash
    assert change_term(studio, week, week).value == 0
    dropped = len(week) - len(subset)
    assert dropped <= change_term(studio, subset, week).value <= 2 * dropped
