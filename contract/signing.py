"""Who wrote a record: an HMAC in the record itself, so only the room writes into its class.

Anyone who can reach the broker can produce a record. Each record therefore carries
``auth`` = (device id, room id, signature); the signature is HMAC-SHA256 over the record's
JSON with the signature blanked, under a key bound to the writer *and the class*:

    key = HMAC-SHA256(SPOTTER_SECRET_KEY, "spotter-record|device|room|class")

Only the API derives keys (it holds the secret). An edge box gets the key of a class from
the API with its room's device token, and only for a class held in that room; the
worker, which shares the secret, derives the same key from the record's own fields and
checks the signature. So a box can write only into its own room's classes, and a forged,
altered or unsigned record is refused (and dead-lettered with the reason).

Two principals are not devices: ``api`` (class start/end from the tablet, and the class
roster, which only the API knows) and ``worker`` (worker-to-worker control and reports).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, TypeVar

from contract.records import Record, RecordAuth, RecordError

API = "api"  # device and room id of records the API writes
WORKER = "worker"  # device and room id of the workers' own control records
_BLANK = "0" * 64

R = TypeVar("R", bound=Record)


def class_key(secret: str, device_id: str, room_id: str, class_session_id: str) -> bytes:
    """The key one writer signs one class's records with."""
    material = f"spotter-record|{device_id}|{room_id}|{class_session_id}".encode()
    return hmac.new(secret.encode(), material, hashlib.sha256).digest()


def _payload(record: Record, device_id: str, room_id: str) -> bytes:
    blank = RecordAuth(device_id=device_id, room_id=room_id, sig=_BLANK)
    return record.model_copy(update={"auth": blank}).model_dump_json().encode()


@dataclass(frozen=True)
class Signer:
    """Signs the records of one class as one writer (an edge box, the API, a worker)."""

    device_id: str
    room_id: str
    class_session_id: str
    key: bytes

    @classmethod
    def derive(cls, secret: str, device_id: str, room_id: str,
               class_session_id: str) -> Signer:
        return cls(device_id, room_id, class_session_id,
                   class_key(secret, device_id, room_id, class_session_id))

    def sign(self, record: R) -> R:
        cid = getattr(record, "class_session_id", None)
        if cid != self.class_session_id:
            raise ValueError(f"this key signs class {self.class_session_id!r}, not {cid!r}")
        sig = hmac.new(self.key, _payload(record, self.device_id, self.room_id),
                       hashlib.sha256).hexdigest()
        return record.model_copy(update={"auth": RecordAuth(
            device_id=self.device_id, room_id=self.room_id, sig=sig)})


def sign_as(secret: str, principal: str, record: R) -> R:
    """Sign as the API or a worker (they hold the secret), for the record's own class."""
    return Signer.derive(secret, principal, principal, record.class_session_id).sign(  # type: ignore[attr-defined]
        record)


def verify(secret: str | bytes, record: Any, raw: bytes | None = None) -> RecordAuth:
    """The writer of ``record``, or :class:`RecordError` (``unsigned`` / ``bad_signature``).

    ``secret`` may be the key itself (a caller that caches keys, see
    :func:`key_for`). With ``raw`` (the bytes the record was parsed from) the signature is
    checked on those bytes with the signature blanked: the same bytes the signer hashed,
    without serialising the record again (the worker checks every sample this way)."""
    auth: RecordAuth | None = getattr(record, "auth", None)
    if auth is None:
        raise RecordError(f"unsigned {type(record).__name__}: records must carry the "
                          "writer's signature (auth)", "unsigned")
    key = secret if isinstance(secret, bytes) else key_for(secret, record)
    sig = auth.sig.encode()
    if raw is not None and raw.count(sig) == 1:
        signed_bytes = raw.replace(sig, _BLANK.encode())
    else:
        signed_bytes = _payload(record, auth.device_id, auth.room_id)
    want = hmac.new(key, signed_bytes, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, auth.sig):
        raise RecordError(f"{type(record).__name__} signature does not match (device "
                          f"{auth.device_id}, room {auth.room_id}): forged, altered, or "
                          "signed for another class", "bad_signature")
    return auth


def key_for(secret: str, record: Any) -> bytes:
    """The key a record's claimed writer would have signed it with."""
    auth = record.auth
    return class_key(secret, auth.device_id, auth.room_id, record.class_session_id)
