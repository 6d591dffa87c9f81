"""The edge agent: heart-rate readings in, wire records out to Kafka.

It owns the per-strap sequence numbers (so the worker can spot gaps and redeliveries),
maps straps to members through the class roster, and keys every record by member so
one member's samples stay in order on one partition.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from ingest.source import HeartRateSource, StrapReading
from streams.records import (
    TOPIC_CLASS_EVENTS,
    TOPIC_HR_SAMPLES,
    TOPIC_ROSTER,
    ClassEvent,
    HeartRateSample,
    Record,
    RosterEntry,
)

log = structlog.get_logger(__name__)


class Publisher(Protocol):
    """Where records go: Kafka directly, or a store-and-forward buffer in front of it."""

    async def publish(self, topic: str, key: str, record: Record) -> None: ...


@dataclass
class EdgeAgent:
    class_session_id: str
    source: HeartRateSource
    publisher: Publisher
    roster: list[RosterEntry]
    sequences: dict[str, int] = field(default_factory=dict)
    unknown_straps: set[str] = field(default_factory=set)
    published: int = 0

    def __post_init__(self) -> None:
        self._member_by_strap = {e.strap_id: e.member_id for e in self.roster if e.strap_id}

    def member_for(self, strap_id: str) -> str | None:
        return self._member_by_strap.get(strap_id)

    def to_sample(self, reading: StrapReading) -> HeartRateSample | None:
        """The wire record for one reading, or None for a strap nobody wears today."""
        member_id = self.member_for(reading.strap_id)
        if member_id is None:
            if reading.strap_id not in self.unknown_straps:
                self.unknown_straps.add(reading.strap_id)
                log.warning("unknown strap: not on this class's roster",
                            strap_id=reading.strap_id, class_session_id=self.class_session_id)
            return None
        seq = self.sequences.get(reading.strap_id, -1) + 1
        self.sequences[reading.strap_id] = seq
        m = reading.measurement
        return HeartRateSample(
            class_session_id=self.class_session_id, member_id=member_id,
            strap_id=reading.strap_id, seq=seq, event_time=reading.received_wall,
            hr_bpm=m.hr_bpm, rr_intervals_ms=list(m.rr_intervals_ms),
            sensor_contact=m.sensor_contact, energy_kj=m.energy_kj, source=reading.source,
        )

    async def announce(self, event: str = "start", at: float | None = None) -> None:
        """Send the roster and a class start/end event (summaries hang off these)."""
        if event == "start":
            for entry in self.roster:
                await self.publisher.publish(TOPIC_ROSTER, entry.member_id, entry)
        await self.publisher.publish(
            TOPIC_CLASS_EVENTS, self.class_session_id,
            ClassEvent(class_session_id=self.class_session_id, event=event,  # type: ignore[arg-type]
                       event_time=at or time.time()),
        )

    async def run(self, announce_start: bool = True) -> None:
        if announce_start:
            await self.announce("start")
        log.info("edge agent streaming", class_session_id=self.class_session_id,
                 members=len(self.roster))
        async for reading in self.source.readings():
            sample = self.to_sample(reading)
            if sample is None:
                continue
            await self.publisher.publish(TOPIC_HR_SAMPLES, sample.member_id, sample)
            self.published += 1

    async def stop(self) -> None:
        await self.source.close()


def pair_simulated(roster: Iterable[RosterEntry], strap_ids: list[str]) -> list[RosterEntry]:
    """Give each roster member one simulated strap, in roster order."""
    paired = []
    for entry, strap in zip(roster, strap_ids, strict=False):
        paired.append(entry.model_copy(update={"strap_id": strap}))
    return paired

