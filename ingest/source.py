"""The interface every heart-rate source fills: real BLE straps, the simulator, replay.

The edge agent only sees :class:`HeartRateSource`, so a class of simulated members and a
room full of real chest straps go through exactly the same publishing, buffering and
pairing code.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

SourceKind = Literal["chest", "optical", "sim", "replay", "unknown"]


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded Heart Rate Measurement (GATT characteristic 0x2A37)."""

    hr_bpm: int
    sensor_contact: bool | None = None  # None: the strap does not report contact
    energy_kj: int | None = None
    rr_intervals_raw: tuple[int, ...] = ()  # 1/1024 s units, oldest first
    rr_intervals_ms: tuple[float, ...] = ()  # the same beats in milliseconds


@dataclass(frozen=True, slots=True)
class StrapReading:
    """A measurement stamped on arrival at the edge box (monotonic for ordering,
    wall clock for event time)."""

    strap_id: str
    measurement: HeartRateMeasurement
    received_monotonic: float
    received_wall: float
    source: SourceKind = "unknown"


class StrapState(enum.StrEnum):
    DISCOVERED = "discovered"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    STREAMING = "streaming"
    DISCONNECTED = "disconnected"
    ADVERTISING = "advertising"  # connectionless: heart rate read from advertisements


@dataclass(slots=True)
class StrapStatus:
    strap_id: str
    state: StrapState
    battery_pct: int | None = None
    body_location: str | None = None
    last_seen_wall: float | None = None
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class HeartRateSource(Protocol):
    """Anything that yields strap readings until stopped."""

    def readings(self) -> AsyncIterator[StrapReading]:
        """Readings in arrival order; ends when the source is closed or exhausted."""
        ...

    def statuses(self) -> dict[str, StrapStatus]:
        """Current state of every strap this source knows about."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RecordedSample:
    """One sample of a recorded session (FIT/TCX/CSV), at seconds from its start."""

    t: float
    hr_bpm: int
    rr_intervals_ms: tuple[float, ...] = ()
    wall_time: float | None = None  # Unix seconds when the file carries real timestamps
