"""Heart-rate ingest throughput: how many strap packets one core decodes per second.

Run: ``.venv/bin/python bench/bench_ingest.py`` (about half a minute). Prints a table and
writes it to ``bench/results/ingest.md``.

Measured in the same run, on the same packets:

* ``parse_heart_rate_measurement`` (ours) against two baselines that decode the same
  fields to the same result: a naive parser that slices and ``struct.unpack``s field by
  field, and a hex-string parser (``bytes.hex()`` then ``int(text[i:j], 16)``), the style
  of many gatttool scripts;
* the full notification path of the BLE client (arrival stamps, parse, counters, queue),
  i.e. the callback bleak invokes for every packet;
* Polar advertisement decoding (connectionless mode).

The issue's target is 100 straps at 4 Hz, i.e. 400 packets/s on one core: the table shows
what share of a core that costs. Rates are per CPU second of this process, so jobs sharing
the machine disturb them less than wall-clock rates.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.advertising import decode_polar_manufacturer_data  # noqa: E402
from ingest.ble import BleHeartRateSource, BleSettings  # noqa: E402
from ingest.hrm_protocol import parse_heart_rate_measurement  # noqa: E402
from ingest.source import HeartRateMeasurement  # noqa: E402

TARGET_PACKETS_PER_S = 100 * 4  # issue 3: 100 straps at 4 Hz on one core

# Captured packets (Polar H7, unbranded strap, Polar H10; see tests/ingest/test_hrm_protocol.py)
TYPICAL = [bytes.fromhex(h) for h in ("16 3c 11 04", "16 3c f5 03", "06 3c", "16 34 e4 04",
                                      "10 3b 53 04")]
# Every field: uint16 HR, contact, energy, nine RR intervals (the most a 23-byte MTU fits).
HEAVY = [bytes.fromhex("1f 8c 00 d2 04" + "00 04" * 9)]
GARBAGE = [bytes.fromhex(h) for h in ("11 3c", "10 3c 11", "00 3c 11 04")]
POLAR_ADVERTS = [bytes.fromhex(h) for h in ("2b 0b b6 ac", "72 06 7f 44 37 00 00 00 33 00 3c")]


def naive_struct_parser(data: bytes) -> HeartRateMeasurement:
    """Baseline: field by field with struct on slices (same checks, same result)."""
    if len(data) < 2:
        raise ValueError("short")
    (flags,) = struct.unpack("<B", data[0:1])
    if flags & 1:
        if len(data) < 3:
            raise ValueError("short")
        (hr,) = struct.unpack("<H", data[1:3])
        i = 3
    else:
        (hr,) = struct.unpack("<B", data[1:2])
        i = 2
    bits = (flags >> 1) & 3
    contact = None if bits < 2 else bits == 3
    energy = None
    if flags & 8:
        if len(data) < i + 2:
            raise ValueError("short")
        (energy,) = struct.unpack("<H", data[i:i + 2])
        i += 2
    raw: list[int] = []
    if flags & 16:
        if len(data) == i or (len(data) - i) % 2:
            raise ValueError("bad rr")
        while i < len(data):
            (value,) = struct.unpack("<H", data[i:i + 2])
            raw.append(value)
            i += 2
    elif len(data) != i:
        raise ValueError("trailing")
    return HeartRateMeasurement(hr, contact, energy, tuple(raw),
                                tuple(r * 1000 / 1024 for r in raw))


def hex_string_parser(data: bytes) -> HeartRateMeasurement:
    """Baseline: via the hex text, as gatttool-era scripts do (same checks, same result)."""
    text = data.hex()
    if len(text) < 4:
        raise ValueError("short")
    flags = int(text[0:2], 16)
    if flags & 1:
        if len(text) < 6:
            raise ValueError("short")
        hr, i = int(text[4:6] + text[2:4], 16), 6
    else:
        hr, i = int(text[2:4], 16), 4
    bits = (flags >> 1) & 3
    contact = None if bits < 2 else bits == 3
    energy = None
    if flags & 8:
        if len(text) < i + 4:
            raise ValueError("short")
        energy, i = int(text[i + 2:i + 4] + text[i:i + 2], 16), i + 4
    raw = []
    if flags & 16:
        if len(text) == i or (len(text) - i) % 4:
            raise ValueError("bad rr")
        for j in range(i, len(text), 4):
            raw.append(int(text[j + 2:j + 4] + text[j:j + 2], 16))
    elif len(text) != i:
        raise ValueError("trailing")
    return HeartRateMeasurement(hr, contact, energy, tuple(raw),
                                tuple(r * 1000 / 1024 for r in raw))


def rates(works: Sequence[Callable[[], int]], repeats: int) -> list[float]:
    """Best-of-``repeats`` items per CPU second for each contender. CPU time of this
    process (not wall time) because the machine is shared: time spent descheduled while
    other jobs run is not ours. Runs are interleaved so cache and frequency effects from
    other jobs hit every contender alike."""
    best = [0.0] * len(works)
    for _ in range(repeats):
        for i, work in enumerate(works):
            started = time.process_time()
            items = work()
            best[i] = max(best[i], items / max(time.process_time() - started, 1e-9))
    return best


def decode_all(parser: Callable[[bytes], object], packets: Sequence[bytes], n: int
               ) -> Callable[[], int]:
    batch = [packets[i % len(packets)] for i in range(n)]

    def work() -> int:
        for packet in batch:
            try:  # noqa: SIM105 (try is cheaper than suppress() in the timed loop)
                parser(packet)
            except ValueError:
                pass
        return n

    return work


def notification_path(n: int) -> Callable[[], int]:
    """The callback bleak calls per notification, on a source with one registered strap."""
    radio_free = BleSettings(adapters=["hci0"], reading_queue_size=n + 10)
    source = BleHeartRateSource(radio_free)
    # Register one strap the way an advertisement would (without scanning hardware).
    from ingest.ble import StrapCounters, _Strap
    from ingest.source import StrapState, StrapStatus
    sid = "C0:FF:EE:00:00:01"
    source._straps[sid] = _Strap(sid, kind="chest")
    source._status[sid] = StrapStatus(sid, StrapState.STREAMING)
    source.counters[sid] = StrapCounters()
    batch = [TYPICAL[i % len(TYPICAL)] for i in range(n)]

    def work() -> int:
        source._queue.clear()
        for packet in batch:
            source._on_notification(sid, None, bytearray(packet))
        return n

    return work


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                     if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="packets per timed run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results" / "ingest.md")
    args = parser.parse_args()
    n, k = args.n, args.repeats
    for packet in TYPICAL + HEAVY:  # the baselines must agree with ours, or the race is void
        assert naive_struct_parser(packet) == hex_string_parser(packet) == \
            parse_heart_rate_measurement(packet)

    rows: list[tuple[str, float, float, float]] = []
    for label, packets in (("typical (captured, 0-1 RR)", TYPICAL),
                           ("heavy (all fields, 9 RR)", HEAVY),
                           ("malformed (error path)", GARBAGE)):
        ours, naive, hexed = rates([decode_all(parse_heart_rate_measurement, packets, n),
                                    decode_all(naive_struct_parser, packets, n),
                                    decode_all(hex_string_parser, packets, n)], k)
        rows.append((label, ours, naive, hexed))
    callback = asyncio.run(_in_loop(lambda: rates([notification_path(n)], k)[0]))
    adverts = rates([decode_all(decode_polar_manufacturer_data, POLAR_ADVERTS, n)], k)[0]

    lines = [
        "# Ingest benchmark (heart-rate packet decoding)", "",
        "Command: `.venv/bin/python bench/bench_ingest.py` "
        f"(n={n} packets per run, best of {k} interleaved runs, rates per CPU second of the "
        f"benchmark process).", f"Machine: {machine()}; a 2-core VM shared with other jobs "
        "while this ran (load average above 2), so absolute figures are noisy; the ratios "
        "come from the same run.", "",
        "| packets | ours (packets/s) | naive struct (packets/s) | hex text (packets/s) "
        "| ours / naive | ours / hex |", "|---|---:|---:|---:|---:|---:|",
    ]
    for label, ours, naive, hexed in rows:
        lines.append(f"| {label} | {ours:,.0f} | {naive:,.0f} | {hexed:,.0f} "
                     f"| {ours / naive:.2f}x | {ours / hexed:.2f}x |")
    share = TARGET_PACKETS_PER_S / callback * 100
    lines += [
        "", "| path | items/s | µs per item |", "|---|---:|---:|",
        f"| BLE notification callback (stamp + parse + queue) | {callback:,.0f} "
        f"| {1e6 / callback:.2f} |",
        f"| Polar advertisement decode | {adverts:,.0f} | {1e6 / adverts:.2f} |", "",
        f"Target load, 100 straps x 4 Hz = {TARGET_PACKETS_PER_S} packets/s, costs "
        f"{share:.3f} % of one core in the notification callback "
        f"({callback / TARGET_PACKETS_PER_S:,.0f}x headroom). Radio and BlueZ/D-Bus time "
        "is not included (no adapter on the bench machine).", "",
        "Notes: all three parsers apply the same checks and build the same "
        "`HeartRateMeasurement` (asserted before timing). On malformed packets ours is "
        "no faster than the baselines (often slower): its error keeps the packet bytes, "
        "reason and advice for the log line, where the baselines raise a bare `ValueError`. "
        "Malformed packets are rare, and even this path handles far more than the target load.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


async def _in_loop(fn: Callable[[], float]) -> float:
    """The source creates asyncio primitives, so it is built inside a running loop."""
    return fn()


if __name__ == "__main__":
    main()
