"""``kill -USR1 <worker pid>``: the worker prints what it is waiting on.

A stream worker that stops moving data rarely crashes; it waits. Asyncio's own task
stacks stop at the first awaited task or async generator, which is exactly where Faust's
agents live, so this walks the await chain through coroutines, async generators and
generator-based awaitables down to the future a task waits for, and prints the
consumer's flow state next to it (paused partitions, positions, unacked records).
Output goes to stderr, i.e. the worker's log; nothing changes state.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from types import FrameType
from typing import Any, TextIO

MAX_DEPTH = 40
# Awaitables that hide the generator or coroutine they drive (``await actor`` in Faust's
# agents goes through a coroutine_wrapper, ``async for`` through asend objects).
_WRAPPERS = {"async_generator_asend": "async_generator",
             "async_generator_athrow": "async_generator",
             "coroutine_wrapper": "coroutine"}


def _where(frame: FrameType | None) -> str | None:
    if frame is None:
        return None
    return f"  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}"


def await_chain(obj: Any) -> list[str]:
    """Frames from ``obj`` (a coroutine, async generator or generator) to what it awaits."""
    lines: list[str] = []
    for _ in range(MAX_DEPTH):
        frame = (getattr(obj, "cr_frame", None) or getattr(obj, "ag_frame", None)
                 or getattr(obj, "gi_frame", None))
        where = _where(frame)
        if where:
            lines.append(where)
        nxt = (getattr(obj, "cr_await", None) or getattr(obj, "ag_await", None)
               or getattr(obj, "gi_yieldfrom", None))
        kind = type(obj).__name__
        if nxt is None and kind == "FutureIter":  # ``await future`` in C asyncio
            futures = [r for r in gc.get_referents(obj) if isinstance(r, asyncio.Future)]
            nxt = futures[0] if futures else None
        elif nxt is None and kind in _WRAPPERS:
            # these wrappers do not expose what they wrap; the garbage collector knows it
            owners = [r for r in gc.get_referents(obj) if type(r).__name__ == _WRAPPERS[kind]]
            nxt = owners[0] if owners else None
        if nxt is None:
            break
        if isinstance(nxt, asyncio.Future):
            lines.append(f"  awaits {nxt!r}"[:300])
            break
        obj = nxt
    return lines


def consumer_state(app: Any) -> list[str]:
    """The Faust consumer's flow state, best effort (private attributes may move)."""
    consumer = app.consumer
    lines = [f"assignment: {sorted(consumer.assignment())!r}",
             f"suspend_flow={consumer.suspend_flow.is_set()} "
             f"flow_active={app.flow_control.is_active()} "
             f"rebalancing={app.rebalancing} in_recovery={app.in_recovery}"]
    for name in ("_active_partitions", "_paused_partitions", "_buffered_partitions",
                 "_read_offset"):
        lines.append(f"consumer {name}: {getattr(consumer, name, None)!r}"[:2000])
    try:
        lines.append(f"unacked records: {len(consumer._unacked_messages)}")
        inner = consumer._thread._consumer
        lines.append(f"aiokafka paused: {inner.paused()!r}")
        assignment = inner._subscription.subscription.assignment
        for tp in inner.assignment():
            state = assignment.state_value(tp)
            lines.append(f"aiokafka {tp} position={state._position} "
                         f"highwater={state.highwater} status={state._status} "
                         f"paused={state.paused}")
    except Exception as exc:  # noqa: BLE001 - diagnostics must never break the worker
        lines.append(f"aiokafka state unavailable: {exc!r}")
    return lines


def dump_state(app: Any, loop: asyncio.AbstractEventLoop, out: TextIO | None = None) -> None:
    stream = out or sys.stderr
    for line in consumer_state(app):
        print(line, file=stream)
    for task in asyncio.all_tasks(loop):
        print(f"--- task {task.get_name()}", file=stream)
        for line in await_chain(task.get_coro()):
            print(line, file=stream)
    stream.flush()


def install_state_dump(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Print :func:`dump_state` whenever the process receives SIGUSR1."""
    loop.add_signal_handler(signal.SIGUSR1, dump_state, app, loop)
