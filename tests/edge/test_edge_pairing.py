"""Which strap each member wears: API roster, pairings saved on the box, virtual straps."""

from __future__ import annotations

import pytest

from contract.records import RosterEntry
from edge.pairing import pair_straps, roster_from_pairings
from ingest.pairing import Roster


def roster(*pairs: tuple[str, str | None]) -> list[RosterEntry]:
    return [RosterEntry(class_session_id="c1", member_id=m, display_name=m.title(), strap_id=s)
            for m, s in pairs]


def saved(*pairs: tuple[str, str]) -> Roster:
    stored = Roster("c1")
    for member, strap in pairs:
        stored.pair(strap, member)
    return stored


def straps(result_roster: list[RosterEntry]) -> dict[str, str | None]:
    return {e.member_id: e.strap_id for e in result_roster}


MAC_A, MAC_B, MAC_C = "c0:ff:ee:00:00:0a", "C0:FF:EE:00:00:0B", "C0-FF-EE-00-00-0C"


@pytest.mark.parametrize(("api", "stored", "expected", "clashes"), [
    # the roster names straps: they are used, spelled one way
    ([("ann", MAC_A), ("bo", MAC_B)], None,
     {"ann": "C0:FF:EE:00:00:0A", "bo": "C0:FF:EE:00:00:0B"}, 0),
    # a member without a strap on the roster gets the one paired on the box
    ([("ann", MAC_A), ("bo", None)], [("bo", MAC_C)],
     {"ann": "C0:FF:EE:00:00:0A", "bo": "C0:FF:EE:00:00:0C"}, 0),
    # the roster wins over a stale pairing on the box
    ([("ann", MAC_A)], [("ann", MAC_B)], {"ann": "C0:FF:EE:00:00:0A"}, 0),
    # one strap claimed by two members: the first keeps it, the clash is reported
    ([("ann", MAC_A), ("bo", MAC_A)], None, {"ann": "C0:FF:EE:00:00:0A", "bo": None}, 1),
    # nobody knows the strap: the member stays unpaired
    ([("ann", None)], None, {"ann": None}, 0),
])
def test_real_straps(api: list[tuple[str, str | None]], stored: list[tuple[str, str]] | None,
                     expected: dict[str, str | None], clashes: int) -> None:
    result = pair_straps(roster(*api), saved(*stored) if stored else None)
    assert straps(result.roster) == expected
    assert len(result.clashes) == clashes


@pytest.mark.parametrize(("stored", "virtual", "expected", "left"), [
    # virtual straps go to members in roster order when the roster names real straps
    (None, ["sim-01", "sim-02"], {"ann": "SIM-01", "bo": "SIM-02", "cy": None}, []),
    # a pairing saved on the box for a virtual strap wins
    ([("cy", "sim-01")], ["sim-01", "sim-02"], {"ann": "SIM-02", "bo": None, "cy": "SIM-01"},
     []),
    # more recordings than members: the rest are reported
    (None, ["r1", "r2", "r3", "r4"], {"ann": "R1", "bo": "R2", "cy": "R3"}, ["R4"]),
])
def test_virtual_straps(stored: list[tuple[str, str]] | None, virtual: list[str],
                        expected: dict[str, str | None], left: list[str]) -> None:
    result = pair_straps(roster(("ann", MAC_A), ("bo", None), ("cy", MAC_B)),
                         saved(*stored) if stored else None, virtual)
    assert straps(result.roster) == expected
    assert result.unpaired_straps == left


def test_a_roster_that_names_virtual_straps_is_followed_before_roster_order() -> None:
    # the demo books straps sim-01..; whoever holds a booking plays its strap, the rest
    # go in roster order, and a saved pairing still wins
    result = pair_straps(roster(("ann", "sim-01"), ("bo", "sim-05"), ("new", "sim-03"),
                                ("cy", None)), saved(("bo", "sim-02")),
                         ["sim-01", "sim-02", "sim-03"])
    assert straps(result.roster) == {"ann": "SIM-01", "bo": "SIM-02", "new": "SIM-03",
                                     "cy": None}


def test_pairings_round_trip_and_start_a_class_without_the_api() -> None:
    result = pair_straps(roster(("ann", MAC_A), ("bo", MAC_B)), None)
    stored = result.pairings("c1")
    again = roster_from_pairings("c1", stored)
    assert straps(again) == straps(result.roster)
    assert [e.display_name for e in again] == ["Ann", "Bo"]
