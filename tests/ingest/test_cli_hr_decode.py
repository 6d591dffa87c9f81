"""``spotter hr decode`` prints JSON on stdout, errors on stderr with exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_decodes_a_captured_packet_to_json() -> None:
    result = runner.invoke(app, ["hr", "decode", "16 3c 11 04"])
    assert result.exit_code == 0, result.output
    decoded = json.loads(result.stdout)
    assert decoded["hr_bpm"] == 60 and decoded["sensor_contact"] is True
    assert decoded["rr_intervals_raw"] == [1041]
    assert decoded["rr_intervals_ms"] == [1041 * 1000 / 1024]
    assert decoded["energy_kj"] is None and decoded["flags"] == "0x16"


@pytest.mark.parametrize(("kind", "packet", "key", "value"), [
    ("location", "01", "body_location", "chest"),
    ("battery", "5a", "battery_pct", 90),
    ("polar-advert", "2b 0b b6 ac", "broadcast", {"hr_bpm": 172, "fast_hr_bpm": 182,
                                                  "sensor_contact": True, "battery_ok": True,
                                                  "frame_counter": 2, "legacy": False}),
])
def test_other_packet_kinds(kind: str, packet: str, key: str, value: object) -> None:
    result = runner.invoke(app, ["hr", "decode", "--kind", kind, packet])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[key] == value


@pytest.mark.parametrize(("packet", "message"), [
    ("zz", "not hex"),
    ("11 3c", "uint16"),
    ("", "at least"),
])
def test_bad_input_exits_2_with_a_clear_message(packet: str, message: str) -> None:
    result = runner.invoke(app, ["hr", "decode", packet])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
