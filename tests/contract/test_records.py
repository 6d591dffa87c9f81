"""The wire contract rejects what it cannot trust and says why."""

from __future__ import annotations

import pytest

from contract.records import HeartRateSample, RecordError, parse_record

GOOD = (b'{"class_session_id":"c1","member_id":"m1","strap_id":"s1","seq":3,'
        b'"event_time":1700000000.5,"hr_bpm":128}')
LONG_ID = "m" * 500_000


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
        # numbers are finite and physiological
        (GOOD.replace(b"1700000000.5", b"Infinity"), "event_time"),
        (GOOD.replace(b"1700000000.5", b"NaN"), "event_time"),
        (GOOD.replace(b"1700000000.5", b"1e12"), "event_time"),
        (GOOD.replace(b"1700000000.5", b"1000.0"), "event_time"),
        (GOOD.replace(b"128", b"251"), "hr_bpm"),
        (GOOD.replace(b"128", b"7"), "no heart rate"),
        (GOOD.replace(b"}", b',"rr_intervals_ms":[12000.0]}'), "rr_intervals_ms"),
        (GOOD.replace(b"}", b',"rr_intervals_ms":[' + b"800.0," * 300 + b'800.0]}'),
         "rr_intervals_ms"),
        # ids are short and from a safe alphabet
        (GOOD.replace(b'"m1"', b'"<b>phantom</b>"'), "member_id"),
        (GOOD.replace(b'"m1"', b'"m 1"'), "member_id"),
        (GOOD.replace(b'"s1"', b'""'), "strap_id"),
        (GOOD.replace(b'"m1"', b'"' + b"m" * 65 + b'"'), "member_id"),
        (GOOD.replace(b'"m1"', b'"' + LONG_ID.encode() + b'"'), "over the"),
        (b"\x00" * 10, "Invalid JSON"),
    ],
)
def test_bad_payloads_raise_one_error_type_naming_the_field(payload: bytes, says: str) -> None:
    with pytest.raises(RecordError, match=says):
        parse_record(HeartRateSample, payload)


def test_heart_rate_zero_means_no_reading_and_is_a_valid_sample() -> None:
    assert parse_record(HeartRateSample, GOOD.replace(b"128", b"0")).hr_bpm == 0


@pytest.mark.parametrize(("payload", "code"), [
    (None, "tombstone"),
    (b"{", "not_json"),
    (GOOD.replace(b"}", b',"schema_version":2}'), "newer_version"),
    (GOOD.replace(b"}", b',"colour":"red"}'), "unknown_field"),
    (GOOD.replace(b"128", b"900"), "invalid"),
    (b"[" * 300_000, "too_large"),
])
def test_each_refusal_carries_a_reason_code_to_count_by(payload: bytes | None,
                                                        code: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(HeartRateSample, payload)
    assert caught.value.code == code


def test_a_display_name_is_short_printable_text() -> None:
    from contract.records import RosterEntry

    entry = {"class_session_id": "c1", "member_id": "m1", "display_name": "Ava"}
    assert RosterEntry.model_validate(entry).display_name == "Ava"
    for bad in ("", "A" * 81, "Ava\x1b[31m"):
        with pytest.raises(ValueError):
            RosterEntry.model_validate({**entry, "display_name": bad})
