"""Form insights: reps per set, fault rate, most common fault, repeated-fault alerts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.form import FormFact, FormInsight, fault_label
from streams.insight_config import RepeatedFormFaultRule

RULE = RepeatedFormFaultRule(window_reps=5, min_faulty_reps=3, cooldown_s=120.0,
                             set_gap_s=30.0)


def rep(t: float, index: int, *faults: str, exercise: str = "squat") -> FormFact:
    return FormFact(station_id="s1", exercise=exercise, event_time=t, rep_index=index,
                    faults=tuple(faults))


def feed(insight: FormInsight, facts: list[FormFact]) -> list:
    alerts = []
    for fact in facts:
        alerts += insight.observe(fact, "c1", "m1", RULE)
    return alerts


@pytest.mark.parametrize(("faults", "alerts"), [
    ([(), (), (), (), ()], 0),                                   # clean
    ([("knees_caving",), (), ("knees_caving",), (), ()], 0),     # 2 of 5: not yet
    ([("knees_caving",), (), ("knees_caving",), ("knees_caving",)], 1),  # 3 of the last 4
    ([("shallow",), ("knees_caving",), ("shallow",), ("knees_caving",), ("shallow",)], 1),
    ([("a", "b"), ("a", "b"), ("a", "b")], 2),                   # two patterns at once
])
def test_a_fault_in_most_recent_reps_raises_one_alert(faults, alerts) -> None:
    insight = FormInsight()
    raised = feed(insight, [rep(10.0 + 3 * i, i, *f) for i, f in enumerate(faults)])
    assert len(raised) == alerts
    for alert in raised:
        assert alert.rule == "repeated_form_fault" and alert.severity == RULE.severity


def test_the_cooldown_holds_a_repeat_and_the_id_is_stable() -> None:
    facts = [rep(10.0 + 3 * i, i, "knees_caving") for i in range(12)]
    first = feed(FormInsight(), facts)
    assert len(first) == 1  # 12 faulty reps within 36 s: one cue, the cooldown is 120 s
    later = feed(FormInsight(), facts + [rep(200.0, 13, "knees_caving"),
                                         rep(203.0, 14, "knees_caving"),
                                         rep(206.0, 15, "knees_caving")])
    assert len(later) == 2
    again = feed(FormInsight(), facts)  # the same events on another worker: the same id
    assert again[0].alert_id == first[0].alert_id


def test_a_redelivered_event_is_skipped() -> None:
    insight = FormInsight()
    fact = rep(10.0, 1, "knees_caving")
    feed(insight, [fact, fact, fact])
    assert (insight.reps, insight.duplicates, insight.fault_counts) == (
        1, 2, {"knees_caving": 1})


def test_sets_split_on_a_pause_or_a_new_exercise() -> None:
    insight = FormInsight()
    feed(insight, [rep(0, 1), rep(3, 2), rep(6, 3, "shallow"),       # set 1: 3 reps
                   rep(60, 1), rep(63, 2),                             # pause > 30 s
                   rep(66, 1, exercise="push-up")])                    # a new move
    summary = insight.summary()
    assert summary["reps_per_set"] == [3, 2, 1]
    assert [s["exercise"] for s in summary["sets"]] == ["squat", "squat", "push-up"]
    assert summary["fault_rate"] == round(1 / 6, 3)
    assert summary["most_common_fault"] == "shallow"
    tile = insight.tile()
    assert tile == {"exercise": "push-up", "set_reps": 1, "reps": 6,
                    "last_fault": "shallow", "fault_rate": round(1 / 6, 3)}


def test_a_plank_hold_counts_time_not_reps() -> None:
    insight = FormInsight()
    insight.observe(FormFact("s1", "plank", 40.0, None, ("hip_drop",), duration_s=35.5),
                    "c1", "m1", RULE)
    assert (insight.reps, insight.hold_s, insight.fault_counts) == (0, 35.5, {"hip_drop": 1})


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["", "a", "b"])), max_size=40))
def test_state_round_trips_and_counts_add_up(events) -> None:
    insight = FormInsight()
    t = 0.0
    for gap, fault in events:
        t += gap * 20.0 + 1.0
        insight.observe(rep(t, int(t), *([fault] if fault else [])), "c", "m", RULE)
    copy = FormInsight.from_dict(insight.to_dict())
    assert copy == insight
    assert sum(s["reps"] for s in insight.sets) == insight.reps
    assert insight.faulty_reps == sum(1 for _, f in events if f)


@pytest.mark.parametrize(("raw", "label"), [("knees_caving", "knees caving"),
                                            ("hip-sag", "hip sag")])
def test_fault_labels_read_as_words(raw, label) -> None:
    assert fault_label(raw) == label
