"""Strap-to-member rosters: matching, unknown straps, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pairing import (
    PairingError,
    PairingStore,
    Roster,
    StrapMatcher,
    default_store,
    normalize_strap_id,
)

ROWS = [
    {"member_id": "m-ana", "strap_id": "a0:9e:1a:00:00:01", "display_name": "Ana"},
    {"member_id": "m-ben", "strap_id": "A0-9E-1A-00-00-02"},
    {"member_id": "m-cy", "strap_id": "5c1e3b2a-0000-4000-8000-00000000000c"},  # macOS UUID
]


@pytest.mark.parametrize(("raw", "normal"), [
    ("a0:9e:1a:00:00:01", "A0:9E:1A:00:00:01"),
    ("A0-9E-1A-00-00-01", "A0:9E:1A:00:00:01"),
    (" a0:9e:1a:00:00:01 ", "A0:9E:1A:00:00:01"),
    ("5c1e3b2a-0000-4000-8000-00000000000c", "5C1E3B2A-0000-4000-8000-00000000000C"),
    ("replay:garmin-run", "REPLAY:GARMIN-RUN"),
])
def test_normalize_strap_id(raw: str, normal: str) -> None:
    assert normalize_strap_id(raw) == normal


def test_roster_maps_any_spelling_of_an_address() -> None:
    roster = Roster.from_records("class-7", ROWS)
    assert roster.member_for("A0:9E:1A:00:00:01") == "m-ana"
    assert roster.member_for("a0-9e-1a-00-00-02") == "m-ben"
    assert roster.member_for("5C1E3B2A-0000-4000-8000-00000000000C") == "m-cy"
    assert roster.member_for("FF:FF:FF:FF:FF:FF") is None


def test_report_names_unknown_straps_and_silent_members() -> None:
    roster = Roster.from_records("class-7", ROWS)
    report = roster.report(["a0:9e:1a:00:00:01", "DE:AD:BE:EF:00:01"])
    assert report.paired == {"A0:9E:1A:00:00:01": "m-ana"}
    assert report.unknown_straps == ["DE:AD:BE:EF:00:01"]
    assert report.members_without_signal == ["m-ben", "m-cy"]


def test_matcher_keeps_unknown_straps_on_record() -> None:
    matcher = StrapMatcher(Roster.from_records("class-7", ROWS))
    assert matcher.member_for("a0:9e:1a:00:00:02") == "m-ben"
    for _ in range(3):
        assert matcher.member_for("de:ad:be:ef:00:01") is None
    assert matcher.unknown == {"DE:AD:BE:EF:00:01": 3}


def test_repairing_a_member_moves_them_to_the_new_strap() -> None:
    roster = Roster.from_records("class-7", ROWS)
    roster.pair("11:22:33:44:55:66", "m-ana")  # battery died, spare strap handed out
    assert roster.member_for("11:22:33:44:55:66") == "m-ana"
    assert roster.member_for("A0:9E:1A:00:00:01") is None
    assert roster.unpair("11:22:33:44:55:66") is not None
    assert roster.member_for("11:22:33:44:55:66") is None


@pytest.mark.parametrize(("rows", "message"), [
    ([{"member_id": "a"}], "needs member_id and strap_id"),
    (["not a mapping"], "needs member_id and strap_id"),
    ([{"member_id": "a", "strap_id": "aa:bb:cc:dd:ee:ff"},
      {"member_id": "b", "strap_id": "AA-BB-CC-DD-EE-FF"}], "listed twice"),
    ([{"member_id": "", "strap_id": "aa:bb:cc:dd:ee:ff"}], "needs a strap address and a member"),
])
def test_bad_rosters_are_refused(rows: list, message: str) -> None:
    with pytest.raises(PairingError, match=message):
        Roster.from_records("class-7", rows)


def test_store_round_trips_sessions(tmp_path: Path) -> None:
    store = PairingStore(tmp_path / "sub" / "pairings.json")
    assert store.load("class-7") is None
    roster = Roster.from_records("class-7", ROWS)
    store.save(roster)
    store.save(Roster.from_records("class-8", ROWS[:1]))
    again = PairingStore(tmp_path / "sub" / "pairings.json").load("class-7")
    assert again is not None and again.entries() == roster.entries()
    assert store.sessions() == ["class-7", "class-8"]
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["pairings.json"]  # no temp left


@pytest.mark.parametrize("content", ["{not json", "[]", '{"sessions": 3}', "\udcff"])
def test_store_refuses_a_damaged_file_with_advice(tmp_path: Path, content: str) -> None:
    path = tmp_path / "pairings.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(PairingError, match="move it aside"):
        PairingStore(path).load("class-7")


def test_default_store_lives_in_the_data_dir(tmp_path: Path) -> None:
    store = default_store(tmp_path)
    assert store.path == tmp_path / "pairings.json"
    store.save(Roster.from_records("c", ROWS[:1]))
    saved = json.loads(store.path.read_text())
    assert saved["sessions"]["c"]["pairings"][0]["member_id"] == "m-ana"
