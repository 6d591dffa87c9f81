"""Members travel under wire ids (issue 20): a record in wire form names the member's
booking, never their id or name, and turns back into the same record."""

from __future__ import annotations

from contract.pseudonyms import (
    booking_of_wire_id,
    from_wire,
    is_wire_id,
    to_wire,
    unresolved,
    wire_id_of_booking,
)
from contract.records import HeartRateSample, MemberReport, PartitionReport, RosterEntry

CLASS = "c-1"
WIRES = {"ann": "bk-0a1b", "bo": "bk-0c2d"}
MEMBERS = {w: m for m, w in WIRES.items()}
NAMES = {"bk-0a1b": "Ann Smith", "bk-0c2d": "Bo Li"}


def sample(member: str) -> HeartRateSample:
    return HeartRateSample(class_session_id=CLASS, member_id=member, strap_id="SIM-01",
                           seq=1, event_time=1_765_000_000.0, hr_bpm=120)


def test_a_booking_gives_a_wire_id_that_names_it_back() -> None:
    wire = wire_id_of_booking("0a1b")
    assert wire == "bk-0a1b" and is_wire_id(wire)
    assert booking_of_wire_id(wire) == "0a1b"
    assert not is_wire_id("ann") and booking_of_wire_id("ann") is None
    assert wire_id_of_booking("x" * 62) is None  # longer than a wire id may be


def test_a_sample_in_wire_form_carries_the_wire_id_and_reads_back() -> None:
    wire = to_wire(sample("ann"), WIRES.get)
    assert wire.member_id == "bk-0a1b"
    assert b"ann" not in wire.to_bytes()
    back = from_wire(wire, MEMBERS.get, NAMES.get)
    assert back == sample("ann")


def test_a_roster_entry_in_wire_form_has_no_name() -> None:
    entry = RosterEntry(class_session_id=CLASS, member_id="ann", display_name="Ann Smith",
                        age=40, strap_id="SIM-01")
    wire = to_wire(entry, WIRES.get)
    assert (wire.member_id, wire.display_name, wire.age) == ("bk-0a1b", None, 40)
    assert b"Ann" not in wire.to_bytes() and b"ann" not in wire.to_bytes()
    assert from_wire(wire, MEMBERS.get, NAMES.get) == entry


def test_a_partition_report_names_no_member() -> None:
    report = PartitionReport(class_session_id=CLASS, partition=0, partitions=1,
                             ended_at=1_765_000_000.0, members=[
                                 MemberReport(member_id="ann", display_name="Ann Smith",
                                              totals={"member_id": "ann", "trimp": 3.0}),
                                 MemberReport(member_id="zed", display_name="Zed",
                                              totals={"trimp": 1.0})])
    wire = to_wire(report, WIRES.get)
    assert [m.member_id for m in wire.members] == ["bk-0a1b", "zed"]  # zed has no booking
    assert [m.display_name for m in wire.members] == [None, "Zed"]
    assert wire.members[0].totals == {"member_id": "bk-0a1b", "trimp": 3.0}
    assert from_wire(wire, MEMBERS.get, NAMES.get) == report


def test_ids_without_a_wire_id_travel_as_they_are() -> None:
    assert to_wire(sample("zed"), WIRES.get) == sample("zed")
    assert from_wire(sample("zed"), MEMBERS.get, NAMES.get) == sample("zed")


def test_a_wire_id_nobody_knows_is_left_and_reported() -> None:
    stranger = sample("bk-ffff")
    assert from_wire(stranger, MEMBERS.get, NAMES.get) == stranger
    assert unresolved(stranger) == "bk-ffff"
    assert unresolved(sample("ann")) is None
