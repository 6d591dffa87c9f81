"""One measured fix to Faust's consumer hot path: deliver a record without four tasks.

Faust's fetch loop (``faust.transport.consumer.Consumer._drain_messages``) hands every
record to the conductor with ``await self.wait_first(callback(message),
self.suspend_flow.wait())``. ``mode``'s ``wait_first`` wraps the delivery, the
flow-suspension event, and the service's stopped and crashed events in four fresh tasks and
an ``asyncio.wait`` per record, so the event loop turns over several times per record.
On the 2-core VM that capped a worker at ~3,000-4,000 records per CPU-second before any
of our code ran (profiled; see bench/results/worker.md).

The delivery almost always finishes without waiting: the conductor only suspends when
the app's flow control is paused (a rebalance) or a stream's buffer is full. So we run
the delivery coroutine's first step eagerly (what Python 3.12's eager tasks do). If it
finishes there, nothing else could have won the race. If it has to wait, the rest of it
goes through the original ``wait_first`` race against suspension, with the same
cancellation on a rebalance. The behaviour is unchanged; only the cost differs.

The patch rewrites that one statement in the installed source. If the source does not
contain it (another Faust version), nothing is patched and a warning says so.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import textwrap
import types
from collections.abc import Coroutine, Generator
from typing import Any

import structlog

log = structlog.get_logger(__name__)

_CALL = re.compile(r"(?P<indent> +)await self\.wait_first\(\s*callback\(message\),\s*"
                   r"self\.suspend_flow\.wait\(\)\s*\)")
_state = {"applied": False}


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


def apply_eager_delivery() -> bool:
    """Patch Faust's fetch loop once per process; True when the patch is in place."""
    if _state["applied"]:
        return True
    from faust.transport import consumer as faust_consumer

    original = faust_consumer.Consumer._drain_messages
    source = textwrap.dedent(inspect.getsource(original))
    match = _CALL.search(source)
    if match is None:
        log.warning("Faust's fetch loop has changed; eager delivery not applied",
                    faust_file=faust_consumer.__file__)
        return False
    indent = match.group("indent")
    patched = (source[:match.start()] + f"{indent}await _spotter_eager_deliver(self, "
               "callback(message))" + source[match.end():])
    namespace: dict[str, Any] = {}
    scope = {**vars(faust_consumer), "_spotter_eager_deliver": eager_deliver}
    exec(compile(patched, faust_consumer.__file__, "exec"), scope, namespace)  # noqa: S102
    faust_consumer.Consumer._drain_messages = namespace["_drain_messages"]  # type: ignore[method-assign]
    _state["applied"] = True
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
        enable_auto_commit=False,
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
    from faust.transport.drivers import aiokafka as driver

    thread_class = driver.AIOKafkaConsumerThread
    original = thread_class._highwaters

    async def _highwaters(self: Any, partitions: Any) -> Any:
        ends = dict(await original(self, partitions))
        if self.consumer.in_transaction:
            return ends
        return await verified_end_offsets(self, ends)

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
