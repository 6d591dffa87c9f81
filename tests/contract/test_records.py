"""The wire contract rejects what it cannot trust and says why."""

from __future__ import annotations

import pytest

from contract.records import HeartRateSample, RecordError, parse_record

GOOD = (b'{"class_session_id":"c1","member_id":"m1","strap_id":"s1","seq":3,'
        b'"event_time":1700000000.5,"hr_bpm":128}')


def test_a_valid_sample_round_trips() -> None:
    sample = parse_record(HeartRateSample, GOOD)
    assert sample.hr_bpm == 128
    assert parse_record(HeartRateSample, sample.to_bytes()) == sample


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"not json", "Invalid JSON"),
        (b'{"class_session_id":"c1","member_id":"m1","strap_id":"s1","seq":3,"hr_bpm":128}',
         "event_time"),
        (GOOD.replace(b"128", b'"fast"'), "hr_bpm"),
        (GOOD.replace(b'"seq":3', b'"seq":-1'), "seq"),
    ],
)
def test_bad_payloads_raise_one_error_type_naming_the_field(payload: bytes, says: str) -> None:
    with pytest.raises(RecordError, match=says):
        parse_record(HeartRateSample, payload)
