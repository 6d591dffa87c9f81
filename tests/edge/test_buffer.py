"""The disk outbox: order by ordinal, bounded with counted eviction, one process at a time,
sequence checkpoints that never reuse a number."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES
from edge.buffer import BufferError, DiskBuffer, Entry


def entry(ordinal: int, topic: str = TOPIC_HR_SAMPLES, size: int = 100) -> Entry:
    return Entry(ordinal, topic, b"m1", b"x" * (size - 2), 1_700_000_000.0 + ordinal)


def open_buffer(tmp_path: Path, max_bytes: int = 1_000_000) -> DiskBuffer:
    return DiskBuffer(tmp_path / "buffer.sqlite", max_bytes, "NORMAL").open()


def test_rows_come_back_in_ordinal_order_whatever_order_they_were_written(tmp_path: Path
                                                                          ) -> None:
    buffer = open_buffer(tmp_path)
    buffer.append([entry(5), entry(6)])
    buffer.append([entry(3), entry(4)])  # a failed window put back after newer records
    assert [e.ordinal for e in buffer.head(10)] == [3, 4, 5, 6]
    assert (buffer.depth, buffer.payload_bytes) == (4, 400)
    buffer.delete(buffer.head(2))
    assert [e.ordinal for e in buffer.head(10)] == [5, 6]
    assert (buffer.depth, buffer.payload_bytes, buffer.counters.replayed) == (2, 200, 2)
    buffer.close()


def test_records_survive_a_restart(tmp_path: Path) -> None:
    buffer = open_buffer(tmp_path)
    buffer.append([entry(1), entry(2, TOPIC_CLASS_EVENTS)])
    buffer.close()
    again = open_buffer(tmp_path)
    assert [(e.ordinal, e.topic) for e in again.head(10)] == [(1, TOPIC_HR_SAMPLES),
                                                              (2, TOPIC_CLASS_EVENTS)]
    assert again.head(1)[0].value == entry(1).value and again.last_ordinal() == 2
    again.close()


def test_a_full_buffer_evicts_the_oldest_samples_and_keeps_class_events(tmp_path: Path
                                                                        ) -> None:
    buffer = open_buffer(tmp_path, max_bytes=1000)
    buffer.append([entry(1, TOPIC_CLASS_EVENTS)] + [entry(i) for i in range(2, 11)])
    assert buffer.counters.evicted == 0
    buffer.append([entry(11), entry(12)])  # 1200 bytes > 1000: evict down to 990
    kept = [e.ordinal for e in buffer.head(100)]
    assert kept[0] == 1, "the class event stays"
    assert kept == [1] + list(range(5, 13)), "the oldest samples went first"
    assert buffer.counters.evicted == 3 and buffer.payload_bytes <= 1000
    buffer.close()


def test_only_one_agent_may_use_a_buffer(tmp_path: Path) -> None:
    first = open_buffer(tmp_path)
    with pytest.raises(BufferError, match="another edge agent"):
        open_buffer(tmp_path)
    first.close()
    open_buffer(tmp_path).close()  # free again once closed


def test_an_unreadable_buffer_file_gets_advice(tmp_path: Path) -> None:
    (tmp_path / "buffer.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BufferError, match="move it aside"):
        open_buffer(tmp_path)
    open_buffer(tmp_path / "elsewhere").close()  # and the lock was released


@pytest.mark.parametrize(("clean", "expected"), [(True, 8), (False, 8 + 4096)])
def test_sequences_resume_exactly_or_jump_after_a_crash(tmp_path: Path, clean: bool,
                                                        expected: int) -> None:
    buffer = open_buffer(tmp_path)
    buffer.save_sequences({"AA": 8})
    if clean:
        buffer.close()
    else:  # the process died: the lock goes with it, the clean mark is never written
        buffer._release()
        buffer._db = None
    again = open_buffer(tmp_path)
    assert again.load_sequences(skip=4096) == {"AA": expected}
    again.close()
