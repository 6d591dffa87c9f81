"""Files Spotter writes hold health data (heart rates, plans) and secrets (password hashes,
token hashes, TLS keys): only the account that runs Spotter may read them.

Two layers: server commands run under umask 077, so every file they or their children
create (the SQLite file and its journal, logs, the edge buffer, the worker's state, TLS
keys) starts out 0600 and every folder 0700; and the SQLite file is created 0600, or
narrowed to 0600 when an older install left it readable, before anything opens it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600


def private_umask() -> int:
    """Make files this process (and its children) create private; returns the old mask."""
    return os.umask(PRIVATE_UMASK)


def sqlite_file(database_url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL (any driver); None for other databases and
    for in-memory SQLite."""
    scheme, sep, rest = database_url.partition(":///")
    if not sep or not scheme.startswith("sqlite") or not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


def secure_sqlite_file(database_url: str) -> Path | None:
    """Create the SQLite file 0600 if it does not exist, or take group and other access
    away from an existing one (and its -wal/-shm files); returns the path, if SQLite."""
    path = sqlite_file(database_url)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for candidate in (path, path.with_name(path.name + "-wal"),
                      path.with_name(path.name + "-shm"), path.with_name(path.name + "-journal")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & 0o077:
                candidate.chmod(mode & 0o700)
        except FileNotFoundError:
            continue
        except PermissionError:
            continue  # not ours to change (a shared install); the umask still holds for new files
    return path
