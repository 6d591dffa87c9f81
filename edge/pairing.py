"""Which strap each member of today's class wears: the API roster, the box's own pairings,
and virtual straps (simulator, recordings). Pure: plain data in, plain data out.

Precedence, and why:

* Real straps (BLE): the API roster names a member's strap when the studio knows it; a
  pairing made on the box (``spotter edge pair``, persisted in the pairing file) fills in
  members the roster leaves without one. A strap claimed twice stays with the first
  member and the clash is reported, never resolved by guessing.
* Virtual straps exist only on this box: a pairing saved on the box wins, then a roster
  entry that names one of them (the demo books its members with the simulator's strap
  ids, so a member who takes over a booking takes over its strap), and the rest go to
  the remaining members in roster order (the demo and replay behaviour of the walking
  skeleton).
* A member who switched heart-rate tracking off (``hr_tracking`` False on the roster, the
  member's own choice) gets no strap from any of these: not the roster's, not a pairing
  saved on the box, not a virtual one. Their strap then reads as unknown and nothing of
  it leaves the box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from contract.records import RosterEntry
from ingest.pairing import Roster, normalize_strap_id


@dataclass(frozen=True)
class PairingResult:
    roster: list[RosterEntry]  # every member, strap_id set where paired
    clashes: list[str] = field(default_factory=list)  # human-readable conflicts
    unpaired_straps: list[str] = field(default_factory=list)  # virtual straps left over

    def pairings(self, class_session_id: str, wire_ids: dict[str, str] | None = None
                 ) -> Roster:
        """The :class:`ingest.pairing.Roster` to persist and to match readings with (with
        the members' wire ids, for a later start without the API)."""
        pairs = Roster(class_session_id)
        for entry in self.roster:
            if entry.strap_id:
                pairs.pair(entry.strap_id, entry.member_id, entry.display_name,
                           (wire_ids or {}).get(entry.member_id))
        return pairs


def pair_straps(roster: Sequence[RosterEntry], stored: Roster | None,
                virtual_straps: Sequence[str] | None = None) -> PairingResult:
    """Assign straps to roster members (see the module docstring for the rules)."""
    saved = {e.member_id: e.strap_id for e in stored.entries()} if stored else {}
    taken: dict[str, str] = {}  # strap -> member
    clashes: list[str] = []
    chosen: dict[str, str | None] = {}

    refused = {e.member_id for e in roster if not e.hr_tracking}

    def claim(member: str, strap: str | None) -> bool:
        if not strap or member in refused:
            return False
        strap = normalize_strap_id(strap)
        owner = taken.get(strap)
        if owner is not None and owner != member:
            clashes.append(f"strap {strap} is paired to {owner} and {member}; "
                           f"kept for {owner}")
            return False
        taken[strap] = member
        chosen[member] = strap
        return True

    if virtual_straps is None:
        for entry in roster:
            if not claim(entry.member_id, entry.strap_id):
                claim(entry.member_id, saved.get(entry.member_id))
        left: list[str] = []
    else:
        virtual = [normalize_strap_id(s) for s in virtual_straps]
        for entry in roster:
            strap = saved.get(entry.member_id)
            if strap in virtual:
                claim(entry.member_id, strap)
        for entry in roster:
            named = normalize_strap_id(entry.strap_id) if entry.strap_id else None
            if entry.member_id not in chosen and named in virtual and named not in taken:
                claim(entry.member_id, named)
        left = [s for s in virtual if s not in taken]
        for entry in roster:
            if entry.member_id not in chosen and entry.member_id not in refused and left:
                claim(entry.member_id, left.pop(0))
    paired = [e.model_copy(update={"strap_id": chosen.get(e.member_id)}) for e in roster]
    return PairingResult(paired, clashes, left)


def wire_ids_from_pairings(stored: Roster) -> dict[str, str]:
    return {e.member_id: e.wire_id for e in stored.entries() if e.wire_id}


def roster_from_pairings(class_session_id: str, stored: Roster) -> list[RosterEntry]:
    """A bare roster from saved pairings, for starting a class while the API is away."""
    return [RosterEntry.model_validate({"class_session_id": class_session_id,
                                        "member_id": e.member_id, "strap_id": e.strap_id,
                                        "display_name": e.display_name or e.member_id})
            for e in stored.entries()]

