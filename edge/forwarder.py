"""Store-and-forward: every record reaches the broker once the broker is there, in order.

Records get an *ordinal* when produced and queue in memory. One delivery *window* is in
flight at a time: the oldest queued records, packed by the transport into at most one
batch per partition, each batch acknowledged or failed as a whole. Only when a window has
settled is the next one sent, so a later record can never overtake an earlier one of the
same key (Kafka gives the same guarantee with ``max.in.flight.requests.per.connection=1``
and no idempotence; KIP-91 and the producer docs explain why retries otherwise reorder).

When a window fails, or the transport cannot connect, the broker counts as away: the
queue, the failed records with it, moves to the :class:`~edge.buffer.DiskBuffer`, and
delivery resumes from the buffer's oldest row with tenacity's exponential backoff. While
the buffer holds rows, windows come from it, oldest first; memory only feeds the broker
again once the buffer is empty. A record whose acknowledgement was lost is sent again:
delivery is at-least-once, duplicates are exact copies (same strap, same sequence number)
that the worker drops.

``submit`` never waits, so the strap reader is never held up by the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import statistics
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from contract.pseudonyms import to_wire
from contract.records import Record
from contract.signing import Signer
from contract.topics import TOPIC_HR_SAMPLES
from edge.buffer import DiskBuffer, Entry
from edge.config import EdgeSettings

log = structlog.get_logger(__name__)
# Records kept in memory when the disk buffer cannot be written, in multiples of
# memory_limit, before the oldest samples are dropped (counted as evicted).
MEMORY_HARD_CAP = 10


class DeliveryFailed(Exception):
    """A window was not (fully) acknowledged; tenacity schedules the next try."""


class Transport(Protocol):
    """Sends windows of records to the broker."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, window: Sequence[Entry]) -> list[bool]:
        """Send a prefix of ``window`` (as much as one batch per partition holds) and
        return, for each record of that prefix, whether the broker acknowledged it."""
        ...


@dataclass
class ForwarderCounters:
    submitted: int = 0
    published: int = 0  # acknowledged by the broker
    failed_windows: int = 0
    restarts: int = 0  # transport restarted after a window hung past its guard


class StoreAndForward:
    """The agent's publisher: memory queue, disk buffer and the single delivery loop."""

    def __init__(self, transport: Transport, buffer: DiskBuffer, settings: EdgeSettings,
                 latency_samples: int = 4096) -> None:
        self.transport = transport
        self.signer: Signer | None = None  # the class's key (edge.credentials)
        # member id -> wire id (contract.pseudonyms): records leave the box under these
        self.wire_ids: dict[str, str] = {}
        self.buffer = buffer
        self.settings = settings
        self.counters = ForwarderCounters()
        self.latencies: deque[float] = deque(maxlen=latency_samples)  # produced -> acked, s
        self.broker_up = False
        self.last_error: str | None = None
        self._memory: deque[Entry] = deque()
        self._inflight: list[Entry] = []  # memory records in the window being delivered
        self._next_ordinal = buffer.last_ordinal() + 1
        self._outage = False
        self._connected = False
        self._started = False
        self._wake = asyncio.Event()
        self._settled = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._disk_failures = 0
        # A window settles within ~2 request timeouts (aiokafka: queue expiry + request);
        # past this guard the transport is restarted so nothing old can still be sent.
        self._guard_s = 2 * settings.request_timeout_s + 5.0

    # -- producing -----------------------------------------------------------------------

    def submit(self, topic: str, key: str, value: bytes, produced_at: float | None = None
               ) -> None:
        """Queue one record; returns at once (never blocks the strap reader).

        ``produced_at`` (wall clock) is when the reading arrived at the box, so publish lag
        and latency count the whole time a sample spent on the edge."""
        entry = Entry(self._next_ordinal, topic, key.encode(), value,
                      time.time() if produced_at is None else produced_at)
        self._next_ordinal += 1
        self._memory.append(entry)
        self.counters.submitted += 1
        if len(self._memory) >= 2 * self.settings.memory_limit:
            self._spill()  # a burst between flush ticks: memory stays bounded
        self._wake.set()

    async def publish(self, topic: str, key: str, record: Record,
                      produced_at: float | None = None) -> None:
        """The agent's :class:`~edge.agent.Publisher` interface."""
        self.submit_record(topic, key, record, produced_at)

    def submit_record(self, topic: str, key: str, record: Record,
                      produced_at: float | None = None) -> None:
        """A record in wire form (member ids as wire ids, keys too: the worker's tables
        are partitioned by what the topic is keyed by), signed, queued."""
        if self.wire_ids:
            record = to_wire(record, self.wire_ids.get)
            key = self.wire_ids.get(key, key)
        self.submit(topic, key, self.signed(record).to_bytes(), produced_at)

    def signed(self, record: Record) -> Record:
        """The box signs its class's records (``contract.signing``); records already
        signed (the API's roster) go as they are."""
        if (self.signer is None or record.auth is not None
                or getattr(record, "class_session_id", None) != self.signer.class_session_id):
            return record
        return self.signer.sign(record)

    @property
    def pending(self) -> int:
        """Records not yet acknowledged (memory, in flight and on disk)."""
        return len(self._memory) + len(self._inflight) + self.buffer.depth

    @property
    def memory_depth(self) -> int:
        return len(self._memory) + len(self._inflight)

    def lag_s(self, now: float | None = None) -> float:
        """Age of the oldest record still waiting for the broker (0 when none waits)."""
        now = time.time() if now is None else now
        if self.buffer.depth:
            head = self.buffer.head(1)
            if head:
                return max(0.0, now - head[0].created)
        oldest = self._inflight[0] if self._inflight else (self._memory[0] if self._memory
                                                           else None)
        return 0.0 if oldest is None else max(0.0, now - oldest.created)

    def latency_quantiles(self) -> dict[str, float | None]:
        values = sorted(self.latencies)
        if len(values) < 2:
            return {"p50": values[0] if values else None, "p99": values[0] if values else None}
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        return {"p50": cuts[49], "p99": cuts[98]}

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        if not self._started:
            self._started = True
            self._tasks = [asyncio.create_task(self._pump(), name="edge-pump"),
                           asyncio.create_task(self._flusher(), name="edge-flush")]

    async def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued is acknowledged; False if ``timeout_s`` ran out."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            self._settled.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled.wait(), deadline - time.monotonic())
        return self.pending == 0

    async def close(self, drain_timeout_s: float | None = None) -> None:
        """Deliver what can be delivered in time, put the rest on disk, stop."""
        timeout = self.settings.drain_timeout_s if drain_timeout_s is None else drain_timeout_s
        drained = self.pending == 0
        if self._started:
            drained = await self.drain(timeout)
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._tasks = []
        if self._inflight:  # a window cut short: not acknowledged, so it stays ours
            self._memory.extendleft(reversed(self._inflight))
            self._inflight = []
        self._spill()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._guard_s):
                await self.transport.stop()
        self._connected = False
        if not drained:
            log.warning("edge_stopped_with_undelivered_records", buffered=self.buffer.depth,
                        advice="they stay in the disk buffer and go first on the next start")
        self._started = False

    # -- delivery ------------------------------------------------------------------------

    async def _pump(self) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(DeliveryFailed),
            wait=wait_exponential(multiplier=self.settings.retry_initial_s,
                                  max=self.settings.retry_max_s),
            before_sleep=self._log_retry, reraise=True)
        while True:
            while not (self._memory or self.buffer.depth):
                self._wake.clear()
                await self._wake.wait()
            try:
                async for attempt in retrying:
                    with attempt:
                        if not self._connected:
                            await self._connect()
                        await self._deliver_window()
            except Exception as exc:  # noqa: BLE001 - a bug or a broken disk: keep pumping
                log.exception("delivery_loop_error", error=str(exc))
                await asyncio.sleep(self.settings.retry_max_s)

    async def _connect(self) -> None:
        try:
            await self.transport.start()
        except Exception as exc:  # noqa: BLE001 - any start failure means "broker away"
            self._broker_away(f"cannot connect: {type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                await self.transport.stop()
            raise DeliveryFailed(self.last_error) from exc
        self._connected = True

    async def _deliver_window(self) -> None:
        from_disk = self.buffer.depth > 0
        if from_disk:
            window = self.buffer.head(self.settings.window_records)
        else:
            count = min(len(self._memory), self.settings.window_records)
            window = [self._memory.popleft() for _ in range(count)]
            self._inflight = window
        if not window:
            return
        error: str | None = None
        try:
            async with asyncio.timeout(self._guard_s):
                acked = await self.transport.deliver(window)
        except TimeoutError:
            acked, error = [], f"no answer within {self._guard_s:.0f} s"
            await self._restart_transport()
        except Exception as exc:  # noqa: BLE001 - connection/metadata errors: retry later
            acked, error = [], f"{type(exc).__name__}: {exc}"
        failed = len(acked) == 0 or not all(acked)
        self._settle(window, acked, from_disk, failed)
        if failed:
            self.counters.failed_windows += 1
            self._broker_away(error or "the broker did not acknowledge a batch")
            raise DeliveryFailed(self.last_error)
        if not self.broker_up or self._outage:
            log.info("broker_reachable", buffered=self.buffer.depth)
        self.broker_up, self._outage, self.last_error = True, False, None

    def _settle(self, window: list[Entry], acked: list[bool], from_disk: bool,
                failed: bool) -> None:
        now = time.time()
        done = [e for e, ok in zip(window, acked, strict=False) if ok]
        self.counters.published += len(done)
        self.latencies.extend(now - e.created for e in done)
        if from_disk:
            self.buffer.delete(done)
        else:
            back = [e for e, ok in zip(window, acked, strict=False) if not ok]
            back += window[len(acked):]
            self._inflight = []
            self._memory.extendleft(reversed(back))  # older than everything queued
            if failed or self.buffer.depth:  # and than anything on disk: ordinals sort
                self._spill()
        self._settled.set()

    def _broker_away(self, error: str) -> None:
        if self.broker_up or not self._outage:
            log.warning("broker_unreachable_buffering_to_disk", error=error)
        self.broker_up, self._outage, self.last_error = False, True, error
        self._spill()

    async def _restart_transport(self) -> None:
        self.counters.restarts += 1
        self._connected = False
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._guard_s):
                await self.transport.stop()

    def _log_retry(self, state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        log.info("delivery_retry", attempt=state.attempt_number, wait_s=round(wait, 2),
                 buffered=self.buffer.depth, error=self.last_error)

    # -- memory -> disk ------------------------------------------------------------------

    def _spill(self) -> None:
        """Move every queued record to disk (they are newer than everything there).

        If the disk refuses (full, read-only), records stay in memory, and past a hard cap
        the oldest samples are dropped, counted as evicted: the reader must keep going."""
        if not self._memory:
            return
        entries = list(self._memory)
        try:
            self.buffer.append(entries)
        except sqlite3.Error as exc:
            self._disk_failures += 1
            if self._disk_failures & (self._disk_failures - 1) == 0:  # 1, 2, 4, 8 ...
                log.error("buffer_write_failed", error=str(exc), failures=self._disk_failures,
                          advice="free space on the edge box or check SPOTTER_EDGE_BUFFER_FILE")
            self._drop_oldest_samples(
                len(self._memory) - MEMORY_HARD_CAP * self.settings.memory_limit)
            return
        self._memory.clear()

    def _drop_oldest_samples(self, excess: int) -> None:
        if excess <= 0:
            return
        kept: deque[Entry] = deque()
        for entry in self._memory:
            if excess > 0 and entry.topic == TOPIC_HR_SAMPLES:
                excess -= 1
                self.buffer.counters.evicted += 1
            else:
                kept.append(entry)
        self._memory = kept

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self.settings.flush_interval_s)
            if self._outage or len(self._memory) > self.settings.memory_limit:
                self._spill()
