"""Strap-to-member pairing for one class session.

The roster comes from the API as plain data (the edge agent fetches it); this module
only maps strap addresses to members, remembers straps nobody claimed, and persists the
pairings to a small JSON file so a restarted edge box keeps them. Pure except for
:class:`PairingStore`, which is the thin file adapter.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import structlog
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from configs.base import ConfigFile

log = structlog.get_logger(__name__)

_MAC = re.compile(r"^[0-9A-F]{2}([:-][0-9A-F]{2}){5}$")
_FORMAT_VERSION = 1
INGEST_TOML = Path(__file__).resolve().parent.parent / "configs" / "ingest.toml"


class PairingError(ValueError):
    """A roster or pairing file that cannot be used as it is."""


def normalize_strap_id(address: str) -> str:
    """One spelling per strap: MAC addresses upper-case with colons (BlueZ/Windows),
    CoreBluetooth UUIDs upper-case. Anything else is kept, stripped, upper-cased."""
    text = address.strip().upper()
    if _MAC.match(text):
        return text.replace("-", ":")
    return text


@dataclass(frozen=True, slots=True)
class StrapPairing:
    """One strap worn by one member in one class (the class roster itself, with ages and
    HRmax, is ``contract.records.RosterEntry``; this is only who wears which strap)."""

    member_id: str
    strap_id: str
    display_name: str | None = None
    # the member's wire id in this class (contract.pseudonyms), saved so that a class the
    # box starts without the API still writes it instead of the member's id
    wire_id: str | None = None


@dataclass(frozen=True, slots=True)
class PairingReport:
    """What a set of heard straps means for the class."""

    paired: dict[str, str]  # strap -> member
    unknown_straps: list[str]  # heard, on nobody's roster entry
    members_without_signal: list[str]  # paired members whose strap was not heard


@dataclass(slots=True)
class Roster:
    """Pairings of one class session: each strap belongs to at most one member and each
    member wears at most one strap (re-pairing a member moves them to the new strap)."""

    class_session_id: str
    _by_strap: dict[str, StrapPairing] = field(default_factory=dict)

    @classmethod
    def from_records(cls, class_session_id: str,
                     records: Iterable[Mapping[str, Any]]) -> Roster:
        """From the API's plain rows: ``{"member_id", "strap_id", "display_name"?}``."""
        roster = cls(str(class_session_id))
        for number, row in enumerate(records, start=1):
            try:
                member, strap = str(row["member_id"]), str(row["strap_id"])
            except (KeyError, TypeError) as exc:
                raise PairingError(f"roster row {number} needs member_id and strap_id: {row!r}") \
                    from exc
            name, wire = row.get("display_name"), row.get("wire_id")
            if normalize_strap_id(strap) in roster._by_strap:
                raise PairingError(f"roster row {number}: strap {strap} is listed twice; "
                                   "each strap can belong to one member only")
            roster.pair(strap, member, None if name is None else str(name),
                        None if wire is None else str(wire))
        return roster

    def pair(self, strap_id: str, member_id: str, display_name: str | None = None,
             wire_id: str | None = None) -> None:
        """Give ``strap_id`` to ``member_id``, releasing any strap the member held before."""
        strap = normalize_strap_id(strap_id)
        if not strap or not member_id:
            raise PairingError("a pairing needs a strap address and a member id")
        for old in [s for s, e in self._by_strap.items() if e.member_id == member_id]:
            del self._by_strap[old]
        self._by_strap[strap] = StrapPairing(member_id, strap, display_name, wire_id)

    def unpair(self, strap_id: str) -> StrapPairing | None:
        return self._by_strap.pop(normalize_strap_id(strap_id), None)

    def member_for(self, strap_id: str) -> str | None:
        entry = self._by_strap.get(normalize_strap_id(strap_id))
        return entry.member_id if entry else None

    def entries(self) -> list[StrapPairing]:
        return sorted(self._by_strap.values(), key=lambda e: (e.member_id, e.strap_id))

    def strap_ids(self) -> set[str]:
        return set(self._by_strap)

    def report(self, heard: Iterable[str]) -> PairingReport:
        heard_ids = {normalize_strap_id(s) for s in heard}
        paired = {s: self._by_strap[s].member_id for s in sorted(heard_ids & self._by_strap.keys())}
        return PairingReport(
            paired=paired,
            unknown_straps=sorted(heard_ids - self._by_strap.keys()),
            members_without_signal=sorted(e.member_id for s, e in self._by_strap.items()
                                          if s not in heard_ids),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"class_session_id": self.class_session_id,
                "pairings": [{"member_id": e.member_id, "strap_id": e.strap_id,
                              "display_name": e.display_name,
                              **({"wire_id": e.wire_id} if e.wire_id else {})}
                             for e in self.entries()]}


@dataclass(slots=True)
class StrapMatcher:
    """Resolves each reading's strap to a member and keeps every unknown strap on record,
    so the agent can show "strap XX:.. is not paired" instead of dropping it silently."""

    roster: Roster
    unknown: dict[str, int] = field(default_factory=dict)  # strap -> readings seen

    def member_for(self, strap_id: str) -> str | None:
        member = self.roster.member_for(strap_id)
        if member is None:
            strap = normalize_strap_id(strap_id)
            if strap not in self.unknown:
                log.warning("unknown_strap", strap=strap,
                            class_session=self.roster.class_session_id,
                            advice="pair it to a member on the trainer page")
            self.unknown[strap] = self.unknown.get(strap, 0) + 1
        return member


class PairingStore:
    """Pairings of every class session in one JSON file, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read_all(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": _FORMAT_VERSION, "sessions": {}}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PairingError(f"pairing file {self.path} is unreadable ({exc}); move it aside "
                               "and pair the straps again") from exc
        if not isinstance(data, dict) or not isinstance(data.get("sessions"), dict):
            raise PairingError(f"pairing file {self.path} has no 'sessions' table; move it aside "
                               "and pair the straps again")
        return data

    def load(self, class_session_id: str) -> Roster | None:
        session = self._read_all()["sessions"].get(str(class_session_id))
        if session is None:
            return None
        return Roster.from_records(class_session_id, session.get("pairings", []))

    def save(self, roster: Roster) -> None:
        data = self._read_all()
        data["version"] = _FORMAT_VERSION
        data["sessions"][roster.class_session_id] = roster.to_dict()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def sessions(self) -> list[str]:
        return sorted(self._read_all()["sessions"])


class PairingSettings(ConfigFile):
    """configs/ingest.toml [pairing], SPOTTER_PAIRING_* overrides."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_PAIRING_",
                                      pyproject_toml_table_header=("pairing",))
    TOML_FILE: ClassVar[Path] = INGEST_TOML

    file: str = Field(default="pairings.json", min_length=1, max_length=200)


def default_store(data_dir: Path) -> PairingStore:
    """The store inside the Spotter data directory; file name from configs/ingest.toml."""
    return PairingStore(Path(data_dir) / PairingSettings().file)
