"""A partition is stalled when records wait on the broker and the worker's position has
not moved for a while; busy, idle and freshly moved partitions are not."""

from __future__ import annotations

import pytest

from streams.partition_watch import PartitionProgress, StallWatch


def at(position: int | None, end: int | None) -> PartitionProgress:
    return PartitionProgress(position=position, end_offset=end)


def test_records_waiting_and_no_progress_for_long_enough_is_a_stall() -> None:
    watch = StallWatch(stall_after_s=20)
    assert watch.observe(0, {1: at(100, 180)}) == []
    assert watch.observe(19, {1: at(100, 180)}) == []
    assert watch.observe(20, {1: at(100, 250)}) == [1]


def test_a_stall_is_reported_once_until_the_partition_moves_again() -> None:
    watch = StallWatch(stall_after_s=10)
    watch.observe(0, {3: at(5, 9)})
    assert watch.observe(10, {3: at(5, 9)}) == [3]
    assert watch.observe(30, {3: at(5, 9)}) == []
    assert watch.observe(31, {3: at(9, 9)}) == []  # caught up: episode over
    watch.observe(32, {3: at(9, 40)})
    assert watch.observe(42, {3: at(9, 40)}) == [3]


def test_a_partition_that_keeps_reading_is_never_stalled_however_far_behind() -> None:
    watch = StallWatch(stall_after_s=5)
    for second in range(60):
        assert watch.observe(second, {0: at(second * 10, 10_000)}) == []


def test_an_idle_partition_with_nothing_waiting_is_not_stalled() -> None:
    watch = StallWatch(stall_after_s=5)
    for second in range(60):
        assert watch.observe(second, {2: at(42, 42)}) == []


def test_unknown_positions_or_end_offsets_decide_nothing() -> None:
    watch = StallWatch(stall_after_s=5)
    for second in range(60):
        assert watch.observe(second, {0: at(None, 50), 1: at(10, None)}) == []


def test_a_rebalance_resets_the_clock() -> None:
    watch = StallWatch(stall_after_s=10)
    watch.observe(0, {1: at(0, 80)})
    watch.reset()
    assert watch.observe(9, {1: at(0, 80)}) == []
    assert watch.observe(19, {1: at(0, 80)}) == [1]


def test_partitions_that_left_are_forgotten() -> None:
    watch = StallWatch(stall_after_s=10)
    watch.observe(0, {1: at(0, 80)})
    watch.observe(5, {})
    assert watch.observe(12, {1: at(0, 80)}) == []


def test_the_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        StallWatch(stall_after_s=0)


def test_only_partitions_that_did_not_move_are_worth_asking_about() -> None:
    watch = StallWatch(stall_after_s=10)
    watch.observe(0, {0: at(5, None), 1: at(7, None), 2: at(None, None)})
    assert watch.unmoved({0: 5, 1: 9, 2: None, 3: 4}) == [0]
