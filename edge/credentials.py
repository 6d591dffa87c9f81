"""The class's signing key and API-signed roster, fetched once and kept on the box.

Every record the box sends must carry its signature (``contract.signing``). The key is
issued by the API per class, only to a device token of the class's room, together with
the roster as records the API signed. They are kept (mode 0600, under the data directory)
so a box restarted during an uplink outage can keep signing that class's records.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import structlog

from contract.records import RosterEntry
from contract.signing import Signer

log = structlog.get_logger(__name__)


class CredentialsError(RuntimeError):
    """The API refused the class's key; the message says what to change."""


@dataclass(frozen=True)
class ClassCredentials:
    signer: Signer
    roster: list[RosterEntry]  # signed by the API: forwarded unchanged

    def to_json(self) -> str:
        s = self.signer
        return json.dumps({"device_id": s.device_id, "room_id": s.room_id,
                           "class_session_id": s.class_session_id, "key": s.key.hex(),
                           "roster": [e.model_dump(mode="json") for e in self.roster]})

    @classmethod
    def from_json(cls, text: str) -> ClassCredentials:
        data = json.loads(text)
        signer = Signer(data["device_id"], data["room_id"], data["class_session_id"],
                        bytes.fromhex(data["key"]))
        return cls(signer, [RosterEntry.model_validate(e) for e in data["roster"]])


def credentials_path(data_dir: Path, class_session_id: str) -> Path:
    return data_dir / "edge" / "credentials" / f"{class_session_id}.json"


def save(data_dir: Path, creds: ClassCredentials) -> None:
    path = credentials_path(data_dir, creds.signer.class_session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(creds.to_json())


def load(data_dir: Path, class_session_id: str) -> ClassCredentials | None:
    try:
        return ClassCredentials.from_json(
            credentials_path(data_dir, class_session_id).read_text())
    except (OSError, ValueError, KeyError):
        return None


async def fetch(api_url: str, class_session_id: str, token: str | None) -> ClassCredentials:
    """From ``GET /api/classes/{id}/edge-credentials`` (device token of the room)."""
    url = f"{api_url.rstrip('/')}/api/classes/{class_session_id}/edge-credentials"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=5, headers=headers) as client:
        response = await client.get(url)
    if response.status_code in (401, 403):
        raise CredentialsError(
            f"the API refused this box the key of {class_session_id} ({response.status_code}):"
            " SPOTTER_EDGE_TOKEN must be a device token of the class's room")
    response.raise_for_status()
    data = response.json()
    signer = Signer(data["device_id"], data["room_id"], data["class_session_id"],
                    bytes.fromhex(data["key"]))
    return ClassCredentials(signer, [RosterEntry.model_validate(e) for e in data["roster"]])


async def class_credentials(data_dir: Path, api_url: str, class_session_id: str,
                            token: str | None) -> ClassCredentials | None:
    """Fresh from the API (and kept), else the kept ones, else None (logged: the worker
    will refuse this box's records)."""
    try:
        creds = await fetch(api_url, class_session_id, token)
    except httpx.HTTPError as exc:
        kept = load(data_dir, class_session_id)
        if kept is None:
            log.error("no signing key for this class: the worker will refuse its records "
                      "until the API is reachable", class_session_id=class_session_id,
                      error=str(exc))
        return kept
    save(data_dir, creds)
    return creds
