"""Three measured changes to Faust, as overrides whose targets are checked at start-up.

Faust is pinned (``FAUST_VERSION``, pyproject.toml). Before the worker patches anything,
:func:`check_targets` confirms that every attribute we override exists with the shape we
wrote against; any mismatch stops the worker with :class:`FaustPatchError` naming the
installed Faust version and the missing piece, instead of a patch that silently does
nothing or breaks at run time. Why each exists, with the figures: docs/decisions/
0001-faust-stays.md.

1. **Eager delivery.** Faust's fetch loop (``Consumer._drain_messages``) hands every record
   on with ``await self.wait_first(callback(message), self.suspend_flow.wait())``; mode's
   ``wait_first`` wraps both, plus the service's stopped and crashed events, in four fresh
   tasks and an ``asyncio.wait`` per record. The delivery almost always finishes without
   waiting (it only waits while flow is suspended or a stream buffer is full), so our
   ``wait_first`` override recognises exactly that call and runs the delivery's first
   step eagerly; if it has to wait, the rest goes through the original race. Every other
   ``wait_first`` call goes to the original unchanged.
2. **Verified end offsets** (below): Tansu under-reports a partition's end offset.
3. **Fetch wait** (below): Faust hard-codes a 1500 ms fetch wait.
"""

from __future__ import annotations

import asyncio
import inspect
import types
from collections.abc import Coroutine, Generator
from typing import Any

import structlog

log = structlog.get_logger(__name__)

FAUST_VERSION = "0.15.3"  # the version every override below was written and tested against
_state: dict[str, bool] = {}


class FaustPatchError(RuntimeError):
    """The installed Faust is not the one our overrides were written for."""


def check_targets() -> None:
    """Raise :class:`FaustPatchError` unless every override target is as expected."""
    import faust
    from aiokafka import AIOKafkaConsumer
    from faust.transport import consumer as faust_consumer
    from faust.transport.drivers import aiokafka as driver

    problems = []
    if faust.__version__ != FAUST_VERSION:
        problems.append(f"version {faust.__version__} (overrides written for {FAUST_VERSION})")
    wait_first = getattr(faust_consumer.Consumer, "wait_first", None)
    if wait_first is None or list(inspect.signature(wait_first).parameters) != [
            "self", "coros", "timeout"]:
        problems.append("Consumer.wait_first(self, *coros, timeout) is gone or changed")
    drain = getattr(faust_consumer.Consumer, "_drain_messages", None)
    if drain is None or "self.suspend_flow.wait()" not in inspect.getsource(drain):
        problems.append("Consumer._drain_messages no longer races deliveries against "
                        "suspend_flow.wait()")
    thread = driver.AIOKafkaConsumerThread
    for name in ("_highwaters", "_create_worker_consumer", "_ensure_consumer"):
        if not callable(getattr(thread, name, None)):
            problems.append(f"AIOKafkaConsumerThread.{name} is gone")
    if "fetch_max_wait_ms" not in inspect.signature(AIOKafkaConsumer).parameters:
        problems.append("aiokafka's consumer takes no fetch_max_wait_ms")
    if not callable(getattr(driver, "credentials_to_aiokafka_auth", None)):
        problems.append("faust's aiokafka driver has no credentials_to_aiokafka_auth")
    if problems:
        raise FaustPatchError(
            f"faust-streaming {faust.__version__} does not match Spotter's overrides: "
            + "; ".join(problems) + f". Install faust-streaming=={FAUST_VERSION} (pyproject."
            "toml) or update streams/faust_tuning.py and its tests for the new version.")


@types.coroutine
def _continue(coro: Coroutine[Any, Any, Any], yielded: Any) -> Generator[Any, Any, Any]:
    """Drive a coroutine whose first step already ran and yielded ``yielded``."""
    while True:
        try:
            sent = yield yielded
        except BaseException as exc:  # noqa: BLE001 - forward cancellation and errors
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value


async def _rest(coro: Coroutine[Any, Any, Any], yielded: Any) -> Any:
    return await _continue(coro, yielded)


async def eager_deliver(consumer: Any, delivery: Coroutine[Any, Any, Any]) -> None:
    """``wait_first(delivery, suspend_flow.wait())``, minus the tasks when not needed."""
    if consumer.suspend_flow.is_set():
        await consumer.wait_first(delivery, consumer.suspend_flow.wait())
        return
    try:
        yielded = delivery.send(None)
    except StopIteration:
        return
    await consumer.wait_first(_rest(delivery, yielded), consumer.suspend_flow.wait())


def _is_flow_wait(consumer: Any, awaitable: Any) -> bool:
    """Is ``awaitable`` the coroutine ``consumer.suspend_flow.wait()`` (not yet started)?"""
    frame = getattr(awaitable, "cr_frame", None)
    return (frame is not None and awaitable.cr_code is type(consumer.suspend_flow).wait.__code__
            and frame.f_locals.get("self") is consumer.suspend_flow)


def apply_eager_delivery() -> bool:
    """Override ``Consumer.wait_first`` once per process; True when in place."""
    if _state.get("eager"):
        return True
    check_targets()
    from faust.transport import consumer as faust_consumer

    original = faust_consumer.Consumer.wait_first

    async def wait_first(self: Any, *coros: Any, timeout: Any = None) -> Any:
        if (timeout is None and len(coros) == 2 and inspect.iscoroutine(coros[0])
                and _is_flow_wait(self, coros[1]) and not self.suspend_flow.is_set()):
            delivery, flow_wait = coros
            try:
                yielded = delivery.send(None)
            except StopIteration:
                flow_wait.close()  # never started: nothing to cancel
                return None  # the fetch loop does not read the result
            return await original(self, _rest(delivery, yielded), flow_wait)
        return await original(self, *coros, timeout=timeout)

    wait_first.__spotter_original__ = original  # type: ignore[attr-defined]
    faust_consumer.Consumer.wait_first = wait_first  # type: ignore[method-assign]
    _state["eager"] = True
    log.info("Faust eager delivery applied")
    return True


# -- end offsets ----------------------------------------------------------------------
# Tansu 0.6.0 (the embedded broker) answers ListOffsets(latest) with the *base offset of
# the last record batch* + 1 instead of the last offset + 1 (measured: seven records,
# the last four in one batch, report an end offset of 4). Faust's table recovery reads a
# changelog partition up to that "end" and then stops, so the tail of the last batch,
# usually the newest states of several members, was never restored: a takeover lost
# zone time. Fetch responses carry the right high watermark, so we fetch from the
# reported end - 1 and take the fetch's high watermark. On a correct broker this returns
# the same numbers at the cost of one small fetch per partition during a rebalance.
PROBE_TIMEOUT_S = 5.0
# The probe asks for a record that is there (end - 1): it must not sit out a long fetch
# wait, which Tansu holds even when records are available (each class end's catch-up
# probes every partition; with aiokafka's default 500 ms, 30 classes ending together
# took ~20 s to summarise).
PROBE_FETCH_WAIT_MS = 10


async def verified_end_offsets(thread: Any, ends: dict[Any, int]) -> dict[Any, int]:
    """Correct ``ends`` (partition -> reported end offset) with fetched high watermarks."""
    import aiokafka
    from faust.transport.drivers import aiokafka as driver

    candidates = {tp: end for tp, end in ends.items() if end and end > 0}
    if not candidates:
        return ends
    conf = thread.app.conf
    main = thread._ensure_consumer()
    probe = aiokafka.AIOKafkaConsumer(
        bootstrap_servers=main._client._bootstrap_servers, group_id=None,
        enable_auto_commit=False, fetch_max_wait_ms=PROBE_FETCH_WAIT_MS,
        **driver.credentials_to_aiokafka_auth(conf.broker_credentials, conf.ssl_context))
    fixed = dict(ends)
    await probe.start()
    try:
        probe.assign(list(candidates))
        for tp, end in candidates.items():
            probe.seek(tp, end - 1)
        pending = set(candidates)
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            while pending:
                batch = await probe.getmany(*pending, timeout_ms=500)
                for tp in [tp for tp in pending if batch.get(tp)]:
                    fixed[tp] = max(candidates[tp], probe.highwater(tp) or 0)
                    pending.discard(tp)
    except TimeoutError:
        log.warning("end offsets not verified for some partitions", partitions=len(pending))
    finally:
        await probe.stop()
    return fixed


def apply_verified_end_offsets() -> bool:
    """Route Faust's end-offset queries (table recovery, our catch-up) through
    :func:`verified_end_offsets`; once per process."""
    if _state.get("ends"):
        return True
    check_targets()
    from faust.transport.drivers import aiokafka as driver

    thread_class = driver.AIOKafkaConsumerThread
    original = thread_class._highwaters

    async def _highwaters(self: Any, partitions: Any) -> Any:
        ends = dict(await original(self, partitions))
        if self.consumer.in_transaction:
            return ends
        return await verified_end_offsets(self, ends)

    _highwaters.__spotter_original__ = original  # type: ignore[attr-defined]
    thread_class._highwaters = _highwaters  # type: ignore[method-assign]
    _state["ends"] = True
    return True


# -- fetch wait ----------------------------------------------------------------------
# Faust builds its consumer with fetch_max_wait_ms=1500 (hard-coded). Kafka answers a
# fetch as soon as records arrive, so that wait only bounds idle polling; Tansu holds the
# fetch much longer (measured with a plain aiokafka consumer: produce-to-consume p50
# 411 ms at 1500 ms, 104 ms at 500 ms, 28 ms at 100 ms). The tablet's latency budget is
# 300 ms, so the worker asks for a shorter wait; against Kafka this only adds idle fetch
# requests (1000 / wait_ms per second per broker connection).


def apply_fetch_max_wait(wait_ms: int) -> None:
    """Make Faust's worker consumer wait at most ``wait_ms`` per fetch."""
    check_targets()
    from faust.transport.drivers import aiokafka as driver

    thread_class = driver.AIOKafkaConsumerThread
    original = getattr(thread_class, "_spotter_original_create", None)
    if original is None:
        original = thread_class._create_worker_consumer
        setattr(thread_class, "_spotter_original_create", original)  # noqa: B010

    def _create_worker_consumer(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = wait_ms  # read when the consumer starts its fetcher
        return consumer

    thread_class._create_worker_consumer = _create_worker_consumer  # type: ignore[method-assign]
