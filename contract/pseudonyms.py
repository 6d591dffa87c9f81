"""Members on the wire are pseudonyms: their booking, never their id or name (issue 20).

Record topics (samples, roster, form events, insights, alerts, reports, dead letters)
cannot be rewritten, and a broker may refuse to delete records (the embedded Tansu
does), so whatever names a member there stays readable until the topic's retention.
Records therefore carry the member's *wire id*: ``bk-`` and the id of their booking
in that class. Only the database links a booking to a member, and erasure moves the
booking to an anonymous id, so the records left on the topics point at nobody.

The API hands the edge box each member's wire id with the roster; the box writes them
(and the API its roster records) in wire form; the worker turns them back into member
ids when it reads (it looks bookings up in the database) and into wire ids when it
writes to a topic. A record whose member has no wire id (a box working from saved
pairings without the API, a record from before this version) travels as it is; the
erasure then still finds it by the member's id.

The conversion is pure: callers pass the mapping they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from contract.records import MemberReport, PartitionReport, Record, RosterEntry

WIRE_PREFIX = "bk-"
MAX_ID = 64  # contract.records.ID_PATTERN

R = TypeVar("R", bound=Record)
Lookup = Callable[[str], str | None]


def wire_id_of_booking(booking_id: str) -> str | None:
    """The wire id of a booking (None when the booking's id is too long for one)."""
    wire = f"{WIRE_PREFIX}{booking_id}"
    return wire if len(wire) <= MAX_ID else None


def booking_of_wire_id(wire_id: str) -> str | None:
    return wire_id[len(WIRE_PREFIX):] if is_wire_id(wire_id) else None


def is_wire_id(member_id: str | None) -> bool:
    return bool(member_id) and str(member_id).startswith(WIRE_PREFIX)


def to_wire(record: R, wire_of: Lookup) -> R:
    """``record`` with each member id that has a wire id replaced by it, and the
    member's name dropped (the roster's ``display_name``, a report's names)."""
    if isinstance(record, PartitionReport):
        members = [_renamed(m, wire, None) if (wire := wire_of(m.member_id)) else m
                   for m in record.members]
        return record.model_copy(update={"members": members})
    member = getattr(record, "member_id", None)
    wire = wire_of(member) if member else None
    if wire is None:
        return record
    update: dict[str, object] = {"member_id": wire}
    if isinstance(record, RosterEntry):
        update["display_name"] = None
    return record.model_copy(update=update)


def from_wire(record: R, member_of: Lookup, name_of: Lookup) -> R:
    """``record`` with each wire id replaced by its member's id (and, where the record
    carries one, name); ids ``member_of`` does not know stay as they are."""
    def back(member_id: str) -> dict[str, object] | None:
        if not is_wire_id(member_id):
            return None
        member = member_of(member_id)
        return None if member is None else {"member_id": member,
                                            "display_name": name_of(member_id)}

    if isinstance(record, PartitionReport):
        members = [_renamed(m, str(found["member_id"]), found["display_name"])  # type: ignore[arg-type]
                   if (found := back(m.member_id)) else m for m in record.members]
        return record.model_copy(update={"members": members})
    member = getattr(record, "member_id", None)
    found = back(member) if member else None
    if found is None:
        return record
    if not isinstance(record, RosterEntry):
        found.pop("display_name")
    elif found["display_name"] is None:
        found["display_name"] = record.display_name
    return record.model_copy(update=found)


def _renamed(member: MemberReport, member_id: str, name: str | None) -> MemberReport:
    """A member's report under another id: the totals name the member too."""
    totals = dict(member.totals)
    if "member_id" in totals:
        totals["member_id"] = member_id
    return member.model_copy(update={"member_id": member_id, "display_name": name,
                                     "totals": totals})


def unresolved(record: Record) -> str | None:
    """The first wire id still in ``record`` (after :func:`from_wire`), or None."""
    if isinstance(record, PartitionReport):
        return next((m.member_id for m in record.members if is_wire_id(m.member_id)), None)
    member = getattr(record, "member_id", None)
    return member if is_wire_id(member) else None
