"""Heart-rate straps over Bluetooth LE, on bleak: scan, connect, subscribe, reconnect.

One scanner runs per adapter. A strap that advertises the Heart Rate Service gets a GATT
connection on the adapter with the most free slots (each adapter holds only a handful);
straps that broadcast heart rate in their advertisements (Polar) are read without a
connection when slots run out, so a class of 30 fits one box. Connections are made by
``bleak_retry_connector.establish_connection`` and retried by tenacity with a backoff
that resets once the strap streams again. Every notification is stamped on arrival;
malformed packets are counted and logged, never raised into the event loop.

Bleak constructs its platform backend where we ask for a client or scanner; tests pass a
simulated backend class there (:mod:`ingest.sim_backend`), so this module runs unchanged
without a radio.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Collection
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import ClassVar, TypeVar

import structlog
from bleak import BleakClient, BleakScanner
from bleak.backends.client import BaseBleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_16
from bleak_retry_connector import establish_connection
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from configs.base import ConfigFile
from ingest.advertising import (
    POLAR_COMPANY_ID,
    AdapterPool,
    BroadcastDeduper,
    choose_mode,
    decode_polar_manufacturer_data,
    pick_adapter,
    source_kind_from_name,
)
from ingest.hrm_protocol import (
    MalformedPacketError,
    parse_battery_level,
    parse_body_sensor_location,
    parse_heart_rate_measurement,
    source_kind_for_location,
)
from ingest.pairing import normalize_strap_id
from ingest.source import HeartRateMeasurement, SourceKind, StrapReading, StrapState, StrapStatus

__all__ = ["BleHeartRateSource", "BleSettings", "BleIngestError", "MalformedPacketError",
           "parse_heart_rate_measurement", "parse_body_sensor_location", "parse_battery_level",
           "pick_adapter", "reconnect_delay"]

log = structlog.get_logger(__name__)
T = TypeVar("T")

HEART_RATE_SERVICE = normalize_uuid_16(0x180D)
HEART_RATE_MEASUREMENT = normalize_uuid_16(0x2A37)
BODY_SENSOR_LOCATION = normalize_uuid_16(0x2A38)
BATTERY_LEVEL = normalize_uuid_16(0x2A19)
INGEST_TOML = Path(__file__).resolve().parent.parent / "configs" / "ingest.toml"
_MAX_NOTES = 5  # a status keeps its latest notes only, so a flapping strap cannot grow it
# GATT reads and the notification subscribe give up after this long. An ATT transaction may
# take up to 30 s before the stack times it out (Core spec Vol 3, Part F, 3.3.3); a strap
# that silent is better retried than left holding an adapter slot.
GATT_TIMEOUT_S = 10.0
_LIVE = (StrapState.CONNECTED, StrapState.STREAMING)


class BleSettings(ConfigFile):
    """BLE ingest settings: defaults in configs/ingest.toml [ble], SPOTTER_BLE_* overrides."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_BLE_", extra="forbid", env_file=".env",
                                      pyproject_toml_table_header=("ble",))
    TOML_FILE: ClassVar[Path] = INGEST_TOML

    adapters: list[str] = Field(default_factory=lambda: ["hci0"], min_length=1)
    per_adapter_limit: int = Field(default=5, ge=1, le=32)
    adapter_limits: dict[str, int] = Field(default_factory=dict)
    prefer_connectionless: bool = False
    connect_attempts: int = Field(default=3, ge=1, le=10)
    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    reading_queue_size: int = Field(default=10_000, ge=10)
    legacy_broadcast_interval_s: float = Field(default=1.0, gt=0)


    def limits(self) -> dict[str, int]:
        default = self.per_adapter_limit
        return {name: self.adapter_limits.get(name, default) for name in self.adapters}


class BleIngestError(RuntimeError):
    """The BLE source cannot run at all (no usable adapter)."""


class StrapDisconnectedError(BleakError):
    """A streaming strap went away; tenacity schedules the reconnect."""


def reconnect_delay(failures: int, initial_s: float, max_s: float) -> float:
    """Seconds to wait before the next try after ``failures`` tries in a row went wrong."""
    if failures <= 0:
        return 0.0
    return min(max_s, initial_s * 2.0 ** min(failures - 1, 30))


@dataclass
class StrapCounters:
    readings: int = 0
    malformed: int = 0
    connects: int = 0
    disconnects: int = 0


@dataclass
class _Strap:
    strap_id: str
    name: str | None = None
    devices: dict[str, BLEDevice] = field(default_factory=dict)
    rssi: dict[str, int] = field(default_factory=dict)
    heard: asyncio.Event = field(default_factory=asyncio.Event)
    kind: SourceKind = "unknown"
    failures: int = 0
    task: asyncio.Task[None] | None = None


class BleHeartRateSource:
    """Every heart-rate strap in range, as one :class:`~ingest.source.HeartRateSource`.

    ``straps`` limits connections and readings to those addresses (a class roster); others
    still show in :meth:`statuses`, so nobody's strap is ignored silently. One consumer
    iterates :meth:`readings`.
    """

    def __init__(self, settings: BleSettings | None = None, *,
                 straps: Collection[str] | None = None,
                 client_backend: type[BaseBleakClient] | None = None,
                 scanner_backend: type[BaseBleakScanner] | None = None) -> None:
        self.settings = settings or BleSettings()
        self._allowed = None if straps is None else {normalize_strap_id(s) for s in straps}
        self._client_backend = client_backend
        self._scanner_backend = scanner_backend
        self._pool = AdapterPool(self.settings.limits())
        self._straps: dict[str, _Strap] = {}
        self._status: dict[str, StrapStatus] = {}
        self.counters: dict[str, StrapCounters] = {}
        self.dropped_readings = 0
        self._queue: deque[StrapReading] = deque()
        self._ready = asyncio.Event()
        self._closed = asyncio.Event()
        self._scanners: list[BleakScanner] = []
        self._deduper = BroadcastDeduper(self.settings.legacy_broadcast_interval_s)
        self._queued: set[str] = set()  # strap tasks not holding a slot yet
        self._started = False
        self._tasks: set[asyncio.Future[None]] = set()

    async def __aenter__(self) -> BleHeartRateSource:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start one scanner per adapter; adapters that fail are logged and skipped."""
        if self._started:
            return
        self._started = True
        for adapter in self.settings.adapters:
            # Unfiltered on purpose: Polar broadcasts may come in advertisements that do not
            # list 0x180D; _on_advertisement keeps only heart-rate straps.
            scanner = BleakScanner(detection_callback=partial(self._on_advertisement, adapter),
                                   bluez={"adapter": adapter}, backend=self._scanner_backend)
            try:
                await scanner.start()
            except (BleakError, OSError) as exc:
                log.error("ble_adapter_unusable", adapter=adapter, error=str(exc))
                await self._pool.poke(disable=adapter)
                continue
            self._scanners.append(scanner)
        if not self._scanners:
            raise BleIngestError(
                f"no Bluetooth adapter could scan ({', '.join(self.settings.adapters)}); "
                "check `bluetoothctl list`, that BlueZ and D-Bus are reachable, "
                "or set SPOTTER_BLE_ADAPTERS")

    async def readings(self) -> AsyncIterator[StrapReading]:
        await self.start()
        while True:
            while self._queue:
                yield self._queue.popleft()
            if self._closed.is_set():
                return
            self._ready.clear()
            await self._ready.wait()

    def statuses(self) -> dict[str, StrapStatus]:
        return {k: replace(v, notes=list(v.notes)) for k, v in self._status.items()}

    async def close(self) -> None:
        self._closed.set()
        tasks = [s.task for s in self._straps.values() if s.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()
        for scanner in self._scanners:
            with contextlib.suppress(BleakError, OSError):
                await scanner.stop()
        self._ready.set()

    # -- advertisements ------------------------------------------------------------------

    def _on_advertisement(self, adapter: str, device: BLEDevice, adv: AdvertisementData) -> None:
        strap_id = normalize_strap_id(device.address)
        has_hrs = HEART_RATE_SERVICE in adv.service_uuids
        broadcast = None
        if POLAR_COMPANY_ID in adv.manufacturer_data:
            try:
                broadcast = decode_polar_manufacturer_data(adv.manufacturer_data[POLAR_COMPANY_ID])
            except MalformedPacketError as exc:
                log.debug("malformed_advertisement", strap=strap_id, packet=exc.packet_hex)
        strap = self._straps.get(strap_id)
        if strap is None:
            if not has_hrs and broadcast is None:
                return
            strap = self._straps[strap_id] = _Strap(strap_id)
            self._status[strap_id] = StrapStatus(strap_id, StrapState.DISCOVERED)
            self.counters[strap_id] = StrapCounters()
        strap.name = adv.local_name or device.name or strap.name
        if strap.kind == "unknown":
            strap.kind = source_kind_from_name(strap.name)
        new_adapter = adapter not in strap.devices
        strap.devices[adapter], strap.rssi[adapter] = device, adv.rssi
        strap.heard.set()
        if new_adapter:
            self._background(self._pool.poke())
        if self._closed.is_set():
            return
        if self._allowed is not None and strap_id not in self._allowed:
            self._note(strap_id, "not on this class's strap list; not read")
            return
        status = self._status[strap_id]
        if broadcast is not None and status.state not in _LIVE:
            if self._deduper.is_new(strap_id, broadcast, time.monotonic()):
                measurement = HeartRateMeasurement(broadcast.hr_bpm, broadcast.sensor_contact)
                self._emit(strap_id, measurement, strap.kind)
                if not broadcast.battery_ok:
                    self._note(strap_id, "strap reports a low battery")
            if strap.task is None:
                status.state = StrapState.ADVERTISING
        if strap.task is None:
            mode = choose_mode(broadcasts_hr=broadcast is not None, has_hr_service=has_hrs,
                               free_slots=self._pool.free() - len(self._queued),
                               prefer_connectionless=self.settings.prefer_connectionless)
            if mode == "connect":
                self._queued.add(strap_id)
                strap.task = asyncio.ensure_future(self._run_strap(strap))

    # -- connections ---------------------------------------------------------------------

    async def _run_strap(self, strap: _Strap) -> None:
        """Keep one strap connected until close: tenacity retries every failed session."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=lambda _state: reconnect_delay(strap.failures, self.settings.reconnect_initial_s,
                                                self.settings.reconnect_max_s),
            stop=lambda _state: self._closed.is_set(),
            sleep=self._sleep_unless_closed,
            before_sleep=partial(self._log_retry, strap),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._session(strap)
        except Exception as exc:  # only reached when closing mid-failure: nothing to retry
            log.debug("strap_task_ended", strap=strap.strap_id, error=str(exc))

    async def _session(self, strap: _Strap) -> None:
        sid = strap.strap_id
        self._queued.add(sid)  # counts against free slots until it holds one
        try:
            strap.heard.clear()  # only try once the strap is heard again (saves slot time)
            if await self._until_closed(strap.heard.wait()) is None:
                return
            waiting = partial(self._note, sid, "waiting for a free adapter slot")
            adapter = await self._until_closed(self._pool.acquire(sid, strap.rssi, waiting))
        finally:
            self._queued.discard(sid)
        if adapter is None:
            return
        try:
            await self._stream(strap, adapter)
        finally:
            await self._pool.release(sid, adapter)

    async def _stream(self, strap: _Strap, adapter: str) -> None:
        sid = strap.strap_id
        self._set_state(sid, StrapState.CONNECTING)
        lost = asyncio.Event()
        strap.failures += 1  # counts tries until the strap streams; reset below
        client: BleakClient | None = None
        try:
            client = await self._until_closed(establish_connection(
                BleakClient, strap.devices[adapter], strap.name or sid,
                disconnected_callback=lambda _client: lost.set(),
                max_attempts=self.settings.connect_attempts, backend=self._client_backend))
            if client is None:
                return
            self.counters[sid].connects += 1
            self._set_state(sid, StrapState.CONNECTED, f"connected via {adapter}")
            await self._read_once(client, sid)
            async with asyncio.timeout(GATT_TIMEOUT_S):
                await client.start_notify(HEART_RATE_MEASUREMENT,
                                          partial(self._on_notification, sid))
            strap.failures = 0
            self._deduper.forget(sid)
            self._set_state(sid, StrapState.STREAMING)
            if await self._until_closed(lost.wait()) is None:
                return
            self.counters[sid].disconnects += 1
            raise StrapDisconnectedError(f"{sid} disconnected")
        finally:
            self._set_state(sid, StrapState.DISCONNECTED)
            if client is not None:
                with contextlib.suppress(BleakError, TimeoutError, OSError, EOFError):
                    await client.disconnect()

    async def _read_once(self, client: BleakClient, sid: str) -> None:
        """Body Sensor Location and Battery Level, once per connection; both optional."""
        status, strap = self._status[sid], self._straps[sid]
        for uuid, parse in ((BODY_SENSOR_LOCATION, parse_body_sensor_location),
                            (BATTERY_LEVEL, parse_battery_level)):
            try:
                async with asyncio.timeout(GATT_TIMEOUT_S):
                    raw = await client.read_gatt_char(uuid)
                value = parse(raw)
            except MalformedPacketError as exc:
                self.counters[sid].malformed += 1
                self._note(sid, str(exc))
                continue
            except (BleakError, TimeoutError) as exc:
                self._note(sid, f"could not read {uuid[4:8]}: {str(exc) or type(exc).__name__}")
                continue
            if isinstance(value, str):
                status.body_location = value
                strap.kind = source_kind_for_location(value)
            else:
                status.battery_pct = value

    def _on_notification(self, sid: str, _char: object, data: bytearray) -> None:
        received_monotonic, received_wall = time.monotonic(), time.time()
        try:
            measurement = parse_heart_rate_measurement(data)
        except MalformedPacketError as exc:
            self.counters[sid].malformed += 1
            log.warning("malformed_packet", strap=sid, packet=exc.packet_hex, reason=exc.reason)
            return
        self._emit(sid, measurement, self._straps[sid].kind, received_monotonic, received_wall)

    # -- bookkeeping ---------------------------------------------------------------------

    def _emit(self, sid: str, measurement: HeartRateMeasurement, kind: SourceKind,
              received_monotonic: float | None = None, received_wall: float | None = None) -> None:
        if received_monotonic is None or received_wall is None:
            received_monotonic, received_wall = time.monotonic(), time.time()
        if len(self._queue) >= self.settings.reading_queue_size:
            self._queue.popleft()
            self.dropped_readings += 1
            if self.dropped_readings & (self.dropped_readings - 1) == 0:  # 1, 2, 4, 8 ...
                log.warning("readings_dropped", total=self.dropped_readings,
                            advice="the consumer of readings() is not keeping up")
        self._queue.append(StrapReading(sid, measurement, received_monotonic, received_wall, kind))
        self.counters[sid].readings += 1
        self._status[sid].last_seen_wall = received_wall
        self._ready.set()

    def _set_state(self, sid: str, state: StrapState, note: str | None = None) -> None:
        self._status[sid].state = state
        log.info("strap_state", strap=sid, state=state.value)
        if note:
            self._note(sid, note)

    def _note(self, sid: str, note: str) -> None:
        notes = self._status[sid].notes
        if not notes or notes[-1] != note:
            notes.append(note)
            del notes[:-_MAX_NOTES]

    def _log_retry(self, strap: _Strap, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        self._note(strap.strap_id, f"reconnecting in {wait:.1f} s after: {error}")
        log.info("strap_reconnect", strap=strap.strap_id, wait_s=wait, error=str(error))

    def _background(self, awaitable: Awaitable[None]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sleep_unless_closed(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), seconds)

    async def _until_closed(self, awaitable: Awaitable[T]) -> T | None:
        """Await ``awaitable`` unless the source closes first (then cancel it, return None)."""
        work = asyncio.ensure_future(awaitable)
        closing = asyncio.ensure_future(self._closed.wait())
        await asyncio.wait({work, closing}, return_when=asyncio.FIRST_COMPLETED)
        closing.cancel()
        if work.done():
            return work.result()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work
        return None
