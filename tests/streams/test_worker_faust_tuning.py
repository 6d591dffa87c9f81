"""Eager delivery: same outcome as Faust's wait_first race, without tasks when the
delivery finishes at once; and the patch lands on the installed Faust."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from streams.faust_tuning import apply_eager_delivery, eager_deliver


class Racer:
    """The two members of a Faust consumer that eager delivery uses (``suspend_flow`` and
    ``wait_first``), with wait_first's race semantics: first to finish wins, the rest is
    cancelled."""

    def __init__(self) -> None:
        self.suspend_flow = asyncio.Event()
        self.raced = 0

    async def wait_first(self, *aws: Any) -> None:
        self.raced += 1
        tasks = [asyncio.ensure_future(a) for a in aws]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:  # like mode's wait_first: cancelled or not, the losers are cancelled
            for task in tasks:
                if not task.done():
                    task.cancel()


async def test_a_delivery_that_needs_no_wait_runs_once_without_a_race() -> None:
    racer, calls = Racer(), []

    async def deliver() -> None:
        calls.append("delivered")

    await eager_deliver(racer, deliver())
    assert calls == ["delivered"] and racer.raced == 0


async def test_a_delivery_that_waits_finishes_through_the_race() -> None:
    racer, gate, calls = Racer(), asyncio.Event(), []

    async def deliver() -> None:
        calls.append("started")
        await gate.wait()  # a full stream buffer
        calls.append("delivered")

    waiter = asyncio.create_task(eager_deliver(racer, deliver()))
    await asyncio.sleep(0.01)
    assert calls == ["started"] and not waiter.done()
    gate.set()
    await asyncio.wait_for(waiter, 1)
    assert calls == ["started", "delivered"] and racer.raced == 1


async def test_a_rebalance_cancels_a_waiting_delivery() -> None:
    racer, calls = Racer(), []

    async def deliver() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            calls.append("cancelled")
            raise

    waiter = asyncio.create_task(eager_deliver(racer, deliver()))
    await asyncio.sleep(0.01)
    racer.suspend_flow.set()
    await asyncio.wait_for(waiter, 1)
    assert calls == ["cancelled"]


async def test_errors_of_the_delivery_propagate() -> None:
    async def broken() -> None:
        raise ValueError("bad record")

    with pytest.raises(ValueError, match="bad record"):
        await eager_deliver(Racer(), broken())


def test_the_patch_lands_on_the_installed_faust() -> None:
    from faust.transport.consumer import Consumer

    assert apply_eager_delivery() is True
    assert "_spotter_eager_deliver" in Consumer._drain_messages.__code__.co_names


async def test_a_lock_taken_in_the_first_step_is_released_when_the_fetch_loop_is_cancelled(
) -> None:
    """Faust's conductor takes a lock before it waits for flow control. When the fetch
    loop is cancelled (a rebalance) before the rest of the delivery ever ran, the
    delivery must still be closed, or the lock stays held and every later record waits
    on it: the worker stalls on all its partitions."""
    racer, lock, flow = Racer(), asyncio.Lock(), asyncio.Event()

    async def deliver() -> None:
        async with lock:
            await flow.wait()  # flow control is suspended during a rebalance

    async def fetch_loop() -> None:
        await eager_deliver(racer, deliver())

    loop_task = asyncio.create_task(fetch_loop())
    for _ in range(3):
        if lock.locked():
            break
        await asyncio.sleep(0)
    assert lock.locked()
    loop_task.cancel()  # before the rest of the delivery got its first turn
    with pytest.raises(asyncio.CancelledError):
        await loop_task
    await asyncio.sleep(0.01)
    assert not lock.locked()
