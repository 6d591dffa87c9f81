"""Event-time tumbling windows and sequence-number bookkeeping."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.windows import (
    SEQ_DUPLICATE,
    SEQ_NEW,
    SEQ_SPAN,
    SEQ_TOO_OLD,
    MemberWindows,
    SeqTracker,
)


@pytest.mark.parametrize(("seqs", "outcomes", "missing"), [
    ([1, 2, 3], [SEQ_NEW] * 3, 0),
    ([1, 2, 2, 1], [SEQ_NEW, SEQ_NEW, SEQ_DUPLICATE, SEQ_DUPLICATE], 0),
    ([1, 5], [SEQ_NEW, SEQ_NEW], 3),                  # 2, 3, 4 skipped
    ([1, 5, 3], [SEQ_NEW, SEQ_NEW, SEQ_NEW], 2),      # 3 filled in late
    ([1, 5, 3, 3], [SEQ_NEW, SEQ_NEW, SEQ_NEW, SEQ_DUPLICATE], 2),
    ([SEQ_SPAN + 10, 5], [SEQ_NEW, SEQ_TOO_OLD], 0),  # beyond the dedupe horizon
    ([1, 10**12], [SEQ_NEW, SEQ_NEW], 0),              # a wild jump: new sequence, not a gap
])
def test_seq_tracker(seqs: list[int], outcomes: list[int], missing: int) -> None:
    tracker = SeqTracker()
    assert [tracker.observe("s", seq) for seq in seqs] == outcomes
    assert tracker.missing == missing
    restored = SeqTracker.from_dict(json.loads(json.dumps(tracker.to_dict())))
    assert restored == tracker


def test_straps_are_tracked_separately() -> None:
    tracker = SeqTracker()
    assert tracker.observe("a", 1) == tracker.observe("b", 1) == SEQ_NEW


def windows() -> MemberWindows:
    return MemberWindows(size_s=1.0, grace_s=2.0)


def test_window_closes_after_grace_and_reports_its_numbers() -> None:
    state = windows()
    assert state.add("s", 1, 100.2, 120) == []
    assert state.add("s", 2, 100.7, 130) == []
    assert state.add("s", 3, 102.5, 140) == []   # 101 + 2 grace not yet passed
    closed = state.add("s", 4, 103.0, 141)       # watermark 103 >= 101 + 2
    assert [(w.start, w.samples, w.hr_avg, w.hr_last, w.hr_peak) for w in closed] == [
        (100.0, 2, 125.0, 130, 130)]


def test_late_sample_is_counted_not_merged() -> None:
    state = windows()
    for seq, t in enumerate([100.0, 101.0, 102.0, 103.0, 104.0]):
        state.add("s", seq, t, 120)
    assert state.add("s", 99, 100.5, 200) == []  # its window closed at watermark 103
    assert state.late_samples == 1
    assert all(w.hr_peak < 200 for w in state.open.values())


def test_out_of_order_within_grace_joins_its_window() -> None:
    state = windows()
    state.add("s", 1, 100.1, 120)
    state.add("s", 3, 101.1, 120)
    state.add("s", 2, 100.6, 160)  # older, but the 100 s window is still open
    closed = state.close_until(110.0)
    assert [(w.start, w.samples, w.hr_peak) for w in closed] == [(100.0, 2, 160), (101.0, 1, 120)]
    assert state.late_samples == 0


def test_redelivery_does_not_count_twice() -> None:
    state = windows()
    state.add("s", 1, 100.1, 120)
    state.add("s", 1, 100.1, 120)
    assert state.duplicate_samples == 1
    assert state.close_until(200.0)[0].samples == 1


def test_restarted_strap_counter_is_a_new_sequence() -> None:
    state = windows()
    state.add("s", SEQ_SPAN + 50, 100.0, 120)
    state.add("s", 0, 105.0, 121)  # far below, but newer in event time: edge restarted
    assert state.late_samples == 0 and state.seqs.hi["s"] == 0


def test_old_state_layout_with_seen_lists_still_loads() -> None:
    old = {"size_s": 1.0, "grace_s": 2.0, "watermark": 100.5,
           "open": {"100.0": {"start": 100.0, "end": 101.0, "samples": 1, "hr_sum": 120.0,
                              "hr_last": 120, "last_time": 100.5, "hr_peak": 120}},
           "last_closed_end": 0.0, "seen": {"s": [1, 2, 4]}, "max_seq": {"s": 4},
           "late_samples": 0, "duplicate_samples": 0, "missing_samples": 1}
    state = MemberWindows.from_dict(old)
    assert state.missing_samples == 1
    assert state.is_duplicate("s", 2)
    assert not state.is_duplicate("s", 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 0.99), st.integers(60, 200)), min_size=1, max_size=60),
       st.randoms(use_true_random=False))
def test_duplicates_and_reordering_within_grace_do_not_change_windows(
        steps: list[tuple[float, int]], rng) -> None:
    samples = [(seq, 1000.0 + seq + frac, hr) for seq, (frac, hr) in enumerate(steps)]
    in_order = windows()
    for seq, t, hr in samples:
        in_order.add("s", seq, t, hr)
    # arrival = event time + a delay under the grace period, plus redeliveries
    arrivals = sorted(samples + rng.sample(samples, len(samples) // 3),
                      key=lambda s: s[1] + rng.uniform(0, 1.9))
    shuffled = windows()
    for seq, t, hr in arrivals:
        shuffled.add("s", seq, t, hr)
    assert shuffled.late_samples == 0

    def closed(state: MemberWindows) -> list[tuple[float, int, float, int]]:
        return [(w.start, w.samples, w.hr_sum, w.hr_peak) for w in state.close_until(1e9)]

    assert closed(shuffled) == closed(in_order)


def test_state_round_trips_through_json() -> None:
    state = windows()
    for seq, t in enumerate([100.0, 100.5, 101.2, 103.9]):
        state.add("s", seq, t, 100 + seq)
    restored = MemberWindows.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()
    assert [w.start for w in restored.close_until(1e9)] == [
        w.start for w in state.close_until(1e9)]
