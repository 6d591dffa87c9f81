"""The edge agent: heart-rate readings in, wire records out.

It owns the per-strap sequence numbers (assigned before anything is buffered, so the
worker can spot gaps and redeliveries even after a replay from disk), maps straps to
members through the class roster (:class:`ingest.pairing.StrapMatcher`: unknown straps
are counted and reported, never published under a guess), and keys every record by member
so one member's samples stay in order on one partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import structlog
from pydantic import ValidationError

from contract.records import (
    MAX_RR_PER_SAMPLE,
    RR_MAX_MS,
    RR_MIN_MS,
    ClassEvent,
    HeartRateSample,
    Record,
    RosterEntry,
)
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES, TOPIC_ROSTER
from ingest.pairing import Roster, StrapMatcher, normalize_strap_id
from ingest.source import HeartRateSource, StrapReading

log = structlog.get_logger(__name__)

# A source may hand over many readings without pausing (a reconnecting strap's backlog, a
# replay at full speed): yielding every few lets the first ones go out meanwhile.
YIELD_EVERY = 16
Checkpoint = Callable[[dict[str, int]], None]  # next sequence number per strap -> disk


class Publisher(Protocol):
    """Where records go: the store-and-forward buffer, or Kafka directly (baseline)."""

    async def publish(self, topic: str, key: str, record: Record,
                      produced_at: float | None = None) -> None: ...


def matcher_for(class_session_id: str, roster: Iterable[RosterEntry]) -> StrapMatcher:
    """Pairings of the roster entries that name a strap (never of a member who switched
    heart-rate tracking off: their strap stays unknown and is not sent)."""
    pairs = Roster(class_session_id)
    for entry in roster:
        if entry.strap_id and entry.hr_tracking:
            pairs.pair(entry.strap_id, entry.member_id, entry.display_name)
    return StrapMatcher(pairs)


@dataclass
class EdgeAgent:
    class_session_id: str
    source: HeartRateSource
    publisher: Publisher
    roster: list[RosterEntry]
    matcher: StrapMatcher | None = None
    sequences: dict[str, int] = field(default_factory=dict)  # last seq sent, per strap
    checkpoint: Checkpoint | None = None
    checkpoint_interval_s: float = 1.0
    signed_roster: list[RosterEntry] | None = None  # from edge.credentials
    published: int = 0
    rejected: int = 0  # readings the wire contract refuses (logged)
    rr_dropped: int = 0  # RR values outside physiology, dropped from their sample
    last_reading: dict[str, float] = field(default_factory=dict)  # strap -> wall time
    ended: bool = False
    _end_requested: bool = False
    _checkpointed: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.matcher is None:
            self.matcher = matcher_for(self.class_session_id, self.roster)

    @property
    def straps(self) -> StrapMatcher:
        assert self.matcher is not None
        return self.matcher

    @property
    def unknown_straps(self) -> set[str]:
        return set(self.straps.unknown)

    def member_for(self, strap_id: str) -> str | None:
        return self.straps.roster.member_for(strap_id)

    def to_sample(self, reading: StrapReading) -> HeartRateSample | None:
        """The wire record for one reading, or None for a strap nobody wears today."""
        member_id = self.straps.member_for(reading.strap_id)
        if member_id is None:
            return None
        strap = normalize_strap_id(reading.strap_id)
        seq = self.sequences.get(strap, -1) + 1
        self.sequences[strap] = seq
        self.last_reading[strap] = reading.received_wall
        m = reading.measurement
        # RR values outside 200-3000 ms are no heartbeat (a strap's artifact): they are
        # dropped here, the heart rate still travels (the wire refuses them).
        rr = [v for v in m.rr_intervals_ms if RR_MIN_MS <= v <= RR_MAX_MS]
        self.rr_dropped += len(m.rr_intervals_ms) - len(rr)
        try:
            return HeartRateSample(
                class_session_id=self.class_session_id, member_id=member_id,
                strap_id=strap, seq=seq, event_time=reading.received_wall,
                hr_bpm=m.hr_bpm, rr_intervals_ms=rr[-MAX_RR_PER_SAMPLE:],
                sensor_contact=m.sensor_contact, energy_kj=m.energy_kj, source=reading.source,
            )
        except ValidationError as exc:  # e.g. a 255 bpm glitch: not a heart rate
            self.rejected += 1
            log.warning("reading not sent: outside the wire contract", strap_id=strap,
                        hr_bpm=m.hr_bpm, error=str(exc).splitlines()[0][:200])
            return None

    async def announce(self, event: Literal["start", "end"] = "start",
                       at: float | None = None) -> None:
        """Send the roster and a class start, or a class end (summaries hang off these)."""
        if event == "start":
            # the roster as the API signed it (only the API may write it); a box without
            # credentials sends its own copy, which a worker checking signatures refuses
            for entry in self.signed_roster or self.roster:
                await self.publisher.publish(TOPIC_ROSTER, entry.member_id, entry)
        at = at or time.time()
        await self.publisher.publish(
            TOPIC_CLASS_EVENTS, self.class_session_id,
            ClassEvent(class_session_id=self.class_session_id, event=event, event_time=at),
            produced_at=at)
        if event == "end":
            self.ended = True
        log.info("class_event_sent", class_event=event, class_session_id=self.class_session_id)

    async def run(self, announce_start: bool = True, end_when_exhausted: bool = False,
                  before_end: Callable[[], Awaitable[None]] | None = None) -> None:
        """Publish until the source ends or :meth:`end_class` is called; then, if the class
        ended (or the source ran out and ``end_when_exhausted``), send the class end.
        ``before_end`` runs first (cameras publish their last reps there)."""
        if announce_start:
            await self.announce("start")
        log.info("edge agent streaming", class_session_id=self.class_session_id,
                 members=len(self.roster))
        ticker = asyncio.create_task(self._checkpoint_loop())
        try:
            async for reading in self.source.readings():
                if self._end_requested:
                    break
                sample = self.to_sample(reading)
                if sample is None:
                    continue
                await self.publisher.publish(TOPIC_HR_SAMPLES, sample.member_id, sample,
                                             produced_at=reading.received_wall)
                self.published += 1
                if self.published % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the publisher send while a burst is read
            if before_end is not None:
                await before_end()
            if self._end_requested or end_when_exhausted:
                await self.announce("end")
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            self.save_sequences()

    async def end_class(self) -> None:
        """Stop reading; :meth:`run` sends the class end after the last sample it took."""
        self._end_requested = True
        await self.source.close()

    async def stop(self) -> None:
        await self.source.close()

    def next_sequences(self) -> dict[str, int]:
        return {strap: seq + 1 for strap, seq in self.sequences.items()}

    def save_sequences(self) -> None:
        """Checkpoint next sequence numbers that moved since the last checkpoint."""
        if self.checkpoint is None:
            return
        changed = {s: n for s, n in self.next_sequences().items()
                   if self._checkpointed.get(s) != n}
        if changed:
            self.checkpoint(changed)
            self._checkpointed.update(changed)

    async def _checkpoint_loop(self) -> None:
        while True:
            await asyncio.sleep(self.checkpoint_interval_s)
            self.save_sequences()


def pair_virtual(roster: Iterable[RosterEntry], strap_ids: list[str]) -> list[RosterEntry]:
    """Give each roster member one virtual strap (simulated or replayed), in roster order,
    until the straps run out; a member who switched heart-rate tracking off stays on the
    roster without one."""
    straps = iter(strap_ids)
    paired = []
    for entry in roster:
        strap = next(straps, None) if entry.hr_tracking else None
        if entry.hr_tracking and strap is None:
            break
        paired.append(entry.model_copy(update={"strap_id": strap}))
    return paired


pair_simulated = pair_virtual  # the name the walking skeleton used
