"""Notice a stream partition that has records waiting but is not being read.

After a takeover a worker owns partitions it never read before. Faust pauses partitions
while it rebalances and recovers tables and resumes them afterwards; if a partition is
left out of that resume (or its fetch otherwise never restarts), its members' tiles freeze
while the worker looks healthy: it is in its group, its timer runs, other partitions flow.
Nothing in Faust reports that, so the worker checks for it: a partition is *stalled*
when the broker holds records past the worker's position and the position has not moved
for a while outside a rebalance. The decision is pure (this module); the worker supplies
positions and end offsets and decides what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionProgress:
    """One partition as the worker sees it at one moment."""

    position: int | None  # next offset the consumer will read; None before its first seek
    end_offset: int | None  # the broker's high watermark; None when it could not be asked

    @property
    def waiting(self) -> bool:
        """Records are on the broker that the consumer has not read yet."""
        return (self.position is not None and self.end_offset is not None
                and self.end_offset > self.position)


@dataclass
class _Seen:
    position: int | None
    since: float


class StallWatch:
    """Remembers, per partition, since when it has had records waiting and not moved.

    ``stall_after_s`` must be longer than a normal pause (a batch being handled, a
    database write); a live class sends a sample per member per second, so a partition
    with records waiting that has not advanced for tens of seconds is not busy, it is stuck.
    """

    def __init__(self, stall_after_s: float) -> None:
        if stall_after_s <= 0:
            raise ValueError("stall_after_s must be positive")
        self.stall_after_s = stall_after_s
        self._seen: dict[int, _Seen] = {}
        self._reported: set[int] = set()

    def reset(self) -> None:
        """Forget everything: a rebalance moves partitions and positions on purpose."""
        self._seen.clear()
        self._reported.clear()

    def unmoved(self, positions: dict[int, int | None]) -> list[int]:
        """Partitions whose known position equals the one last observed: the only ones
        that can be stalled, so the only ones worth asking the broker about."""
        return sorted(p for p, position in positions.items()
                      if position is not None and p in self._seen
                      and self._seen[p].position == position)

    def observe(self, now: float, progress: dict[int, PartitionProgress]) -> list[int]:
        """Partitions newly found stalled at ``now`` (each reported once per episode)."""
        for gone in set(self._seen) - set(progress):
            del self._seen[gone]
            self._reported.discard(gone)
        stalled: list[int] = []
        for partition, state in sorted(progress.items()):
            seen = self._seen.get(partition)
            if not state.waiting:
                self._seen[partition] = _Seen(state.position, now)
                self._reported.discard(partition)
                continue
            if seen is None or seen.position != state.position:
                self._seen[partition] = _Seen(state.position, now)
                self._reported.discard(partition)
                continue
            if now - seen.since >= self.stall_after_s and partition not in self._reported:
                self._reported.add(partition)
                stalled.append(partition)
        return stalled
