"""``spotter hr decode HEX``: decode one packet from a strap and print it as JSON.

For support calls and field debugging: paste the bytes a strap sent (from ``btmon``, nRF
Connect or an edge-box log line) and see what Spotter reads from them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

import typer

from api.cli.apps import hr_app


class PacketKind(StrEnum):
    measurement = "measurement"  # Heart Rate Measurement 0x2A37
    location = "location"  # Body Sensor Location 0x2A38
    battery = "battery"  # Battery Level 0x2A19
    polar_advert = "polar-advert"  # Polar manufacturer data, company id 0x006B stripped


def decode_packet(text: str, kind: PacketKind) -> dict[str, Any]:
    """The JSON-ready decoding of ``text`` (hex); raises MalformedPacketError."""
    from ingest.advertising import decode_polar_manufacturer_data
    from ingest.hrm_protocol import (
        parse_battery_level,
        parse_body_sensor_location,
        parse_heart_rate_measurement,
        parse_hex,
    )

    data = parse_hex(text)
    out: dict[str, Any] = {"kind": kind.value, "hex": data.hex()}
    if kind is PacketKind.measurement:
        out |= asdict(parse_heart_rate_measurement(data))
        out["flags"] = f"0x{data[0]:02x}"
    elif kind is PacketKind.location:
        out["body_location"] = parse_body_sensor_location(data)
    elif kind is PacketKind.battery:
        out["battery_pct"] = parse_battery_level(data)
    else:
        broadcast = decode_polar_manufacturer_data(data)
        out["broadcast"] = None if broadcast is None else asdict(broadcast)
    return out


@hr_app.command("decode")
def decode(
    packet: Annotated[str, typer.Argument(help="Packet bytes as hex, e.g. '16 3c 11 04'.")],
    kind: Annotated[PacketKind, typer.Option("--kind", "-k",
                                             help="What the bytes are.")] = PacketKind.measurement,
) -> None:
    """Decode a Heart Rate Measurement (or location, battery, Polar advert) packet to JSON."""
    from ingest.hrm_protocol import MalformedPacketError

    try:
        decoded = decode_packet(packet, kind)
    except MalformedPacketError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(json.dumps(decoded))
