"""The edge box honours members' choices (issue 20): the strap of a member who switched
heart-rate tracking off is never paired nor sent, and the station of a member who
switched camera form analysis off is not watched, nor handed to someone else."""

from __future__ import annotations

from contract.records import RosterEntry
from edge.agent import EdgeAgent, matcher_for, pair_virtual
from edge.camera_config import StationConfig, assign_members
from edge.pairing import pair_straps
from edge.simulator import SimulatedStraps, make_members
from ingest.pairing import Roster
from ingest.source import HeartRateMeasurement, StrapReading

MAC_A, MAC_B = "C0:FF:EE:00:00:0A", "C0:FF:EE:00:00:0B"


def entry(member: str, strap: str | None = None, *, hr: bool = True,
          camera: bool = True) -> RosterEntry:
    return RosterEntry(class_session_id="c1", member_id=member, display_name=member.title(),
                       strap_id=strap, hr_tracking=hr, camera_form=camera)


def reading(strap: str) -> StrapReading:
    return StrapReading(strap, HeartRateMeasurement(hr_bpm=120, rr_intervals_ms=(500.0,)),
                        received_monotonic=1.0, received_wall=1_700_000_000.0,
                        source="chest")


def test_an_opted_out_member_gets_no_strap_from_roster_box_or_simulator() -> None:
    stored = Roster("c1")
    stored.pair(MAC_B, "bo")  # paired on the box in an earlier class
    result = pair_straps([entry("ann", MAC_A), entry("bo", hr=False),
                          entry("cy", MAC_A, hr=False)], stored)
    assert {e.member_id: e.strap_id for e in result.roster} == {
        "ann": MAC_A, "bo": None, "cy": None}
    assert result.clashes == []  # cy's strap is not claimed at all, so no clash
    virtual = pair_straps([entry("ann", hr=False), entry("bo")], None, ["sim-01", "sim-02"])
    assert {e.member_id: e.strap_id for e in virtual.roster} == {"ann": None, "bo": "SIM-01"}
    assert virtual.unpaired_straps == ["SIM-02"]
    simulated = pair_virtual([entry("ann", hr=False), entry("bo")], ["sim-01"])
    assert [(e.member_id, e.strap_id) for e in simulated] == [("ann", None), ("bo", "sim-01")]


def test_readings_of_an_opted_out_members_strap_are_not_sent() -> None:
    roster = [entry("ann", MAC_A), entry("bo", MAC_B, hr=False)]  # e.g. an older signed roster
    agent = EdgeAgent("c1", SimulatedStraps(make_members(1)), publisher=None,  # type: ignore[arg-type]
                      roster=roster, matcher=matcher_for("c1", roster))
    assert agent.to_sample(reading(MAC_B)) is None
    sent = agent.to_sample(reading(MAC_A))
    assert sent is not None and sent.member_id == "ann"
    assert MAC_B in agent.unknown_straps


def station(station_id: str, member: str | None = None) -> StationConfig:
    return StationConfig(id=station_id, region=(0, 0, 1, 1), member=member)


def test_an_opted_out_members_station_is_not_watched_nor_given_away() -> None:
    stations = [station("fixed", "ann"), station("chosen"), station("free-1"),
                station("free-2")]
    got = assign_members(stations, ["ann", "bo", "cy", "dee"], {"chosen": "bo"},
                         refused={"ann", "bo"})
    assert got.station_to_member == {"free-1": "cy", "free-2": "dee"}
    assert got.opted_out == ["fixed", "chosen"]
    assert "ann" not in got.members_without_station  # not waiting for a station either
    everyone = assign_members(stations, ["ann", "bo", "cy"], {"chosen": "bo"})
    assert everyone.station_to_member == {"fixed": "ann", "chosen": "bo", "free-1": "cy"}
