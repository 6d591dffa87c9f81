"""Erasing a member from the edge box's files under the data directory.

An edge box keeps three kinds of files that name members: the strap pairings
(``pairings.json``, :class:`ingest.pairing.PairingStore`: member, strap and name per class),
each class's credentials (``edge/credentials/<class>.json``: the signing key with the
API's signed roster) and the disk buffer of records not yet delivered to the broker
(``edge/buffer.sqlite``). Pairings lose the member's entries; a credentials file naming
the member is deleted, since its roster is signed and cannot be edited (a box running that
class fetches it again, and the API's roster no longer lists the member); the buffer
drops the member's undelivered records. A running edge agent holds the buffer: then it is
left alone and the receipt says so (its records go to the topics, where the erasure of
topics applies).

The erasure covers the data directory of the machine running it (the embedded stack);
on a separate edge box, ``spotter members erase-edge-files MEMBER_ID`` does the same with
the names the box's own pairings hold.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from api.privacy.member_data import Needles
from api.privacy.scrub import mentions
from edge.buffer import BufferError as BufferBusy
from edge.buffer import DiskBuffer
from edge.config import EdgeSettings
from edge.credentials import credentials_path
from ingest.pairing import PairingSettings


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _erase_pairings(path: Path, needles: Needles) -> int:
    if not path.exists():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    removed = 0
    for session in (data.get("sessions") or {}).values():
        kept = [p for p in session.get("pairings", [])
                if not mentions(json.dumps(p), needles)]
        removed += len(session.get("pairings", [])) - len(kept)
        session["pairings"] = kept
    if removed:
        _write_atomically(path, data)
    return removed


def _pairings_of(data_dir: Path, member_id: str) -> list[dict[str, Any]]:
    path = data_dir / PairingSettings().file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [p for s in (data.get("sessions") or {}).values()
            for p in s.get("pairings", []) if p.get("member_id") == member_id]


def names_on_box(data_dir: Path, member_id: str) -> list[str]:
    """The member's names as this box's pairings recorded them (full and first)."""
    names = {str(p["display_name"]) for p in _pairings_of(data_dir, member_id)
             if p.get("display_name")}
    return sorted(names | {n.split()[0] for n in names if n.split()})


def wire_ids_on_box(data_dir: Path, member_id: str) -> list[str]:
    """The member's wire ids as this box's pairings recorded them: its disk buffer holds
    the member's records under these (contract.pseudonyms)."""
    return sorted({str(p["wire_id"]) for p in _pairings_of(data_dir, member_id)
                   if p.get("wire_id")})


def erase_files(data_dir: Path, needles: Needles) -> dict[str, int | str]:
    """Remove the member from pairing, credentials and buffer files; returns counts."""
    counts = {"pairings_removed": _erase_pairings(data_dir / PairingSettings().file,
                                                  needles)}
    folder = credentials_path(data_dir, "x").parent
    deleted = 0
    if folder.is_dir():
        for path in folder.glob("*.json"):
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if mentions(text, needles):
                path.unlink(missing_ok=True)
                deleted += 1
    counts["credentials_files_deleted"] = deleted
    out: dict[str, int | str] = {k: v for k, v in counts.items() if v}
    dropped = _erase_buffer(EdgeSettings().buffer_path(data_dir), needles)
    if isinstance(dropped, str):
        out["edge_buffer"] = dropped
    elif dropped:
        out["buffered_records_dropped"] = dropped
    return out


def _erase_buffer(path: Path, needles: Needles) -> int | str:
    if not path.exists():
        return 0
    buffer = DiskBuffer(path=path, max_bytes=EdgeSettings().buffer_max_bytes)
    try:
        buffer.open()
    except BufferBusy:
        return ("in use by a running edge agent: its undelivered records were left to "
                "reach the topics; run the erasure again after it stops to drop them")
    try:
        return buffer.forget(lambda text: mentions(text, needles)
                             or any(w in text for w in needles.wire_ids))
    finally:
        buffer.close()
