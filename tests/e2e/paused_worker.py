"""Fault injection for tests/e2e/test_worker_partition_watch.py: the real worker, plus a
timer that pauses heart-rate partition 1 the way Faust pauses partitions during a
rebalance, once, right after the worker joined, and never resumes it.

Run as ``python -m tests.e2e.paused_worker worker`` with the worker's usual environment.
"""

from __future__ import annotations

import sys

import faust

from configs.logging import configure_logging
from configs.settings import get_settings
from contract.topics import TOPIC_HR_SAMPLES
from streams.worker import create_app

PAUSED_PARTITION = 1


def main() -> None:
    configure_logging()
    app = create_app(get_settings())
    paused = {"done": False}

    @app.timer(interval=0.5)
    async def pause_one_partition() -> None:
        if paused["done"] or app.rebalancing:
            return
        tps = {tp for tp in app.consumer.assignment()
               if tp.topic == TOPIC_HR_SAMPLES and tp.partition == PAUSED_PARTITION}
        if tps:
            app.consumer.pause_partitions(tps)
            paused["done"] = True
            print(f"fault injected: paused {sorted(tps)}", file=sys.stderr, flush=True)

    faust.Worker(app, loglevel="info").execute_from_commandline()


if __name__ == "__main__":
    main()
