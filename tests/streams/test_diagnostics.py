"""The state dump follows a stuck task down to what it waits on, through the async
generators and awaitable wrappers where asyncio's own task stacks stop."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Generator
from typing import Any

from streams.diagnostics import await_chain, dump_state


class Actor:
    """Awaits like Faust's actor objects: ``__await__`` hands out the coroutine's own."""

    def __init__(self, coro: Any) -> None:
        self.coro = coro

    def __await__(self) -> Generator[Any, None, Any]:
        return self.coro.__await__()


async def test_the_chain_reaches_the_future_through_generators_and_wrappers() -> None:
    gate = asyncio.Event()

    async def samples() -> AsyncIterator[int]:
        await gate.wait()
        yield 1

    async def heart_rate_agent() -> None:
        async for _ in samples():
            pass

    async def execute_actor(actor: Actor) -> None:
        await actor

    task = asyncio.create_task(execute_actor(Actor(heart_rate_agent())))
    await asyncio.sleep(0.01)
    names = " ".join(await_chain(task.get_coro()))
    try:
        for frame in ("execute_actor", "heart_rate_agent", "samples", "wait", "awaits"):
            assert frame in names, names
    finally:
        gate.set()
        await task


class FakeApp:
    """The Faust app attributes the dump reads (a real worker is in the e2e tests)."""

    class consumer:  # noqa: N801 - mirrors the attribute name
        suspend_flow = asyncio.Event()

        @staticmethod
        def assignment() -> set[str]:
            return {"spotter.hr.samples-0"}

    class flow_control:  # noqa: N801
        @staticmethod
        def is_active() -> bool:
            return True

    rebalancing = False
    in_recovery = False


async def test_the_dump_survives_a_consumer_without_the_private_parts() -> None:
    out = io.StringIO()
    dump_state(FakeApp(), asyncio.get_running_loop(), out)
    text = out.getvalue()
    assert "assignment: ['spotter.hr.samples-0']" in text
    assert "aiokafka state unavailable" in text
    assert "--- task" in text
