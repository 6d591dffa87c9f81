"""The worker's side of wire ids (``contract.pseudonyms``): bookings looked up per class.

Records arrive with wire ids; the worker's state, tiles, alerts and database rows use
member ids, so each record is turned back as it is read, and each record the worker
writes to a topic is turned into wire form. A class's bookings are loaded once (one
query) when its first record is seen, and again when a wire id it does not know turns
up (a booking made during the class), at most every ``RELOAD_S``.

Lookups are synchronous (handlers do their state changes without an ``await``), so
:meth:`Pseudonyms.prepare` loads what a batch needs first. While the database cannot
be reached, a class already loaded keeps working from memory; a record of a class never
loaded keeps its wire id and is dead-lettered (``member_unresolved``; the dead letter
holds only the wire id), so it is kept, not misfiled under a pseudonym.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import structlog

from contract.pseudonyms import from_wire, is_wire_id, to_wire, unresolved
from contract.records import RecordError, RecordT

log = structlog.get_logger(__name__)
RELOAD_S = 5.0  # a class's bookings are read again at most this often on a miss
FORGET_S = 6 * 3600.0  # classes not seen for this long leave memory (erased members too)

# booking id -> (member id, member name); what the worker store returns per class
Bookings = dict[str, tuple[str, str | None]]
Loader = Callable[[list[str]], Awaitable[dict[str, Bookings]]]

_CLASS = re.compile(rb'"class_session_id"\s*:\s*"([A-Za-z0-9._:@-]{1,64})"')
_WIRE = re.compile(rb'"member_id"\s*:\s*"(bk-[A-Za-z0-9._:@-]{1,61})"')


@dataclass
class ClassIds:
    loaded_at: float
    members: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # wire ->
    wires: dict[str, str] = field(default_factory=dict)  # member -> wire


class Pseudonyms:
    """Wire ids <-> member ids, class by class. Without a loader (no database: unit
    tests, benches) every id is taken as it is."""

    def __init__(self, load: Loader | None) -> None:
        self._load = load
        self._classes: dict[str, ClassIds] = {}
        self._failed_at: float | None = None  # the last load the database refused

    @property
    def enabled(self) -> bool:
        return self._load is not None

    async def prepare(self, payloads: Iterable[bytes | str | None]) -> None:
        """Load the classes these payloads belong to that are unknown, or that miss a
        wire id seen here. Never raises: a failed load is logged and retried later."""
        if self._load is None:
            return
        now, wanted = time.monotonic(), set()
        for payload in payloads:
            raw = payload.encode() if isinstance(payload, str) else payload
            if not raw or not isinstance(raw, bytes | bytearray):
                continue  # a tombstone or no payload: dead-lettered by the handler
            classes = {m.decode() for m in _CLASS.findall(raw)}
            wires = {m.decode() for m in _WIRE.findall(raw)}
            for class_id in classes:
                known = self._classes.get(class_id)
                if known is None or (any(w not in known.members for w in wires)
                                     and now - known.loaded_at > RELOAD_S):
                    wanted.add(class_id)
        await self.ensure(wanted, now, reload=True)

    async def ensure(self, class_ids: Iterable[str], now: float | None = None,
                     *, reload: bool = False) -> bool:
        """Load ``class_ids`` not in memory (all of them with ``reload``); False when the
        database could not be asked (the ones in memory are kept)."""
        if self._load is None:
            return True
        now = time.monotonic() if now is None else now
        wanted = sorted({c for c in class_ids if reload or c not in self._classes})
        if not wanted:
            return True
        if self._failed_at is not None and now - self._failed_at < RELOAD_S:
            return False  # the database refused a moment ago: no stall per batch
        try:
            found = await self._load(wanted)
        except Exception as exc:  # noqa: BLE001 - the database is away: memory serves
            self._failed_at = now
            log.warning("bookings not loaded; records of unknown members wait in dead "
                        "letters", classes=len(wanted), error=f"{type(exc).__name__}: {exc}"[:200])
            return False
        self._failed_at = None
        for class_id in wanted:
            bookings = found.get(class_id, {})
            self._classes[class_id] = ClassIds(now, dict(bookings),
                                               {m: w for w, (m, _) in bookings.items()})
        self._forget(now)
        return True

    def _forget(self, now: float) -> None:
        for class_id in [c for c, k in self._classes.items() if now - k.loaded_at > FORGET_S]:
            del self._classes[class_id]

    # -- lookups (synchronous) -------------------------------------------------------

    def loaded(self, class_id: str) -> bool:
        return self._load is None or class_id in self._classes

    def _booked(self, class_id: str, wire_id: str) -> tuple[str, str | None] | None:
        known = self._classes.get(class_id)
        return known.members.get(wire_id) if known else None

    def member_of(self, class_id: str, wire_id: str) -> str | None:
        found = self._booked(class_id, wire_id)
        return found[0] if found else None

    def name_of(self, class_id: str, wire_id: str) -> str | None:
        found = self._booked(class_id, wire_id)
        return found[1] if found else None

    def wire_of(self, class_id: str, member_id: str) -> str | None:
        """What to write for ``member_id`` on a topic: their wire id; the member id
        itself when the class is loaded and has no booking for them (not a
        pseudonymised member); None when the class's bookings are unknown."""
        if self._load is None or is_wire_id(member_id):
            return member_id
        known = self._classes.get(class_id)
        if known is None:
            return None
        return known.wires.get(member_id, member_id)

    # -- records ---------------------------------------------------------------------

    def read(self, record: RecordT, *, strict: bool = True) -> RecordT:
        """``record`` with member ids for wire ids. ``strict`` raises
        :class:`RecordError` for a wire id no booking of its class explains
        (``member_unresolved``; otherwise it stays), and for a record naming by id a
        member who has a wire id in the class (``member_not_pseudonymised``): such a
        record broke the contract, and was partitioned by the member's id, away from
        the member's roster entry and choices."""
        class_id = getattr(record, "class_session_id", None)
        if self._load is None or class_id is None:
            return record
        member = getattr(record, "member_id", None)
        known = self._classes.get(class_id)
        if strict and member and known is not None and member in known.wires:
            raise RecordError(f"member {member} travels under a wire id in class "
                              f"{class_id}; records must name the wire id",
                              "member_not_pseudonymised")
        out = from_wire(record, lambda w: self.member_of(class_id, w),
                        lambda w: self.name_of(class_id, w))
        left = unresolved(out) if strict else None
        if left is not None:
            raise RecordError(f"no booking of class {class_id} is behind wire id {left}"
                              + ("" if self.loaded(class_id) else
                                 " (its bookings could not be read yet)"),
                              "member_unresolved")
        return out

    def write(self, record: RecordT) -> RecordT | None:
        """``record`` in wire form; None when a member's wire id is unknown (the class's
        bookings could not be read): such a record is not written to a topic."""
        class_id = getattr(record, "class_session_id", None)
        if self._load is None or class_id is None:
            return record
        if not self.loaded(class_id):
            return None
        return to_wire(record, lambda m: self.wire_of(class_id, m))
