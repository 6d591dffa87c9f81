"""Connectionless heart rate: read straps that broadcast it in their advertisements.

A USB adapter holds only about 5-7 GATT connections, but a scanner hears any number of
advertisers. Polar straps (H7 update firmware, H9, H10, OH1, Verity Sense) put the current
heart rate into the manufacturer-specific data of every advertisement, so a class larger
than the connection budget is still read, without RR intervals.

Byte layout (facts taken from Polar's own open-source SDK, polarofficial/polar-ble-sdk:
``BlePolarHrAdvertisement.kt`` and ``BleAdvertisementContent.kt`` under
``sources/Android/android-communications/library/src/main/java/com/polar/
androidcommunications/api/ble/model/advertisement/``, and the iOS twins):

* Manufacturer-specific data starts with company id 0x006B (Polar Electro Oy, Bluetooth SIG
  assigned number), which bleak strips into the key of ``manufacturer_data``.
* The rest is a list of blocks. A block whose first byte has bit 6 (0x40) set is a "GPB"
  block: ``[header, length, length bytes...]``, skipped. A block with bit 6 clear is the
  heart-rate block: ``[status, khz_code, fast_avg_hr, slow_avg_hr?]``.
* Status byte: bit 0 battery OK, bit 1 sensor contact, bits 2-4 a frame counter that
  advances when a new heart rate is written, bit 5 broadcast bit, bit 6 data type, bit 7
  status flag.
* Old H6/H7 firmware sends a bare 3- or 4-byte heart-rate block with no block header
  check. With 3 bytes the slow average equals the fast one.
* Polar's apps display the slow average (``hrForDisplay = slowAverageHr``); so do we.

The same module plans capacity for a full room: :func:`choose_mode` (connect or listen)
and :class:`AdapterPool` (connection slots per adapter). Apart from the pool's asyncio
condition everything is pure: bytes and counts in, values out; ``ingest.ble`` does the I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ingest.hrm_protocol import MalformedPacketError
from ingest.source import SourceKind

POLAR_COMPANY_ID = 0x006B  # Bluetooth SIG company identifier of Polar Electro Oy
_GPB_BIT = 0x40  # bit 6 of a block's first byte: generic (GPB) block, not heart rate
_LEGACY_LENGTHS = (3, 4)  # H6/H7: the whole payload is one heart-rate block (Polar SDK)

StrapMode = Literal["connect", "listen", "ignore"]


@dataclass(frozen=True, slots=True)
class PolarBroadcast:
    """Heart rate as broadcast in one Polar advertisement."""

    hr_bpm: int  # slow average, what Polar displays
    fast_hr_bpm: int
    sensor_contact: bool
    battery_ok: bool  # False: battery needs replacing or charging
    frame_counter: int  # 0-7, advances when the strap writes a new heart rate
    legacy: bool  # 3-byte block (old firmware): the counter may not advance


def decode_polar_manufacturer_data(payload: bytes | bytearray) -> PolarBroadcast | None:
    """Decode Polar manufacturer data (company id already stripped).

    Returns ``None`` when the advertisement carries no heart-rate block (Polar devices also
    advertise without it, e.g. while not worn). A block that overruns the payload raises
    :class:`MalformedPacketError`.
    """
    size = len(payload)
    if size in _LEGACY_LENGTHS:
        return _heart_rate_block(payload, 0)
    offset = 0
    while offset < size:
        if payload[offset] & _GPB_BIT:
            if offset + 1 >= size:
                raise MalformedPacketError(payload, "GPB block header without a length byte",
                                           what="Polar advertisement")
            offset += 2 + payload[offset + 1]
            if offset > size:
                raise MalformedPacketError(payload, "GPB block runs past the end",
                                           what="Polar advertisement")
            continue
        if offset + 3 > size:
            raise MalformedPacketError(payload, "heart-rate block shorter than 3 bytes",
                                       what="Polar advertisement")
        return _heart_rate_block(payload, offset)
    return None


def _heart_rate_block(payload: bytes | bytearray, offset: int) -> PolarBroadcast:
    status = payload[offset]
    fast = payload[offset + 2]
    legacy = len(payload) - offset == 3
    slow = fast if legacy else payload[offset + 3]
    return PolarBroadcast(
        hr_bpm=slow,
        fast_hr_bpm=fast,
        sensor_contact=bool(status & 0x02),
        battery_ok=bool(status & 0x01),
        frame_counter=(status & 0x1C) >> 2,
        legacy=legacy,
    )


@dataclass(slots=True)
class BroadcastDeduper:
    """Turns a stream of repeated advertisements into one reading per heart-rate update.

    A strap repeats the same advertisement many times a second; the frame counter tells new
    values from repeats (Polar SDK ``isHrDataUpdated``). Legacy 3-byte blocks may keep the
    counter still, so for them a changed value or ``legacy_interval_s`` of silence counts as new.
    """

    legacy_interval_s: float = 1.0
    _last: dict[str, tuple[int, int, float]] = field(default_factory=dict)

    def is_new(self, strap_id: str, broadcast: PolarBroadcast, now: float) -> bool:
        previous = self._last.get(strap_id)
        key = (broadcast.frame_counter, broadcast.hr_bpm)
        if previous is None:
            fresh = True
        elif broadcast.legacy:
            fresh = key != previous[:2] or now - previous[2] >= self.legacy_interval_s
        else:
            fresh = broadcast.frame_counter != previous[0]
        if fresh:
            self._last[strap_id] = (*key, now)
        return fresh

    def forget(self, strap_id: str) -> None:
        self._last.pop(strap_id, None)


def choose_mode(*, broadcasts_hr: bool, has_hr_service: bool, free_slots: int,
                prefer_connectionless: bool) -> StrapMode:
    """How to read a strap that was just heard.

    A GATT connection gives RR intervals, battery and location, so it wins while adapters
    have free slots; a broadcasting strap is read from its advertisements when slots run out
    (or when the studio prefers it). A strap with neither is not a heart-rate strap.
    """
    if broadcasts_hr and (prefer_connectionless or free_slots <= 0):
        return "listen"
    if has_hr_service:
        return "connect"
    if broadcasts_hr:
        return "listen"
    return "ignore"


def source_kind_from_name(name: str | None) -> SourceKind:
    """Guess the sensor kind from a Polar advertised name ("Polar H10 A1B2C3D4").

    Polar's chest straps are the H series; OH1 and Verity Sense are optical arm bands.
    Other names stay unknown until the Body Sensor Location is read over a connection.
    """
    if not name:
        return "unknown"
    words = name.split()
    if len(words) >= 2 and words[0].lower() == "polar":
        model = words[1].upper()
        if model.startswith("H") and model[1:].isdigit():
            return "chest"
        if model in {"OH1", "SENSE", "VERITY"}:
            return "optical"
    return "unknown"


def pick_adapter(load: Mapping[str, int], limits: Mapping[str, int],
                 rssi: Mapping[str, int]) -> str | None:
    """The adapter for a new connection: one that heard the strap (``rssi`` keys) and has a
    free slot, the emptiest first, then the one hearing it loudest."""
    candidates = [a for a in rssi if load.get(a, 0) < limits.get(a, 0)]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (load.get(a, 0) - limits[a], -rssi[a], a))


class AdapterPool:
    """Connection slots per adapter, handed out fairly to straps waiting for one."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        self.limits = dict(limits)
        self.held: dict[str, set[str]] = {name: set() for name in limits}
        self._changed = asyncio.Condition()

    def load(self) -> dict[str, int]:
        return {name: len(straps) for name, straps in self.held.items()}

    def free(self) -> int:
        return sum(max(0, self.limits[a] - len(s)) for a, s in self.held.items())

    async def acquire(self, strap_id: str, rssi: Mapping[str, int],
                      on_wait: Callable[[], None] | None = None) -> str:
        """A slot for ``strap_id`` on an adapter that heard it; ``on_wait`` is called when
        none is free right now (so the strap's status can say why it is not connected)."""
        async with self._changed:
            adapter: str | None = None

            def slot_free() -> bool:
                nonlocal adapter
                adapter = pick_adapter(self.load(), self.limits, rssi)
                return adapter is not None

            if not slot_free() and on_wait is not None:
                on_wait()
            await self._changed.wait_for(slot_free)
            assert adapter is not None
            self.held[adapter].add(strap_id)
            return adapter

    async def release(self, strap_id: str, adapter: str) -> None:
        async with self._changed:
            self.held[adapter].discard(strap_id)
            self._changed.notify_all()

    async def poke(self, disable: str | None = None) -> None:
        """Wake waiters: a strap was heard on a new adapter, or ``disable`` stopped working."""
        async with self._changed:
            if disable is not None:
                self.limits[disable] = 0
            self._changed.notify_all()
