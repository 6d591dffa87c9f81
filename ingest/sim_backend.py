"""A simulated radio behind bleak's own backend interface, for tests and demos without straps.

Bleak lets the caller choose the backend class that ``BleakClient``/``BleakScanner``
construct (``backend=``). :class:`SimRadio` hands out such classes, bound to a room of
:class:`SimStrap` objects, so :mod:`ingest.ble` and ``bleak_retry_connector`` run their real
code paths: scanning, ``establish_connection``, GATT reads, notifications and unsolicited
disconnects. Straps send the bytes they are given (captured packets from real straps),
including garbage, and can drop their link, refuse connections or leave the room. Each
adapter enforces a hard connection limit and records any breach, so tests can prove the
client never asks an adapter for more than it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_16

from ingest.advertising import POLAR_COMPANY_ID

_HRS, _BAS = normalize_uuid_16(0x180D), normalize_uuid_16(0x180F)
_HRM, _BSL, _BATT = (normalize_uuid_16(u) for u in (0x2A37, 0x2A38, 0x2A19))


@dataclass
class SimStrap:
    """One simulated strap. ``packets`` are sent in order, cycling, every ``interval_s``."""

    address: str
    name: str = "Sim HRM"
    packets: Sequence[bytes] = (bytes.fromhex("163c1104"),)
    interval_s: float = 0.01
    body_location: bytes | None = b"\x01"  # None: characteristic absent
    battery: bytes | None = b"\x5a"
    has_hr_service: bool = True  # advertises 0x180D and accepts connections
    polar_adverts: Sequence[bytes] = ()  # Polar manufacturer data (company id stripped), cycling
    drop_after: int | None = None  # the link drops after this many notifications
    drops_left: int = 0  # ... this many times (then the link stays up)
    refuse_connections: int = 0  # the next N connection attempts fail
    in_range: bool = True
    rssi: int = -60
    heard_by: set[str] | None = None  # adapters in range; None: all
    read_delay_s: float = 0.0  # how long a GATT read takes (a stuck strap: long)
    sent: int = 0  # notifications delivered, over all connections


@dataclass
class SimRadio:
    """The room: straps plus adapters with their connection limits."""

    straps: dict[str, SimStrap]
    adapter_limits: dict[str, int]
    advert_interval_s: float = 0.01
    connected: dict[str, set[str]] = field(default_factory=dict)  # adapter -> addresses
    peak: dict[str, int] = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)
    connect_attempts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def with_straps(cls, straps: Sequence[SimStrap], adapter_limits: dict[str, int],
                    **kwargs: Any) -> SimRadio:
        return cls({s.address: s for s in straps}, dict(adapter_limits), **kwargs)

    def client_backend(self) -> type[BaseBleakClient]:
        return type("SimBleakClient", (SimBleakClient,), {"radio": self})

    def scanner_backend(self) -> type[BaseBleakScanner]:
        return type("SimBleakScanner", (SimBleakScanner,), {"radio": self})

    def hears(self, adapter: str, strap: SimStrap) -> bool:
        return strap.in_range and (strap.heard_by is None or adapter in strap.heard_by)

    def link_up(self, adapter: str, address: str) -> None:
        links = self.connected.setdefault(adapter, set())
        links.add(address)
        self.peak[adapter] = max(self.peak.get(adapter, 0), len(links))
        if len(links) > self.adapter_limits[adapter]:
            self.breaches.append(f"{adapter} held {len(links)} links")

    def link_down(self, adapter: str, address: str) -> None:
        self.connected.get(adapter, set()).discard(address)


class SimBleakScanner(BaseBleakScanner):
    """Delivers advertisements of every strap the adapter can hear, every interval."""

    radio: SimRadio

    def __init__(self, detection_callback: Any, service_uuids: list[str] | None,
                 scanning_mode: str = "active", *, bluez: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self.adapter = (bluez or {}).get("adapter", "hci0")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.adapter not in self.radio.adapter_limits:
            raise BleakError(f"simulated: there is no adapter {self.adapter}")
        self.seen_devices = {}
        self._task = asyncio.create_task(self._advertise())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _advertise(self) -> None:
        for tick in itertools.count():
            for strap in list(self.radio.straps.values()):
                if not self.radio.hears(self.adapter, strap):
                    continue
                adverts = strap.polar_adverts
                manufacturer = ({POLAR_COMPANY_ID: bytes(adverts[tick % len(adverts)])}
                                if adverts else {})
                adv = AdvertisementData(strap.name, manufacturer, {},
                                        [_HRS] if strap.has_hr_service else [], None,
                                        strap.rssi, ())
                if not self.is_allowed_uuid(adv.service_uuids):
                    continue
                details = {"adapter": self.adapter, "simulated": True}  # no BlueZ "path"
                device = self.create_or_update_device(strap.address, strap.address, strap.name,
                                                      details, adv)
                self.call_detection_callbacks(device, adv)
            await asyncio.sleep(self.radio.advert_interval_s)


class SimBleakClient(BaseBleakClient):
    """A GATT connection to one :class:`SimStrap` through one simulated adapter."""

    radio: SimRadio

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device,
                         disconnected_callback=kwargs.pop("disconnected_callback", None),
                         timeout=kwargs.pop("timeout", 10.0))
        details = getattr(address_or_ble_device, "details", None) or {}
        self.adapter = details.get("adapter") or (kwargs.get("bluez") or {}).get("adapter", "hci0")
        self._connected = False
        self._notifier: asyncio.Task[None] | None = None

    @property
    def mtu_size(self) -> int:
        return 23

    @property
    def is_connected(self) -> bool:
        return self._connected

    @property
    def strap(self) -> SimStrap | None:
        return self.radio.straps.get(self.address)

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        strap = self.strap
        attempts = self.radio.connect_attempts
        attempts[self.address] = attempts.get(self.address, 0) + 1
        await asyncio.sleep(0)
        if strap is None or not self.radio.hears(self.adapter, strap) or not strap.has_hr_service:
            raise BleakError(f"simulated: {self.address} did not answer")
        if strap.refuse_connections > 0:
            strap.refuse_connections -= 1
            raise BleakError(f"simulated: {self.address} refused the connection")
        self.radio.link_up(self.adapter, self.address)
        self._connected = True
        self.services = self._gatt(strap)

    async def disconnect(self) -> None:
        self._close_link()

    def _close_link(self) -> None:
        if self._notifier is not None and self._notifier is not asyncio.current_task():
            self._notifier.cancel()
        if self._connected:
            self._connected = False
            self.radio.link_down(self.adapter, self.address)

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any
                             ) -> bytearray:
        self._require_link()
        await asyncio.sleep(self.strap.read_delay_s if self.strap else 0.0)
        value = characteristic.obj
        assert isinstance(value, bytes | bytearray)
        return bytearray(value)

    async def start_notify(self, characteristic: BleakGATTCharacteristic,
                           callback: NotifyCallback, **kwargs: Any) -> None:
        self._require_link()
        strap = self.strap
        assert strap is not None
        self._notifier = asyncio.create_task(self._notify(strap, callback))

    async def _notify(self, strap: SimStrap, callback: Callable[[bytearray], None]) -> None:
        for count, packet in enumerate(itertools.cycle(strap.packets)):
            await asyncio.sleep(strap.interval_s)
            if not self._connected:
                return
            if not strap.in_range or (strap.drop_after is not None and strap.drops_left > 0
                                      and count >= strap.drop_after):
                strap.drops_left = max(0, strap.drops_left - 1)
                self._close_link()
                if self._disconnected_callback is not None:
                    self._disconnected_callback()
                return
            callback(bytearray(packet))
            strap.sent += 1

    def _require_link(self) -> None:
        if not self._connected:
            raise BleakError("simulated: not connected")

    def _gatt(self, strap: SimStrap) -> BleakGATTServiceCollection:
        services = BleakGATTServiceCollection()
        layout: list[tuple[str, int, list[tuple[str, int, bytes | None, list[Any]]]]] = [
            (_HRS, 10, [(_HRM, 11, b"", ["notify"]), (_BSL, 13, strap.body_location, ["read"])]),
            (_BAS, 20, [(_BATT, 21, strap.battery, ["read", "notify"])]),
        ]
        for service_uuid, handle, chars in layout:
            service = BleakGATTService(None, handle, service_uuid)
            services.add_service(service)
            for uuid, char_handle, value, properties in chars:
                if value is None:
                    continue
                services.add_characteristic(BleakGATTCharacteristic(
                    value, char_handle, uuid, properties, lambda: 20, service))
        return services

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        if self._notifier is not None:
            self._notifier.cancel()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def unpair(self) -> None:
        return None

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any
                                   ) -> bytearray:
        raise BleakError("simulated straps have no readable descriptors")

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any,
                              response: bool) -> None:
        raise BleakError("simulated straps have no writable characteristics")

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        raise BleakError("simulated straps have no writable descriptors")
