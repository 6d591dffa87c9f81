"""What a test playing the edge box writes: members under their wire ids, as a box does
(``contract.pseudonyms``; the box learns them from the API's roster)."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from contract.pseudonyms import to_wire, wire_id_of_booking
from contract.records import RecordT
from db.models import Booking


def wire_ids(database_url: str, class_id: str) -> dict[str, str]:
    """Member id -> wire id for each booking of the class."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            rows = db.execute(select(Booking.member_id, Booking.id).where(
                Booking.class_session_id == class_id)).all()
    finally:
        engine.dispose()
    return {member: wire for member, booking in rows
            if (wire := wire_id_of_booking(booking)) is not None}


def as_box_sends(record: RecordT, wires: dict[str, str]) -> tuple[bytes, RecordT]:
    """The key and the record in wire form, keyed by the member's wire id."""
    out = to_wire(record, wires.get)
    return str(getattr(out, "member_id", "")).encode(), out
