"""Only the room writes into its class: signatures bound to writer, room and class."""

from __future__ import annotations

import pytest

from contract.records import ClassEvent, HeartRateSample, RecordError
from contract.signing import API, Signer, class_key, sign_as, verify

SECRET = "studio-secret-for-tests"
T = 1_765_000_000.0


def sample(class_id: str = "cls-a", member: str = "m1", hr: int = 130) -> HeartRateSample:
    return HeartRateSample(class_session_id=class_id, member_id=member, strap_id="s1", seq=1,
                           event_time=T, hr_bpm=hr)


def box(room: str = "room-a", class_id: str = "cls-a") -> Signer:
    """What an edge box gets from the API for a class in its room."""
    return Signer("dev-1", room, class_id, class_key(SECRET, "dev-1", room, class_id))


def test_a_signed_record_verifies_as_its_writer_after_the_wire() -> None:
    signed = box().sign(sample())
    again = HeartRateSample.model_validate_json(signed.to_bytes())
    auth = verify(SECRET, again)
    assert (auth.device_id, auth.room_id) == ("dev-1", "room-a")


@pytest.mark.parametrize("tamper", [
    lambda r: r.model_copy(update={"hr_bpm": 190}),                 # altered in transit
    lambda r: r.model_copy(update={"member_id": "phantom"}),        # a phantom member
    lambda r: r.model_copy(update={"class_session_id": "cls-b"}),   # moved to another class
    lambda r: r.model_copy(update={"auth": r.auth.model_copy(update={"room_id": "room-b"})}),
])
def test_any_change_breaks_the_signature(tamper) -> None:
    with pytest.raises(RecordError) as caught:
        verify(SECRET, tamper(box().sign(sample())))
    assert caught.value.code == "bad_signature"


def test_unsigned_and_wrongly_keyed_records_are_refused() -> None:
    with pytest.raises(RecordError) as caught:
        verify(SECRET, sample())
    assert caught.value.code == "unsigned"
    guessed = Signer("dev-1", "room-a", "cls-a", b"not the derived key").sign(sample())
    with pytest.raises(RecordError, match="does not match"):
        verify(SECRET, guessed)
    with pytest.raises(RecordError, match="does not match"):
        verify("another-secret", box().sign(sample()))


def test_a_key_signs_only_its_own_class() -> None:
    with pytest.raises(ValueError, match="cls-a"):
        box().sign(sample(class_id="cls-b"))


def test_the_api_signs_for_any_class_with_the_secret() -> None:
    event = sign_as(SECRET, API, ClassEvent(class_session_id="cls-z", event="end", event_time=T))
    assert verify(SECRET, event).device_id == API


def test_the_bytes_on_the_wire_verify_without_serialising_again() -> None:
    raw = box().sign(sample()).to_bytes()
    record = HeartRateSample.model_validate_json(raw)
    assert verify(SECRET, record, raw).device_id == "dev-1"
    forged = raw.replace(b'"hr_bpm":130', b'"hr_bpm":190')
    with pytest.raises(RecordError, match="does not match"):
        verify(SECRET, HeartRateSample.model_validate_json(forged), forged)
