"""Which writers the worker accepts for each kind of record (``contract.signing``).

Heart rate and form events come from an edge box holding the class's key (issued by the
API only to a box of the class's room) or from the API; the class roster only from the
API, which alone knows who booked; class start and end from the API or the room's box;
the workers' own control records only from a worker. With ``SPOTTER_RECORD_AUTH=off``
(a lab setup with no secret shared) every record passes unchecked.
"""

from __future__ import annotations

from typing import Any

from contract.records import RecordAuth, RecordError
from contract.signing import API, WORKER, class_key, verify

DEVICE = "device"
FROM_ROOM = frozenset({DEVICE, API})  # samples, form events, class start and end
FROM_API = frozenset({API})  # the roster
FROM_WORKER = frozenset({WORKER})  # class control, partition reports
MAX_KEYS = 10_000  # derived keys kept (writers x classes); a day of classes is far fewer


def principal(auth: RecordAuth) -> str:
    if auth.device_id == auth.room_id and auth.device_id in (API, WORKER):
        return auth.device_id
    return DEVICE


class RecordGate:
    def __init__(self, secret: str | None) -> None:
        self.secret = secret  # None: signatures are not checked
        self._keys: dict[tuple[str, str, str], bytes] = {}  # derived once per writer+class

    @property
    def enforced(self) -> bool:
        return self.secret is not None

    def check(self, record: Any, allowed: frozenset[str], raw: bytes | None = None
              ) -> RecordAuth | None:
        """The record's writer, if it may write this record; :class:`RecordError` if not.
        ``raw``: the bytes it was parsed from (a cheaper check, see contract.signing)."""
        if self.secret is None:
            return None
        claimed = getattr(record, "auth", None)
        key = None
        if claimed is not None:
            ident = (claimed.device_id, claimed.room_id, record.class_session_id)
            key = self._keys.get(ident)
            if key is None:
                if len(self._keys) > MAX_KEYS:
                    self._keys.clear()
                key = self._keys[ident] = class_key(self.secret, *ident)
        auth = verify(key or self.secret, record, raw)
        who = principal(auth)
        if who not in allowed:
            raise RecordError(f"a {type(record).__name__} from {who} {auth.device_id} is not "
                              f"accepted (only from {', '.join(sorted(allowed))})",
                              "not_allowed")
        return auth
