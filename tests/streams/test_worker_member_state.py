"""A member's worker state: waiting for the roster, chart buckets, strap status, and a
state that survives encoding (the changelog) without changing any number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.form import FormFact, FormInsight
from streams.insight_config import default_alert_rules, default_insight_config
from streams.member_state import MemberState, sample_in
from streams.metrics import MemberSession
from streams.physiology import MemberProfile

CONFIG, RULES = default_insight_config(), default_alert_rules()
PROFILE = MemberProfile(age=40, sex="female", weight_kg=62.0, hr_max=190, hr_rest=55)
T0 = 1_700_000_000.0


def samples(n: int, start: int = 0, hr=lambda i: 120 + (i % 40)) -> list[tuple]:
    return [sample_in("strap", i, T0 + i, hr(i), [], True, "chest") for i in range(start, n)]


def take(state: MemberState, items: list[tuple], profile=PROFILE, now: float = 0.0,
         max_waiting: int = 600) -> list:
    return state.take(items, profile, now, max_waiting=max_waiting, config=CONFIG, rules=RULES)


def reference(items: list[tuple], profile=PROFILE) -> dict:
    session = MemberSession.new("c", "m", profile, config=CONFIG, rules=RULES)
    session.add_many(items)
    session.finalize()
    return session.totals().model_dump()


def finish(state: MemberState) -> dict:
    assert state.session is not None
    state.session.finalize()
    return state.session.totals().model_dump()


def test_samples_wait_for_the_profile_then_count_with_it() -> None:
    state = MemberState("c", "m", 0)
    assert take(state, samples(5), profile=None, now=100.0) == []
    assert state.session is None and len(state.waiting) == 5
    take(state, samples(60, 5), profile=PROFILE, now=101.0)
    assert state.session is not None and not state.waiting
    assert finish(state) == reference(samples(60))


def test_without_a_profile_the_member_starts_on_defaults_after_the_wait() -> None:
    state = MemberState("c", "m", 0)
    take(state, samples(3), profile=None, now=100.0)
    assert not state.wait_expired(104.0, 5.0) and state.wait_expired(105.0, 5.0)
    state.start(None, config=CONFIG, rules=RULES)
    assert state.session is not None
    assert state.session.table.physiology.hr_max_source == "default"


def test_a_flood_of_waiting_samples_starts_the_member_early() -> None:
    state = MemberState("c", "m", 0)
    take(state, samples(10), profile=None, max_waiting=8)
    assert state.session is not None and not state.waiting
    assert state.session.counters["samples"] + len(state.session.pending) == 10


@pytest.mark.parametrize(("silent_s", "status"), [(0.5, "live"), (4.9, "live"),
                                                  (5.0, "stale"), (14.9, "stale"),
                                                  (15.0, "dropped")])
def test_strap_status_follows_the_silence(silent_s, status) -> None:
    state = MemberState("c", "m", 0)
    take(state, samples(10))
    last = T0 + 9
    assert state.strap_status(last + silent_s, 5.0, 15.0) == status


def test_chart_buckets_average_the_closed_windows() -> None:
    state = MemberState("c", "m", 0)
    closed = take(state, samples(35, hr=lambda i: 95 if i < 10 else 152))
    buckets = state.add_windows(closed, 10.0)
    assert [(b.start - T0, b.seconds) for b in buckets] == [(0, 10), (10, 10), (20, 10)]
    assert [b.fraction for b in buckets] == [0.5, 0.8, 0.8]  # 95 and 152 of HRmax 190
    assert state.bucket is not None and state.bucket[0] == T0 + 30  # still open
    assert [b.start - T0 for b in state.flush_bucket()] == [30]  # closed at the class end
    assert state.bucket is None


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 299), st.lists(st.integers(0, 299), max_size=20))
def test_encoding_the_state_mid_class_changes_no_number(cut, redelivered) -> None:
    """Split the class anywhere, encode and decode the state (a takeover), redeliver some
    samples: the totals are those of one uninterrupted pass."""
    items = samples(300, hr=lambda i: 90 + (i * 7) % 100)
    state = MemberState("c", "m", 3, name="Mo")
    take(state, items[:cut])
    state.form = FormInsight()
    state.form.observe(FormFact("s", "squat", T0 + 5, 1, ("shallow",)), "c", "m",
                       RULES.repeated_form_fault)
    restored = MemberState.from_bytes(state.to_bytes(), config=CONFIG, rules=RULES)
    assert (restored.partition, restored.name, restored.form) == (3, "Mo", state.form)
    take(restored, [items[i] for i in redelivered if i < cut] + items[cut:])
    assert finish(restored) | {"duplicate_samples": 0} == reference(items) | {
        "duplicate_samples": 0}


def test_the_tile_shows_form_only_when_a_camera_saw_the_member() -> None:
    state = MemberState("c", "m", 0, name="Mo")
    take(state, samples(5))
    assert "form" not in state.tile()
    state.form = FormInsight()
    state.form.observe(FormFact("s", "squat", T0, 1, ("knees_caving",)), "c", "m",
                       RULES.repeated_form_fault)
    tile = state.tile()
    assert tile["name"] == "Mo" and tile["form"]["last_fault"] == "knees caving"
    assert tile["hr"] == samples(5)[-1][3]
