"""Start-up time of ``spotter up --demo`` to the first live tile.

Runs the same ``api.stack.Stack`` the CLI uses, on free ports and a fresh data dir, and
reports the time from start to each readiness milestone. Baseline, measured in the same
run: the same stack with Faust's default group timings (rebalance 60 s, session 60 s,
heartbeat 3 s), which is what a first consumer-group join against Tansu costs without the
short timings Spotter configures.

    .venv/bin/python bench/bench_startup.py [--runs 3] [--no-baseline]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
from pathlib import Path

from api.stack import Stack
from configs.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_run(**overrides: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), kafka_port=free_port(), api_port=free_port(),
                            **overrides)
        stack = Stack(settings, demo_members=8)
        try:
            stack.start()
            return dict(stack.timings)
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    milestones = list(runs[0])
    print(f"spotter up --demo, {args.runs} runs (seconds after start, median):")
    for name in milestones:
        values = [r[name] for r in runs]
        print(f"  {name:<26} {statistics.median(values):6.1f}  (min {min(values):.1f}, "
              f"max {max(values):.1f})")
    ours = statistics.median(r["first live tile"] for r in runs)
    if not args.no_baseline:
        base = one_run(broker_rebalance_timeout_s=60.0, broker_session_timeout_s=60.0,
                       broker_heartbeat_interval_s=3.0)
        print(f"baseline (Faust default group timings): first live tile "
              f"{base['first live tile']:.1f} s")
        print(f"ratio baseline/ours: {base['first live tile'] / ours:.2f}x faster")


if __name__ == "__main__":
    main()
