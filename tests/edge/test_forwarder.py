"""Store-and-forward against a scripted in-memory broker: whatever the broker does (down,
partial failures, lost acknowledgements), every record arrives, first copies in order per
key, duplicates only as exact copies. The real broker is in tests/e2e/test_edge_outage.py;
this model lets hypothesis try thousands of failure patterns in seconds."""

from __future__ import annotations

import asyncio
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from edge.buffer import DiskBuffer, Entry
from edge.config import EdgeSettings
from edge.forwarder import StoreAndForward

Outcome = str  # "ok" | "down" | "partial" | "lost_ack"


@dataclass
class ScriptedBroker:
    """Partitions by key like Kafka, one batch per partition per window (``batch`` records
    at most); each delivery follows the next scripted outcome, then "ok" forever."""

    outcomes: list[Outcome]
    partitions: int = 3
    batch: int = 5
    log: list[tuple[bytes, bytes]] = field(default_factory=list)
    starts: int = 0
    gate: asyncio.Event | None = None  # when set: deliveries wait for it

    async def start(self) -> None:
        self.starts += 1
        if self.outcomes and self.outcomes[0] == "down":
            self.outcomes.pop(0)
            raise ConnectionError("scripted: broker down")

    async def stop(self) -> None:
        return None

    async def deliver(self, window: Sequence[Entry]) -> list[bool]:
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "down":
            raise ConnectionError("scripted: broker down")
        taken: list[int] = []
        per_partition: dict[int, list[Entry]] = {}
        for entry in window:
            p = zlib.crc32(entry.key) % self.partitions
            if len(per_partition.setdefault(p, [])) == self.batch:
                break
            per_partition[p].append(entry)
            taken.append(p)
        ok = {}
        for p, batch in sorted(per_partition.items()):
            fail = outcome in ("partial", "lost_ack") and p % 2 == 0
            if not fail or outcome == "lost_ack":  # lost ack: written, reported failed
                self.log += [(e.key, e.value) for e in batch]
            ok[p] = not fail
        return [ok[p] for p in taken]


def fast(**overrides: object) -> EdgeSettings:
    values: dict[str, object] = dict(health_enabled=False, retry_initial_s=0.001,
                                     retry_max_s=0.004, flush_interval_s=0.005, memory_limit=20,
                                     window_records=50, drain_timeout_s=10)
    values.update(overrides)
    return EdgeSettings(**values)  # type: ignore[arg-type]


def check_log(log: list[tuple[bytes, bytes]], sent: dict[bytes, list[int]]) -> None:
    first: dict[bytes, list[int]] = {}
    seen: set[tuple[bytes, bytes]] = set()
    for key, value in log:
        if (key, value) not in seen:
            seen.add((key, value))
            first.setdefault(key, []).append(int(value))
    assert first == sent, "every record once, in the order it was produced, per key"


async def run_scenario(outcomes: list[Outcome], count: int, keys: int, directory: Path
                       ) -> ScriptedBroker:
    broker = ScriptedBroker(list(outcomes))
    buffer = DiskBuffer(directory / "buffer.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(broker, buffer, fast())
    await forwarder.start()
    for i in range(count):
        forwarder.submit("t", f"k{i % keys}", str(i).encode())
        if i % 7 == 0:
            await asyncio.sleep(0)
    assert await forwarder.drain(10)
    assert forwarder.pending == 0 and forwarder.counters.published >= count
    await forwarder.close()
    buffer.close()
    return broker


@settings(max_examples=40, deadline=None)
@given(outcomes=st.lists(st.sampled_from(["ok", "down", "partial", "lost_ack"]), max_size=25),
       count=st.integers(1, 300), keys=st.integers(1, 7))
def test_nothing_lost_nothing_reordered_whatever_the_broker_does(
        outcomes: list[Outcome], count: int, keys: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        broker = asyncio.run(run_scenario(outcomes, count, keys, Path(directory)))
    sent: dict[bytes, list[int]] = {}
    for i in range(count):
        sent.setdefault(f"k{i % keys}".encode(), []).append(i)
    check_log(broker.log, sent)


async def test_submit_never_waits_for_the_broker_and_memory_stays_bounded(tmp_path: Path
                                                                          ) -> None:
    broker = ScriptedBroker([], gate=asyncio.Event())  # the broker hangs
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(broker, buffer, fast(memory_limit=100))
    await forwarder.start()
    await asyncio.sleep(0.01)
    for i in range(5000):  # no await in between: a blocking submit would hang here
        forwarder.submit("t", "k", str(i).encode())
    assert forwarder.memory_depth < 2 * 100 + 50 and buffer.depth > 4500
    assert forwarder.pending == 5000
    broker.gate.set()  # type: ignore[union-attr]
    assert await forwarder.drain(10)
    await forwarder.close()
    buffer.close()
    check_log(broker.log, {b"k": list(range(5000))})


async def test_a_stopped_forwarder_leaves_its_backlog_on_disk_for_the_next(tmp_path: Path
                                                                           ) -> None:
    down = ScriptedBroker(["down"] * 1000)
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(down, buffer, fast())
    await forwarder.start()
    for i in range(30):
        forwarder.submit("t", "k", str(i).encode())
    await asyncio.sleep(0.05)
    assert not forwarder.broker_up and forwarder.last_error
    await forwarder.close(drain_timeout_s=0)
    assert buffer.depth == 30 and down.log == []
    buffer.close()

    up = ScriptedBroker([])
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(up, buffer, fast())
    await forwarder.start()
    forwarder.submit("t", "k", b"30")  # newer than the backlog: must come after it
    assert await forwarder.drain(5)
    await forwarder.close()
    buffer.close()
    check_log(up.log, {b"k": list(range(31))})


async def test_lag_and_latency_are_measured_from_arrival(tmp_path: Path) -> None:
    broker = ScriptedBroker([], gate=asyncio.Event())
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(broker, buffer, fast())
    await forwarder.start()
    forwarder.submit("t", "k", b"0", produced_at=1000.0)
    await asyncio.sleep(0.01)
    assert forwarder.lag_s(now=1002.5) == 2.5
    broker.gate.set()  # type: ignore[union-attr]
    assert await forwarder.drain(5)
    assert forwarder.lag_s() == 0.0
    assert forwarder.latency_quantiles()["p50"] > 1e8  # produced "in 1970": long ago
    await forwarder.close()
    buffer.close()


async def test_records_leave_the_box_under_wire_ids_signed_as_they_travel(tmp_path: Path
                                                                         ) -> None:
    """Members go out under their wire ids (contract.pseudonyms), keyed by them, and the
    signature covers the wire form the worker reads; the disk buffer holds only that."""
    from contract.records import HeartRateSample, RosterEntry
    from contract.signing import Signer, verify

    broker = ScriptedBroker([])
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**9, "NORMAL").open()
    forwarder = StoreAndForward(broker, buffer, fast())
    forwarder.wire_ids = {"ann": "bk-0001"}
    forwarder.signer = Signer.derive("s3cret", "box-1", "room-1", "c1")
    await forwarder.start()
    await forwarder.publish("spotter.hr.samples", "ann", HeartRateSample(
        class_session_id="c1", member_id="ann", strap_id="S1", seq=0,
        event_time=1_765_000_000.0, hr_bpm=120))
    forwarder.submit_record("spotter.class.roster", "ann", RosterEntry(
        class_session_id="c1", member_id="ann", display_name="Ann Smith"))
    forwarder.submit_record("spotter.hr.samples", "zed", HeartRateSample(  # no wire id
        class_session_id="c1", member_id="zed", strap_id="S2", seq=0,
        event_time=1_765_000_000.0, hr_bpm=120))
    assert await forwarder.drain(5)
    await forwarder.close()
    buffer.close()
    assert {k for k, _ in broker.log} == {b"bk-0001", b"zed"}
    assert not any(b"ann" in k + v or b"Ann" in v for k, v in broker.log)
    raw = next(v for k, v in broker.log if k == b"bk-0001" and b"hr_sample" in v)
    sample = HeartRateSample.model_validate_json(raw)
    assert sample.member_id == "bk-0001"
    assert verify("s3cret", sample, raw).device_id == "box-1"
