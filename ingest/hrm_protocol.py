"""Pure decoders for the Bluetooth Heart Rate Service (0x180D) and Battery Service (0x180F).

Byte layouts come from the Bluetooth SIG *Heart Rate Service 1.0* specification and the
*GATT Specification Supplement* (section "Heart Rate Measurement", 0x2A37; "Body Sensor
Location", 0x2A38; "Battery Level", 0x2A19). Everything here works on ``bytes`` only: no
radio, no clock, no logging, so the same code decodes live notifications, replayed captures
and the ``spotter hr decode`` command.

Every way a packet can be broken ends in :class:`MalformedPacketError` (a ``ValueError``)
that carries the packet as hex, so a reader can count it, log it and keep going.
"""

from __future__ import annotations

import struct

from ingest.source import HeartRateMeasurement, SourceKind

# Flags byte of 0x2A37 (GATT Specification Supplement, Heart Rate Measurement, "Flags").
FLAG_HR_UINT16 = 0x01  # bit 0: heart rate value is uint16 instead of uint8
FLAG_CONTACT_STATUS = 0x02  # bit 1: sensor contact detected (meaningful only with bit 2)
FLAG_CONTACT_SUPPORTED = 0x04  # bit 2: sensor contact feature supported
FLAG_ENERGY_PRESENT = 0x08  # bit 3: Energy Expended field (uint16, kJ) present
FLAG_RR_PRESENT = 0x10  # bit 4: one or more RR-Interval fields (uint16, 1/1024 s) present
# Bits 5-7 are reserved for future use; receivers ignore them (Core spec convention for RFU bits).

# Indexed by flag bits 2..1 read as a number: 0b00/0b01 = feature not supported -> None,
# 0b10 = supported but no contact -> False, 0b11 = supported and in contact -> True.
_CONTACT_BY_BITS: tuple[bool | None, ...] = (None, None, False, True)

# RR-Interval resolution is 1/1024 s (GATT Specification Supplement); 1000/1024 is exact in binary.
RR_UNIT_MS = 1000.0 / 1024.0

# Body Sensor Location 0x2A38 values (GATT Specification Supplement, "Body Sensor Location").
BODY_SENSOR_LOCATIONS: tuple[str, ...] = (
    "other", "chest", "wrist", "finger", "hand", "ear_lobe", "foot",
)
# Locations where the reading comes from an optical (PPG) sensor rather than an ECG chest
# strap. DESIGN.md: optical RR intervals are too noisy for HRV, so the kind must travel along.
_OPTICAL_LOCATIONS = frozenset({"wrist", "finger", "hand", "ear_lobe", "foot"})

_ADVICE = (
    "the bytes do not follow the Bluetooth Heart Rate Service layout (readers skip such "
    "packets); if one strap keeps sending them, check its battery and firmware"
)


class MalformedPacketError(ValueError):
    """A packet from a strap (or a hex string) that cannot be decoded.

    The one error type of this module: readers catch it, count it and carry on.
    """

    def __init__(self, packet: bytes | bytearray | memoryview, reason: str,
                 what: str = "Heart Rate Measurement", advice: str = _ADVICE) -> None:
        super().__init__(reason)
        self.packet = bytes(packet)
        self.reason = reason
        self.what = what
        self.advice = advice

    @property
    def packet_hex(self) -> str:
        return self.packet.hex()

    def __str__(self) -> str:  # built on demand: garbage from a strap is often never printed
        shown = f" packet {self.packet_hex}" if self.packet else ""
        return f"malformed {self.what}{shown}: {self.reason}; {self.advice}"


# Little-endian n x uint16 unpackers, built once: an attribute value is at most 512 bytes
# (Core spec, ATT), so at most 255 RR intervals fit after flags and heart rate.
_RR_STRUCTS = tuple(struct.Struct(f"<{count}H") for count in range(256))


def parse_heart_rate_measurement(data: bytes | bytearray | memoryview) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement (0x2A37) notification.

    Strict on structure, because a shifted field silently turns into wrong heart rates:
    a missing field, a dangling odd byte, bytes left over with no field to hold them, or an
    RR flag with no RR value all raise :class:`MalformedPacketError`. Values themselves are
    not judged (0 bpm is what many straps send without skin contact).
    """
    size = len(data)
    if size < 2:
        raise MalformedPacketError(data, "needs at least a flags byte and a heart rate byte")
    flags = data[0]
    if flags & FLAG_HR_UINT16:
        if size < 3:
            raise MalformedPacketError(
                data, "flags announce a uint16 heart rate but only 1 byte follows")
        hr = data[1] | (data[2] << 8)
        offset = 3
    else:
        hr = data[1]
        offset = 2
    energy: int | None = None
    if flags & FLAG_ENERGY_PRESENT:
        if size < offset + 2:
            raise MalformedPacketError(
                data, "flags announce Energy Expended but the field is cut short")
        energy = data[offset] | (data[offset + 1] << 8)
        offset += 2
    left = size - offset
    if flags & FLAG_RR_PRESENT:
        if left == 0:
            raise MalformedPacketError(data, "flags announce RR intervals but none follow")
        if left & 1:
            raise MalformedPacketError(data, f"RR intervals are uint16 but {left} bytes remain")
        count = left >> 1
        unpack = _RR_STRUCTS[count] if count < 256 else struct.Struct(f"<{count}H")
        raw: tuple[int, ...] = unpack.unpack_from(data, offset)
        ms = tuple([value * RR_UNIT_MS for value in raw])
    elif left:
        raise MalformedPacketError(data, f"{left} byte(s) left over that no flag accounts for")
    else:
        raw = ()
        ms = ()
    # Positional: this runs for every notification and keywords cost twice as much here.
    return HeartRateMeasurement(hr, _CONTACT_BY_BITS[(flags >> 1) & 0b11], energy, raw, ms)


def encode_heart_rate_measurement(
    measurement: HeartRateMeasurement, *, hr_uint16: bool | None = None
) -> bytes:
    """Build the 0x2A37 bytes a spec-conforming strap would send for ``measurement``.

    The inverse of :func:`parse_heart_rate_measurement`: used by the simulated strap backend
    and by property tests. ``hr_uint16`` defaults to uint16 only when the value needs it;
    RR intervals are taken from ``rr_intervals_raw`` (the exact on-air values).
    """
    wide = hr_uint16 if hr_uint16 is not None else measurement.hr_bpm > 0xFF
    if not 0 <= measurement.hr_bpm <= (0xFFFF if wide else 0xFF):
        raise ValueError(f"heart rate {measurement.hr_bpm} does not fit the chosen field width")
    flags = FLAG_HR_UINT16 if wide else 0
    if measurement.sensor_contact is not None:
        flags |= FLAG_CONTACT_SUPPORTED | (FLAG_CONTACT_STATUS if measurement.sensor_contact else 0)
    out = bytearray([flags])
    out += measurement.hr_bpm.to_bytes(2 if wide else 1, "little")
    if measurement.energy_kj is not None:
        out[0] |= FLAG_ENERGY_PRESENT
        out += measurement.energy_kj.to_bytes(2, "little")
    if measurement.rr_intervals_raw:
        out[0] |= FLAG_RR_PRESENT
        for value in measurement.rr_intervals_raw:
            out += value.to_bytes(2, "little")
    return bytes(out)


def measurement_from_rr_ms(hr_bpm: int, rr_ms: tuple[float, ...] = (),
                           sensor_contact: bool | None = None) -> HeartRateMeasurement:
    """A measurement from values known in ms (recordings, simulators). The ms values stay
    exact; the raw 1/1024 s values are what a strap would have sent (nearest unit)."""
    return HeartRateMeasurement(hr_bpm=hr_bpm, sensor_contact=sensor_contact,
                                rr_intervals_raw=tuple(round(v / RR_UNIT_MS) for v in rr_ms),
                                rr_intervals_ms=tuple(float(v) for v in rr_ms))


def parse_body_sensor_location(data: bytes | bytearray | memoryview) -> str:
    """Decode Body Sensor Location (0x2A38): one uint8, 0-6 defined, the rest reserved."""
    if len(data) != 1:
        raise MalformedPacketError(data, f"expected exactly 1 byte, got {len(data)}",
                                   what="Body Sensor Location")
    code = data[0]
    if code >= len(BODY_SENSOR_LOCATIONS):
        raise MalformedPacketError(data, f"value {code} is reserved", what="Body Sensor Location")
    return BODY_SENSOR_LOCATIONS[code]


def parse_battery_level(data: bytes | bytearray | memoryview) -> int:
    """Decode Battery Level (0x2A19): one uint8 percentage, 0-100 (values above are invalid)."""
    if len(data) != 1:
        raise MalformedPacketError(data, f"expected exactly 1 byte, got {len(data)}",
                                   what="Battery Level")
    if data[0] > 100:
        raise MalformedPacketError(data, f"{data[0]} % is above 100 %", what="Battery Level")
    return int(data[0])


def source_kind_for_location(location: str | None) -> SourceKind:
    """Chest straps measure ECG; every other location is an optical sensor."""
    if location == "chest":
        return "chest"
    if location in _OPTICAL_LOCATIONS:
        return "optical"
    return "unknown"


def parse_hex(text: str) -> bytes:
    """Bytes from hex as people paste it: ``16 3c 11 04``, ``16:3C:11:04``, ``0x163c1104``."""
    cleaned = text.strip().lower()
    if cleaned.startswith("0x"):
        cleaned = cleaned[2:]
    for separator in (" ", ":", "-", ",", "\t"):
        cleaned = cleaned.replace(separator, "")
    cleaned = cleaned.replace("0x", "")
    try:
        return bytes.fromhex(cleaned)
    except ValueError as exc:
        raise MalformedPacketError(b"", f"{text!r} is not hex", what="hex input",
                                   advice="give the bytes as hex pairs, e.g. '16 3c 11 04'") \
            from exc
