"""The disk half of store-and-forward: an SQLite (WAL) outbox that survives restarts.

Records waiting for the broker are rows keyed by their *ordinal*, the position the agent
gave them when they were produced, so reading ``ORDER BY ordinal`` replays them in the
order they happened even when a failed delivery puts older records back after newer ones
were written. The file also checkpoints every strap's next sequence number, so a
restarted agent never reuses one (the worker would take a reused number for a duplicate
and drop a real sample).

The buffer is bounded in payload bytes. When full, the oldest heart-rate samples go first
(counted, logged); roster and class start/end records are few and carry the meaning of
everything else, so they are never evicted.

One process at a time: an exclusive ``flock`` on ``<file>.lock`` makes a second agent on
the same buffer fail with advice instead of interleaving two replays.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import structlog

from contract.topics import TOPIC_HR_SAMPLES

log = structlog.get_logger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    ordinal INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    key BLOB NOT NULL,
    value BLOB NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sequences (strap_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Rows removed per eviction round: 1 % of the buffer at least, so a full buffer does not
# evict (and log) once per incoming sample.
_EVICT_FRACTION = 0.01


class BufferError(RuntimeError):
    """The disk buffer cannot be used; the message says what to do."""


@dataclass(slots=True)
class Entry:
    """One record on its way to the broker."""

    ordinal: int
    topic: str
    key: bytes
    value: bytes
    created: float  # wall clock when produced: publish lag and added latency

    @property
    def size(self) -> int:
        return len(self.key) + len(self.value)


@dataclass
class BufferCounters:
    written: int = 0  # records that went to disk
    evicted: int = 0
    replayed: int = 0  # records delivered from disk


@dataclass
class DiskBuffer:
    """The outbox file. Every method is a short synchronous SQLite transaction."""

    path: Path
    max_bytes: int
    synchronous: Literal["FULL", "NORMAL"] = "FULL"
    counters: BufferCounters = field(default_factory=BufferCounters)
    depth: int = 0
    payload_bytes: int = 0
    clean_start: bool = True  # the previous agent closed the buffer properly
    _db: sqlite3.Connection | None = None
    _lock: IO[bytes] | None = None

    def open(self) -> DiskBuffer:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            lock.close()
            raise BufferError(f"another edge agent is using the buffer {self.path}; stop it, "
                              "or give this one its own SPOTTER_EDGE_BUFFER_FILE") from exc
        self._lock = lock
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            db.executescript(_SCHEMA)
            self.depth, self.payload_bytes = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(key) + LENGTH(value)), 0) FROM outbox"
            ).fetchone()
            row = db.execute("SELECT value FROM meta WHERE name = 'clean'").fetchone()
            self.clean_start = row is None or row[0] == "1"
            db.execute("INSERT OR REPLACE INTO meta VALUES ('clean', '0')")
        except sqlite3.DatabaseError as exc:
            self._release()
            raise BufferError(f"the buffer {self.path} is unreadable ({exc}); move it aside "
                              "(its records are then lost) and start again") from exc
        self._db = db
        if self.depth:
            log.info("buffer_holds_records", records=self.depth, bytes=self.payload_bytes,
                     path=str(self.path), advice="they are delivered first, in order")
        return self

    def close(self) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('clean', '1')")
            self._db.close()
            self._db = None
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise BufferError("the buffer is not open")
        return self._db

    # -- outbox --------------------------------------------------------------------------

    def append(self, entries: Sequence[Entry]) -> None:
        """Write ``entries`` (any ordinals: older ones sort first when read back)."""
        if not entries:
            return
        with self._transaction() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO outbox VALUES (?, ?, ?, ?, ?)",
                           [(e.ordinal, e.topic, e.key, e.value, e.created) for e in entries])
            inserted = db.total_changes - before
            if inserted != len(entries):  # a row already there: never expected, stay exact
                self.depth, self.payload_bytes = db.execute(
                    "SELECT COUNT(*), COALESCE(SUM(LENGTH(key) + LENGTH(value)), 0) "
                    "FROM outbox").fetchone()
            else:
                self.depth += inserted
                self.payload_bytes += sum(e.size for e in entries)
        self.counters.written += inserted
        if self.payload_bytes > self.max_bytes:
            self._evict()

    def head(self, limit: int) -> list[Entry]:
        rows = self.db.execute("SELECT ordinal, topic, key, value, created FROM outbox "
                               "ORDER BY ordinal LIMIT ?", (limit,)).fetchall()
        return [Entry(o, t, bytes(k), bytes(v), c) for o, t, k, v, c in rows]

    def delete(self, entries: Iterable[Entry]) -> None:
        """Forget delivered rows (rows evicted meanwhile are simply not there any more)."""
        ordinals = [e.ordinal for e in entries]
        if not ordinals:
            return
        removed = freed = 0
        with self._transaction() as db:
            for start in range(0, len(ordinals), 500):  # SQLite's bound-parameter limit
                chunk = ordinals[start:start + 500]
                marks = ",".join("?" * len(chunk))
                sizes = db.execute(f"DELETE FROM outbox WHERE ordinal IN ({marks}) "
                                   "RETURNING LENGTH(key) + LENGTH(value)", chunk).fetchall()
                removed += len(sizes)
                freed += sum(size for (size,) in sizes)
        self.depth -= removed
        self.payload_bytes -= freed
        self.counters.replayed += removed

    def forget(self, names_member: Callable[[str], bool]) -> int:
        """Drop undelivered records that name an erased member (``names_member`` judges a
        record's key and value as text); returns how many went. The file is vacuumed so
        the dropped bytes do not linger in free pages."""
        gone: list[Entry] = []
        last = 0
        while True:
            rows = self.db.execute("SELECT ordinal, topic, key, value, created FROM outbox "
                                   "WHERE ordinal > ? ORDER BY ordinal LIMIT 1000",
                                   (last,)).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            gone += [Entry(o, t, bytes(k), bytes(v), c) for o, t, k, v, c in rows
                     if names_member(bytes(k).decode("utf-8", "replace") + "\n"
                                     + bytes(v).decode("utf-8", "replace"))]
        replayed = self.counters.replayed
        self.delete(gone)
        self.counters.replayed = replayed  # forgotten, not delivered
        if gone:
            self.db.execute("VACUUM")
        return len(gone)

    def last_ordinal(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(ordinal), 0) FROM outbox").fetchone()[0])

    def _evict(self) -> None:
        target = self.max_bytes - int(self.max_bytes * _EVICT_FRACTION)
        evicted = 0
        with self._transaction() as db:
            while self.payload_bytes > target:
                rows = db.execute("SELECT ordinal, LENGTH(key) + LENGTH(value) FROM outbox "
                                  "WHERE topic = ? ORDER BY ordinal LIMIT 500",
                                  (TOPIC_HR_SAMPLES,)).fetchall()
                if not rows:
                    break  # only control records left: keep them all
                doomed = []
                for ordinal, size in rows:
                    if self.payload_bytes <= target:
                        break
                    doomed.append((ordinal,))
                    self.payload_bytes -= size
                db.executemany("DELETE FROM outbox WHERE ordinal = ?", doomed)
                self.depth -= len(doomed)
                evicted += len(doomed)
        self.counters.evicted += evicted
        log.warning("buffer_full_evicted_oldest_samples", evicted=evicted,
                    evicted_total=self.counters.evicted, max_mb=self.max_bytes / 2**20,
                    advice="the broker has been away long: raise SPOTTER_EDGE_BUFFER_MAX_MB "
                           "or restore the uplink")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- sequence checkpoints ------------------------------------------------------------

    def load_sequences(self, skip: int) -> dict[str, int]:
        """Next sequence number per strap; ``skip`` ahead after an unclean stop."""
        rows = self.db.execute("SELECT strap_id, next_seq FROM sequences").fetchall()
        extra = 0 if self.clean_start else skip
        if rows and extra:
            log.warning("edge_agent_did_not_stop_cleanly", seq_skip=extra,
                        advice="sequence numbers jump ahead so none is reused")
        return {strap: int(seq) + extra for strap, seq in rows}

    def save_sequences(self, next_seq: dict[str, int]) -> None:
        if not next_seq:
            return
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO sequences VALUES (?, ?)",
                           list(next_seq.items()))


def buffer_size_on_disk(path: Path) -> int:
    """Bytes of the database and its WAL file (what the box's storage actually holds)."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.path.getsize(f"{path}{suffix}")
    return total
