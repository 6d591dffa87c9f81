"""Polar heart-rate broadcasts, deduplication, connect-or-listen and adapter slot choice."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.advertising import (
    AdapterPool,
    BroadcastDeduper,
    PolarBroadcast,
    choose_mode,
    decode_polar_manufacturer_data,
    pick_adapter,
    source_kind_from_name,
)
from ingest.hrm_protocol import MalformedPacketError

# Payloads are bleak's manufacturer_data[0x006B], i.e. without the 6b 00 company id.
POLAR_VECTORS = [
    # polarofficial/polar-ble-sdk BleAdvertisementContentTest.kt, "SAGRFC31 format".
    pytest.param("2b 0b b6 ac", PolarBroadcast(172, 182, True, True, 2, False), id="sagrfc31"),
    # Same file, "SAGRFC23 format": two GPB blocks, then a 3-byte heart-rate block.
    pytest.param("72 08 97 c9 c3 00 00 00 00 00 7a 01 03 33 00 00",
                 PolarBroadcast(0, 0, True, True, 4, True), id="sagrfc23"),
    # Polar OH1 example in a comment of the SDK's iOS BleAdvertisementContent.swift.
    pytest.param("72 06 7f 44 37 00 00 00 33 00 3c",
                 PolarBroadcast(60, 60, True, True, 4, True), id="oh1"),
    # BlePolarHrAdvertisementTest.kt: status byte bits (battery, counter, kHz code, HRs).
    pytest.param("fe fe fe fe", PolarBroadcast(254, 254, True, False, 7, False), id="battery-low"),
    pytest.param("e3 fe fe fe", PolarBroadcast(254, 254, True, True, 0, False), id="counter-0"),
    pytest.param("e7 fe fe fe", PolarBroadcast(254, 254, True, True, 1, False), id="counter-1"),
    pytest.param("ff ff 00", PolarBroadcast(0, 0, True, True, 7, True), id="legacy-3-byte"),
]


@pytest.mark.parametrize(("payload", "expected"), POLAR_VECTORS)
def test_decodes_polar_broadcasts(payload: str, expected: PolarBroadcast) -> None:
    assert decode_polar_manufacturer_data(bytes.fromhex(payload)) == expected


def test_advert_without_heart_rate_block_is_none() -> None:
    only_gpb = bytes.fromhex("72 08 97 c9 c3 00 00 00 00 00")  # SDK test "without hr"
    assert decode_polar_manufacturer_data(only_gpb) is None
    assert decode_polar_manufacturer_data(b"") is None


@pytest.mark.parametrize("payload", ["72 20 00 00 00", "72", "72 02 00 00 7a", "2b 0b"])
def test_broken_blocks_raise_the_packet_error(payload: str) -> None:
    with pytest.raises(MalformedPacketError, match="Polar advertisement"):
        decode_polar_manufacturer_data(bytes.fromhex(payload))


@settings(deadline=None)
@given(st.binary(max_size=31))  # legacy advertising data holds at most 31 bytes
def test_random_adverts_decode_or_raise_only_the_packet_error(payload: bytes) -> None:
    try:
        result = decode_polar_manufacturer_data(payload)
    except MalformedPacketError:
        return
    assert result is None or 0 <= result.hr_bpm <= 255


def test_deduper_emits_once_per_frame_counter() -> None:
    dedupe = BroadcastDeduper(legacy_interval_s=1.0)
    frame0 = decode_polar_manufacturer_data(bytes.fromhex("e3 fe 50 50"))
    frame1 = decode_polar_manufacturer_data(bytes.fromhex("e7 fe 51 51"))
    assert frame0 is not None and frame1 is not None
    seen = [dedupe.is_new("A", f, t) for f, t in
            [(frame0, 0.0), (frame0, 0.1), (frame0, 5.0), (frame1, 5.1), (frame1, 5.2)]]
    assert seen == [True, False, False, True, False]
    assert dedupe.is_new("B", frame1, 5.3)  # per strap


def test_deduper_legacy_blocks_repeat_after_interval() -> None:
    dedupe = BroadcastDeduper(legacy_interval_s=1.0)
    same = decode_polar_manufacturer_data(bytes.fromhex("33 00 3c"))
    changed = decode_polar_manufacturer_data(bytes.fromhex("33 00 3d"))
    assert same is not None and changed is not None
    assert [dedupe.is_new("A", same, 0.0), dedupe.is_new("A", same, 0.5),
            dedupe.is_new("A", changed, 0.6), dedupe.is_new("A", changed, 1.7)] == \
        [True, False, True, True]


@pytest.mark.parametrize(("broadcasts", "hrs", "free", "prefer", "mode"), [
    (False, True, 3, False, "connect"),
    (False, True, 0, False, "connect"),  # queued for a slot: nothing else reads it
    (True, True, 3, False, "connect"),  # a connection gives RR, battery, location
    (True, True, 0, False, "listen"),  # slots gone: read the broadcast instead
    (True, True, 3, True, "listen"),
    (True, False, 3, False, "listen"),
    (False, False, 3, False, "ignore"),
])
def test_choose_mode(broadcasts: bool, hrs: bool, free: int, prefer: bool, mode: str) -> None:
    assert choose_mode(broadcasts_hr=broadcasts, has_hr_service=hrs, free_slots=free,
                       prefer_connectionless=prefer) == mode


@pytest.mark.parametrize(("load", "rssi", "expected"), [
    ({"hci0": 0, "hci1": 0}, {"hci0": -70, "hci1": -50}, "hci1"),  # loudest when equal
    ({"hci0": 1, "hci1": 4}, {"hci0": -90, "hci1": -40}, "hci0"),  # emptiest first
    ({"hci0": 5, "hci1": 4}, {"hci0": -40, "hci1": -90}, "hci1"),  # hci0 full
    ({"hci0": 5, "hci1": 5}, {"hci0": -40, "hci1": -90}, None),
    ({"hci0": 0, "hci1": 0}, {"hci1": -90}, "hci1"),  # only adapters that heard it
    ({"hci0": 0, "hci1": 0}, {}, None),
])
def test_pick_adapter(load: dict[str, int], rssi: dict[str, int], expected: str | None) -> None:
    assert pick_adapter(load, {"hci0": 5, "hci1": 5}, rssi) == expected


async def test_adapter_pool_waits_for_a_released_slot() -> None:
    pool = AdapterPool({"hci0": 1})
    assert await pool.acquire("A", {"hci0": -50}) == "hci0"
    waiting = asyncio.ensure_future(pool.acquire("B", {"hci0": -50}))
    await asyncio.sleep(0.01)
    assert not waiting.done() and pool.free() == 0
    await pool.release("A", "hci0")
    assert await asyncio.wait_for(waiting, 1) == "hci0"
    await pool.poke(disable="hci0")
    assert pool.free() == 0


@pytest.mark.parametrize(("name", "kind"), [
    ("Polar H10 A1B2C3D4", "chest"), ("Polar H9 1234ABCD", "chest"), ("Polar H7 12", "chest"),
    ("Polar OH1 1A2B3C4D", "optical"), ("Polar Sense 1234", "optical"),
    ("Garmin HRM-Dual", "unknown"), (None, "unknown"), ("Polar", "unknown"),
])
def test_source_kind_from_name(name: str | None, kind: str) -> None:
    assert source_kind_from_name(name) == kind
