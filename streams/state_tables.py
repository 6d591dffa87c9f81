"""Per-partition state in plain Faust tables, with a decoded cache in front.

Why not ``table[key] = value``: Faust derives the changelog partition of a write from the
*current event*, and raises outside an event. The worker writes in three places where
that is wrong or absent: after a consumer batch (events from several partitions), from
the 1 s timer (no event at all), and at a class end. So every write here names its
partition explicitly (``Table.send_changelog(partition, ...)``): the partition of the
member's samples, which is also the partition of the table's changelog because topics
and tables are co-partitioned (same key, same partition count).

Why a cache: decoding a member's state from JSON costs ~0.4 ms; doing it per sample (the
skeleton did) capped the worker far below the target. Decoded objects stay in memory per
partition; the table keeps the encoded bytes (what the changelog restores).

Ownership rules that keep two workers from writing the same partition:
* the cache holds only partitions this worker owns; it is dropped when a rebalance
  starts and rebuilt from the restored table when the rebalance completes;
* writers check ``writable`` (false while rebalancing), and do every mutation and its
  write without an ``await`` in between, so a revocation never sees half a change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PartitionedTable(Generic[T]):
    def __init__(self, table: Any, decode: Callable[[bytes], T],
                 partition_of: Callable[[bytes], int] | None = None) -> None:
        self.table = table
        self.decode = decode
        self.partition_of = partition_of or _partition_field
        self.cache: dict[int, dict[str, T]] = {}

    @property
    def partitions(self) -> set[int]:
        return set(self.cache)

    def owns(self, partition: int) -> bool:
        return partition in self.cache

    def get(self, partition: int, key: str) -> T | None:
        part = self.cache.get(partition)
        return None if part is None else part.get(key)

    def put(self, partition: int, key: str, value: T, blob: bytes) -> None:
        """Write ``blob`` to the table and its changelog partition; cache ``value``."""
        self.table.send_changelog(partition, key, blob)
        self.table.data[key] = blob
        self.cache.setdefault(partition, {})[key] = value

    def reload(self, partition: int, key: str) -> None:
        """Forget in-memory changes to ``key`` that were never written: decode it again
        from the last bytes written (or forget it, if none were)."""
        part = self.cache.get(partition)
        if part is None:
            return
        blob = self.table.data.get(key)
        if blob is None:
            part.pop(key, None)
        else:
            part[key] = self.decode(blob)

    def delete(self, partition: int, key: str) -> None:
        self.table.send_changelog(partition, key, None, value_serializer="raw")
        self.table.data.pop(key, None)
        self.cache.get(partition, {}).pop(key, None)

    def items(self) -> Iterator[tuple[int, str, T]]:
        for partition, part in list(self.cache.items()):
            for key, value in list(part.items()):
                yield partition, key, value

    def drop(self) -> None:
        """A rebalance started: nothing is ours until it completes."""
        self.cache = {}

    def rebuild(self, partitions: set[int]) -> int:
        """Load the restored table's entries of ``partitions``; returns how many."""
        cache: dict[int, dict[str, T]] = {p: {} for p in partitions}
        count = 0
        for key, blob in list(self.table.data.items()):
            if blob is None:
                continue
            partition = self.partition_of(blob)
            if partition in cache:
                cache[partition][key] = self.decode(blob)
                count += 1
        self.cache = cache
        return count


def _partition_field(blob: bytes) -> int:
    return int(json.loads(blob)["p"])


def encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def put_raw(table: Any, partition: int, key: str, blob: bytes) -> None:
    """Write one entry of an uncached table to an explicit changelog partition."""
    table.send_changelog(partition, key, blob)
    table.data[key] = blob


def get_raw(table: Any, key: str) -> dict[str, Any] | None:
    blob = table.data.get(key)
    return json.loads(blob) if blob else None
