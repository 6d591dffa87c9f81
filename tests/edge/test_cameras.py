"""Camera station arguments: member, region and exercise, checked before anything runs."""

from __future__ import annotations

import pytest

from edge.cameras import StationError, StationSpec, parse_station


@pytest.mark.parametrize(("text", "default", "expected"), [
    ("ann:0,0,0.5,1:squat", None, StationSpec("ann", "0,0,0.5,1", "squat")),
    ("ann:0,0,0.5,1", "lunge", StationSpec("ann", "0,0,0.5,1", "lunge")),
    ("ann::push-up", None, StationSpec("ann", None, "push-up")),  # the whole image
    ("ann", "plank", StationSpec("ann", None, "plank")),
    ("bo:640,0,640,720:squat", None, StationSpec("bo", "640,0,640,720", "squat")),
])
def test_stations_parse(text: str, default: str | None, expected: StationSpec) -> None:
    assert parse_station(text, default) == expected


@pytest.mark.parametrize(("text", "default", "message"), [
    ("ann:0,0,0.5,1", None, "names no exercise"),
    ("ann:0,0,0.5,1:dance", None, "unknown exercise 'dance'"),
    ("ann:0,0,1", "squat", "four numbers"),
    ("ann:0,0,-1,1", "squat", "w, h > 0"),
    (":0,0,1,1:squat", None, "member_id:x,y,w,h"),
    ("a:b:c:d", None, "member_id:x,y,w,h"),
])
def test_bad_stations_say_what_is_expected(text: str, default: str | None,
                                           message: str) -> None:
    with pytest.raises(StationError, match=message):
        parse_station(text, default)


def test_station_ids_name_member_and_region() -> None:
    assert parse_station("ann:0,0,0.5,1:squat", None).station_id == "ann@0,0,0.5,1"
    assert parse_station("ann::squat", None).station_id == "ann@full"
