"""The bleak strap client end to end against the simulated radio (no hardware needed).

The simulated backend sits where bleak constructs its platform backend, so scanning,
``bleak_retry_connector.establish_connection``, GATT reads, notifications and unsolicited
disconnects all run bleak's and our real code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from ingest.ble import BleHeartRateSource, BleIngestError, BleSettings, reconnect_delay
from ingest.hrm_protocol import parse_heart_rate_measurement
from ingest.sim_backend import SimRadio, SimStrap
from ingest.source import HeartRateSource, StrapReading, StrapState, StrapStatus

# Polar H7 notifications captured with gatttool (cal-id/Polar-H7-Pi README) and an
# unbranded strap (Stack Overflow question 60599696).
REAL_PACKETS = [bytes.fromhex(h) for h in ("16 3c 11 04", "16 3c f5 03", "06 3c", "16 34 e4 04")]
GARBAGE = [b"", b"\x11\x3c", b"\x10\x3c\x11", bytes.fromhex("00 3c 11 04"), b"\xff" * 3]


def mac(n: int) -> str:
    return f"C0:FF:EE:00:00:{n:02X}"


def settings(**overrides: object) -> BleSettings:
    values: dict[str, object] = dict(adapters=["hci0"], per_adapter_limit=5, connect_attempts=1,
                                     reconnect_initial_s=0.01, reconnect_max_s=0.05)
    values.update(overrides)
    return BleSettings(**values)  # type: ignore[arg-type]


def source_for(radio: SimRadio, **overrides: object) -> BleHeartRateSource:
    straps = overrides.pop("straps", None)
    return BleHeartRateSource(settings(**overrides), straps=straps,  # type: ignore[arg-type]
                              client_backend=radio.client_backend(),
                              scanner_backend=radio.scanner_backend())


async def collect(source: BleHeartRateSource, until: Callable[[list[StrapReading]], bool],
                  timeout: float = 5.0) -> tuple[list[StrapReading], dict[str, StrapStatus]]:
    """Readings until ``until`` holds, and the strap statuses just before closing."""
    got: list[StrapReading] = []

    async def run() -> None:
        async for reading in source.readings():
            got.append(reading)
            if until(got):
                return

    try:
        await asyncio.wait_for(run(), timeout)
        statuses = source.statuses()
    finally:
        await source.close()
    return got, statuses


def count_for(strap: str, n: int) -> Callable[[list[StrapReading]], bool]:
    return lambda got: sum(r.strap_id == strap for r in got) >= n


def each_at_least(n: int, *straps: str) -> Callable[[list[StrapReading]], bool]:
    return lambda got: all(count_for(strap, n)(got) for strap in straps)


async def test_streams_real_packets_stamped_on_arrival() -> None:
    radio = SimRadio.with_straps([SimStrap(mac(1), "Polar H7 1", REAL_PACKETS),
                                  SimStrap(mac(2), "HRM 2", REAL_PACKETS[::-1])], {"hci0": 5})
    source = source_for(radio)
    assert isinstance(source, HeartRateSource)
    before = time.time()
    got, statuses = await collect(source, each_at_least(8, mac(1), mac(2)))
    after = time.time()
    first = [r.measurement for r in got if r.strap_id == mac(1)][:4]
    assert first == [parse_heart_rate_measurement(p) for p in REAL_PACKETS]
    monotonic = [r.received_monotonic for r in got]
    assert monotonic == sorted(monotonic)
    assert all(before <= r.received_wall <= after for r in got)
    assert {r.source for r in got} == {"chest"}  # Body Sensor Location 0x01 read on connect
    status = statuses[mac(1)]
    assert (status.battery_pct, status.body_location) == (90, "chest")
    assert status.last_seen_wall is not None


async def test_reconnects_after_the_link_drops() -> None:
    strap = SimStrap(mac(1), packets=REAL_PACKETS[:1], drop_after=3, drops_left=2)
    radio = SimRadio.with_straps([strap], {"hci0": 1})
    source = source_for(radio)
    got, statuses = await collect(source, lambda g: len(g) >= 10)
    assert len(got) == 10
    counters = source.counters[mac(1)]
    assert (counters.connects, counters.disconnects) == (3, 2)
    assert any("reconnecting" in note for note in statuses[mac(1)].notes)
    assert radio.breaches == []


async def test_refused_connections_are_retried_with_backoff() -> None:
    radio = SimRadio.with_straps([SimStrap(mac(1), refuse_connections=3)], {"hci0": 1})
    source = source_for(radio)
    got, statuses = await collect(source, lambda g: len(g) >= 3)
    assert len(got) == 3
    assert radio.connect_attempts[mac(1)] == 4  # three refusals, then the connection
    assert source.counters[mac(1)].connects == 1


async def test_adapter_limits_hold_and_broadcasting_straps_overflow_to_advertisements() -> None:
    # Ten Polar straps, two adapters holding three connections each.
    adverts = [bytes([0x03 | (c << 2), 0x00, 100 + c, 100 + c]) for c in range(8)]
    straps = [SimStrap(mac(n), f"Polar H10 {n}", REAL_PACKETS, polar_adverts=adverts)
              for n in range(10)]
    radio = SimRadio.with_straps(straps, {"hci0": 3, "hci1": 3})
    source = source_for(radio, adapters=["hci0", "hci1"], per_adapter_limit=3)
    got, statuses = await collect(source, each_at_least(3, *(mac(n) for n in range(10))))
    states = [s.state for s in statuses.values()]
    assert states.count(StrapState.STREAMING) == 6
    assert states.count(StrapState.ADVERTISING) == 4
    assert radio.breaches == []
    assert radio.peak == {"hci0": 3, "hci1": 3}
    listened = {s for s, st in statuses.items() if st.state is StrapState.ADVERTISING}
    from_adverts = [r for r in got if r.strap_id in listened]
    assert {r.measurement.hr_bpm for r in from_adverts} <= {100 + c for c in range(8)}
    assert all(r.measurement.rr_intervals_ms == () for r in from_adverts)


async def test_straps_beyond_capacity_without_broadcast_wait_for_a_slot() -> None:
    straps = [SimStrap(mac(n), packets=REAL_PACKETS) for n in range(3)]
    radio = SimRadio.with_straps(straps, {"hci0": 2})
    source = source_for(radio, per_adapter_limit=2)
    _, statuses = await collect(source, lambda g: len(g) >= 10)
    waiting = [s for s in statuses.values() if s.state is not StrapState.STREAMING]
    assert len(waiting) == 1
    assert "waiting for a free adapter slot" in waiting[0].notes
    assert radio.breaches == []


async def test_garbage_packets_are_counted_and_the_stream_goes_on() -> None:
    packets = [REAL_PACKETS[0], *GARBAGE, REAL_PACKETS[1]]
    radio = SimRadio.with_straps([SimStrap(mac(1), packets=packets, interval_s=0.002)],
                                 {"hci0": 1})
    source = source_for(radio)
    got, statuses = await collect(source, lambda g: len(g) >= 6)
    assert len(got) == 6
    assert {r.measurement.hr_bpm for r in got} == {60}
    assert source.counters[mac(1)].malformed >= 2 * len(GARBAGE)
    assert statuses[mac(1)].state is StrapState.STREAMING  # garbage never broke the link
    assert source.counters[mac(1)].connects == 1
    assert source.statuses()[mac(1)].state is StrapState.DISCONNECTED  # after close


async def test_missing_or_bad_characteristics_become_notes() -> None:
    straps = [SimStrap(mac(1), "Polar H10 1", body_location=None, battery=None),
              SimStrap(mac(2), "Polar OH1 2", body_location=b"\x09", battery=b"\xff")]
    radio = SimRadio.with_straps(straps, {"hci0": 2})
    source = source_for(radio)
    got, statuses = await collect(source, each_at_least(2, mac(1), mac(2)))
    first, second = statuses[mac(1)], statuses[mac(2)]
    assert (first.battery_pct, first.body_location) == (None, None)
    assert any("could not read" in note for note in first.notes)
    assert source.counters[mac(2)].malformed == 2
    assert any("reserved" in note for note in second.notes)
    kinds = {r.strap_id: r.source for r in got}
    assert kinds == {mac(1): "chest", mac(2): "optical"}  # guessed from the names


async def test_a_stuck_gatt_read_times_out_and_streaming_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest.ble.GATT_TIMEOUT_S", 0.05)
    radio = SimRadio.with_straps([SimStrap(mac(1), read_delay_s=5.0)], {"hci0": 1})
    source = source_for(radio)
    got, statuses = await collect(source, lambda g: len(g) >= 3)
    assert len(got) == 3
    assert sum("could not read" in note for note in statuses[mac(1)].notes) == 2


async def test_straps_off_the_class_list_are_reported_not_read() -> None:
    radio = SimRadio.with_straps([SimStrap(mac(1)), SimStrap(mac(2))], {"hci0": 5})
    source = source_for(radio, straps=[mac(1).lower()])
    got, statuses = await collect(source, lambda g: len(g) >= 5)
    assert {r.strap_id for r in got} == {mac(1)}
    outsider = statuses[mac(2)]
    assert outsider.state is StrapState.DISCOVERED
    assert any("not on this class" in note for note in outsider.notes)
    assert mac(2) not in radio.connect_attempts


async def test_a_strap_leaving_the_room_is_not_hammered_and_comes_back() -> None:
    strap = SimStrap(mac(1), packets=REAL_PACKETS[:1])
    radio = SimRadio.with_straps([strap], {"hci0": 1})
    source = source_for(radio)
    phase: dict[str, int] = {}

    def until(got: list[StrapReading]) -> bool:
        if len(got) == 3:
            strap.in_range = False
            asyncio.get_running_loop().call_later(0.3, lambda: setattr(strap, "in_range", True))
            phase["attempts_when_left"] = radio.connect_attempts[mac(1)]
        return len(got) >= 6

    _, statuses = await collect(source, until)
    assert source.counters[mac(1)].connects == 2
    # While away it did not advertise, so no connection was attempted until it came back.
    assert radio.connect_attempts[mac(1)] == phase["attempts_when_left"] + 1


async def test_connectionless_strap_yields_one_reading_per_broadcast_update() -> None:
    adverts = [bytes([0x03 | (c << 2), 0x00, 70 + c, 70 + c]) for c in (0, 0, 0, 1, 1, 2)]
    strap = SimStrap(mac(1), "Polar H10 1", has_hr_service=False, polar_adverts=adverts)
    radio = SimRadio.with_straps([strap], {"hci0": 1}, advert_interval_s=0.005)
    source = source_for(radio)
    got, statuses = await collect(source, lambda g: len(g) >= 6)
    assert [r.measurement.hr_bpm for r in got] == [70, 71, 72, 70, 71, 72]
    assert {r.source for r in got} == {"chest"}
    assert statuses[mac(1)].state is StrapState.ADVERTISING
    assert radio.connect_attempts == {}


async def test_no_usable_adapter_is_a_clear_error() -> None:
    radio = SimRadio.with_straps([SimStrap(mac(1))], {"hci0": 1})
    source = source_for(radio, adapters=["hci7"])
    with pytest.raises(BleIngestError, match="SPOTTER_BLE_ADAPTERS"):
        await source.start()


async def test_close_ends_the_readings_iterator() -> None:
    radio = SimRadio.with_straps([SimStrap(mac(1))], {"hci0": 1})
    source = source_for(radio)
    readings = source.readings()
    assert (await anext(readings)).strap_id == mac(1)
    await source.close()
    rest = [r async for r in readings]
    assert len(rest) < 50  # whatever was queued, then the iterator ends
    assert radio.connected.get("hci0", set()) == set()


@pytest.mark.parametrize(("failures", "delay"), [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0),
                                                 (6, 30.0), (500, 30.0)])
def test_reconnect_delay_doubles_up_to_the_cap(failures: int, delay: float) -> None:
    assert reconnect_delay(failures, 1.0, 30.0) == delay


def test_settings_come_from_the_toml_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPOTTER_BLE_PER_ADAPTER_LIMIT", raising=False)
    defaults = BleSettings()
    assert (defaults.per_adapter_limit, defaults.reconnect_max_s) == (5, 30.0)  # ingest.toml
    monkeypatch.setenv("SPOTTER_BLE_PER_ADAPTER_LIMIT", "7")
    monkeypatch.setenv("SPOTTER_BLE_ADAPTERS", '["hci0", "hci1"]')
    monkeypatch.setenv("SPOTTER_BLE_ADAPTER_LIMITS", '{"hci1": 3}')
    assert BleSettings().limits() == {"hci0": 7, "hci1": 3}
    monkeypatch.setenv("SPOTTER_BLE_PER_ADAPTER_LIMIT", "0")
    with pytest.raises(ValidationError):
        BleSettings()
