"""The 0x2A37 / 0x2A38 / 0x2A19 decoders against captured packets and the spec layout."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.ble import parse_heart_rate_measurement as reexported_parser
from ingest.hrm_protocol import (
    RR_UNIT_MS,
    MalformedPacketError,
    encode_heart_rate_measurement,
    measurement_from_rr_ms,
    parse_battery_level,
    parse_body_sensor_location,
    parse_heart_rate_measurement,
    parse_hex,
    source_kind_for_location,
)
from ingest.source import HeartRateMeasurement


def ms(*raw: int) -> tuple[float, ...]:
    return tuple(r * 1000 / 1024 for r in raw)


# (hex, hr, contact, energy, raw RR) -- sources in the ids.
VECTORS = [
    # Polar H7 notifications captured with gatttool (cal-id/Polar-H7-Pi, README.md).
    pytest.param("06 3c", 60, True, None, (), id="polar-h7-no-rr"),
    pytest.param("16 3c 11 04", 60, True, None, (1041,), id="polar-h7-rr-1041"),
    pytest.param("16 3c f5 03", 60, True, None, (1013,), id="polar-h7-rr-1013"),
    # Unbranded strap via gatttool (Stack Overflow question 60599696).
    pytest.param("16 34 e4 04", 52, True, None, (1252,), id="unbranded-52bpm"),
    pytest.param("16 33 de 04", 51, True, None, (1246,), id="unbranded-51bpm"),
    # Polar H10 on Android, printed as signed decimals [16, 59, 83, 4] (Stack Overflow
    # question 67024800): flags 0x10, contact bits 00 -> not supported, not "True".
    pytest.param("10 3b 53 04", 59, None, None, (1107,), id="polar-h10-android"),
    # Vectors from Polar's SDK tests (polarofficial/polar-ble-sdk, BleHrClientTest.kt).
    pytest.param("00 ff", 255, None, None, (), id="sdk-uint8-max"),
    pytest.param("01 80 80", 32896, None, None, (), id="sdk-uint16"),
    pytest.param("06 00", 0, True, None, (), id="sdk-contact-detected"),
    pytest.param("04 00", 0, False, None, (), id="sdk-contact-lost"),
    pytest.param("02 00", 0, None, None, (), id="sdk-status-bit-without-support"),
    pytest.param("09 00 00 ff ff", 0, None, 65535, (), id="sdk-energy-uint16-hr"),
    pytest.param("08 00 7f 80", 0, None, 32895, (), id="sdk-energy-uint8-hr"),
    pytest.param("10 00 ff ff", 0, None, None, (65535,), id="sdk-rr-max"),
    pytest.param("11 00 00 ff ff 7f 80", 0, None, None, (65535, 32895), id="sdk-two-rr"),
    # Spec layout, every field: uint16 HR 140, contact, energy 1234 kJ, three RRs in order.
    pytest.param("1f 8c 00 d2 04 00 04 10 04 20 04", 140, True, 1234, (1024, 1040, 1056),
                 id="spec-all-fields"),
    # Reserved flag bits 5-7 are ignored, not an error.
    pytest.param("e0 48", 72, None, None, (), id="spec-reserved-bits"),
]


@pytest.mark.parametrize(("packet", "hr", "contact", "energy", "rr_raw"), VECTORS)
def test_decodes_captured_and_spec_packets(packet: str, hr: int, contact: bool | None,
                                           energy: int | None, rr_raw: tuple[int, ...]) -> None:
    measurement = parse_heart_rate_measurement(bytes.fromhex(packet))
    assert measurement == HeartRateMeasurement(hr, contact, energy, rr_raw, ms(*rr_raw))


def test_rr_intervals_are_milliseconds_oldest_first() -> None:
    measurement = parse_heart_rate_measurement(bytes.fromhex("1f 8c 00 d2 04 00 04 10 04 20 04"))
    assert measurement.rr_intervals_ms == (1000.0, 1015.625, 1031.25)
    assert parse_heart_rate_measurement(bytes.fromhex("10 00 ff ff")).rr_intervals_ms[0] == \
        pytest.approx(63999.02, abs=0.01)  # Polar SDK truncates the same value to 63999


@pytest.mark.parametrize(("packet", "reason"), [
    ("", "at least"),
    ("16", "at least"),
    ("01 3c", "uint16"),
    ("08 3c 01", "Energy"),
    ("19 8c 00 d2", "Energy"),
    ("10 3c", "none follow"),
    ("10 3c 11", "1 bytes remain"),
    ("18 3c d2 04 11", "1 bytes remain"),
    ("00 3c 11 04", "left over"),
    ("06 3c 00", "left over"),
])
def test_truncated_or_inconsistent_packets_raise_one_error_with_hex(packet: str,
                                                                    reason: str) -> None:
    data = bytes.fromhex(packet)
    with pytest.raises(MalformedPacketError, match=reason) as caught:
        parse_heart_rate_measurement(data)
    assert caught.value.packet_hex == data.hex()
    assert isinstance(caught.value, ValueError)
    if data:
        assert data.hex() in str(caught.value)


def test_accepts_bleak_bytearray_and_memoryview() -> None:
    packet = bytes.fromhex("16 3c 11 04")
    assert parse_heart_rate_measurement(bytearray(packet)) == \
        parse_heart_rate_measurement(memoryview(packet))
    assert reexported_parser is parse_heart_rate_measurement


measurements = st.builds(
    lambda hr, contact, energy, rr: HeartRateMeasurement(hr, contact, energy, tuple(rr),
                                                         ms(*rr)),
    st.integers(0, 0xFFFF), st.sampled_from([None, True, False]),
    st.one_of(st.none(), st.integers(0, 0xFFFF)),
    st.lists(st.integers(0, 0xFFFF), max_size=9),
)


@settings(deadline=None)  # the machine is shared; a slow example is not a failure
@given(measurements, st.booleans())
def test_encode_then_parse_round_trips(measurement: HeartRateMeasurement, wide: bool) -> None:
    wide = wide or measurement.hr_bpm > 0xFF
    packet = encode_heart_rate_measurement(measurement, hr_uint16=wide)
    assert parse_heart_rate_measurement(packet) == measurement


@settings(deadline=None)
@given(st.binary(max_size=40))
def test_random_bytes_decode_or_raise_only_the_packet_error(data: bytes) -> None:
    try:
        measurement = parse_heart_rate_measurement(data)
    except MalformedPacketError as exc:
        assert exc.packet_hex == data.hex()
        return
    # Whatever decodes re-encodes to the same bytes, up to the bits that carry no meaning
    # (reserved bits 5-7, and contact status without contact support).
    flags = data[0] & 0x1F
    if not flags & 0x04:
        flags &= ~0x02
    expected = bytes([flags]) + data[1:]
    assert encode_heart_rate_measurement(measurement, hr_uint16=bool(data[0] & 1)) == expected


def test_measurement_from_rr_ms_keeps_ms_and_derives_raw() -> None:
    m = measurement_from_rr_ms(61, (1093.0, 1165.0))
    assert m.rr_intervals_ms == (1093.0, 1165.0)
    assert m.rr_intervals_raw == (round(1093 / RR_UNIT_MS), round(1165 / RR_UNIT_MS))


@pytest.mark.parametrize(("packet", "location", "kind"), [
    ("00", "other", "unknown"), ("01", "chest", "chest"), ("02", "wrist", "optical"),
    ("03", "finger", "optical"), ("04", "hand", "optical"), ("05", "ear_lobe", "optical"),
    ("06", "foot", "optical"),
])
def test_body_sensor_location(packet: str, location: str, kind: str) -> None:
    decoded = parse_body_sensor_location(bytes.fromhex(packet))
    assert decoded == location
    assert source_kind_for_location(decoded) == kind


@pytest.mark.parametrize("packet", ["", "07", "ff", "01 01"])
def test_body_sensor_location_rejects_reserved_and_wrong_length(packet: str) -> None:
    with pytest.raises(MalformedPacketError, match="Body Sensor Location"):
        parse_body_sensor_location(bytes.fromhex(packet))


@pytest.mark.parametrize(("packet", "percent"), [("00", 0), ("5a", 90), ("64", 100)])
def test_battery_level(packet: str, percent: int) -> None:
    assert parse_battery_level(bytes.fromhex(packet)) == percent


@pytest.mark.parametrize("packet", ["", "65", "ff", "64 00"])
def test_battery_level_rejects_out_of_range(packet: str) -> None:
    with pytest.raises(MalformedPacketError, match="Battery Level"):
        parse_battery_level(bytes.fromhex(packet))


@pytest.mark.parametrize("text", ["16 3c 11 04", "163C1104", "16:3c:11:04", "0x163c1104",
                                  "0x16 0x3c 0x11 0x04", " 16-3c-11-04 "])
def test_parse_hex_accepts_common_spellings(text: str) -> None:
    assert parse_hex(text) == bytes.fromhex("163c1104")


@pytest.mark.parametrize("text", ["zz", "163", "16 3c 1"])
def test_parse_hex_rejects_non_hex(text: str) -> None:
    with pytest.raises(MalformedPacketError, match="hex"):
        parse_hex(text)
