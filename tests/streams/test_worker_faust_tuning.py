"""The three Faust overrides: each does what it is for on the installed Faust (and each
test fails when its override is absent), and a Faust they were not written for stops the
worker with a clear error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from streams.faust_tuning import (
    FAUST_VERSION,
    FaustPatchError,
    apply_eager_delivery,
    apply_fetch_max_wait,
    check_targets,
    eager_deliver,
)


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


def faust_consumer() -> Any:
    """A real Faust consumer object (not started: nothing connects)."""
    import faust

    app = faust.App("tuning-test", broker="kafka://127.0.0.1:1", store="memory://")
    return app.consumer


class TaskCounter:
    """Counts tasks created on the running loop while active."""

    def __init__(self) -> None:
        self.created = 0

    def __enter__(self) -> TaskCounter:
        loop = asyncio.get_running_loop()
        self._previous = loop.get_task_factory()

        def factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
            self.created += 1
            return asyncio.Task(coro, loop=loop, **kwargs)

        loop.set_task_factory(factory)
        return self

    def __exit__(self, *_: Any) -> None:
        asyncio.get_running_loop().set_task_factory(self._previous)


async def test_faust_delivers_a_ready_record_without_tasks_once_patched() -> None:
    from faust.transport.consumer import Consumer

    assert apply_eager_delivery() is True
    consumer, calls = faust_consumer(), []

    async def deliver() -> None:
        calls.append("delivered")

    with TaskCounter() as patched:
        await consumer.wait_first(deliver(), consumer.suspend_flow.wait())
    original = Consumer.wait_first.__spotter_original__  # type: ignore[attr-defined]
    with TaskCounter() as stock:
        await original(consumer, deliver(), consumer.suspend_flow.wait())
    assert calls == ["delivered", "delivered"]
    assert patched.created == 0  # the override: no task at all
    assert stock.created >= 4  # stock Faust: delivery, flow wait, stopped, crashed


async def test_faust_races_a_delivery_that_has_to_wait_as_before() -> None:
    apply_eager_delivery()
    consumer, gate, calls = faust_consumer(), asyncio.Event(), []

    async def deliver() -> None:
        calls.append("started")
        await gate.wait()
        calls.append("delivered")

    waiter = asyncio.create_task(consumer.wait_first(deliver(), consumer.suspend_flow.wait()))
    await asyncio.sleep(0.01)
    assert calls == ["started"] and not waiter.done()
    gate.set()
    await asyncio.wait_for(waiter, 1)
    assert calls == ["started", "delivered"]


async def test_other_wait_first_calls_go_to_faust_unchanged() -> None:
    apply_eager_delivery()
    consumer = faust_consumer()
    event = asyncio.Event()
    event.set()
    with TaskCounter() as counted:
        result = await consumer.wait_first(event.wait(), timeout=1)
    assert counted.created >= 3 and result.done == [result.done[0]]


async def test_the_fetch_wait_reaches_the_worker_consumer() -> None:
    from faust.transport.drivers import aiokafka as driver

    consumer = faust_consumer()
    thread = consumer._thread
    stock = driver.AIOKafkaConsumerThread._create_worker_consumer
    stock = getattr(driver.AIOKafkaConsumerThread, "_spotter_original_create", stock)
    assert stock(thread, consumer.transport)._fetch_max_wait_ms == 1500  # Faust's own
    apply_fetch_max_wait(100)
    built = driver.AIOKafkaConsumerThread._create_worker_consumer(thread, consumer.transport)
    assert built._fetch_max_wait_ms == 100


def test_a_faust_the_overrides_were_not_written_for_stops_with_a_clear_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import faust
    from faust.transport.consumer import Consumer

    check_targets()  # the installed one is fine
    monkeypatch.setattr(faust, "__version__", "0.16.0")
    with pytest.raises(FaustPatchError, match=r"faust-streaming 0\.16\.0 .*written for 0\.15\.3"):
        check_targets()
    monkeypatch.setattr(faust, "__version__", FAUST_VERSION)

    async def wait_first(self: Any, *coros: Any) -> None:  # the timeout argument gone
        return None

    monkeypatch.setattr(Consumer, "wait_first", wait_first)
    with pytest.raises(FaustPatchError, match="Consumer.wait_first"):
        check_targets()


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
