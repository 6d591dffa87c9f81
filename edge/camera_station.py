"""One station while a class runs: where it is in its camera's image, who trains there,
its pacer, the frame it has in pose, and what the box status reports about it (frame
rate achieved, frames skipped while busy, arrival-to-analysis latency)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from edge.camera_config import CameraConfig
from edge.camera_pool import PoseResult
from vision.pacing import Mode, PacingRule, StationPacer
from vision.stations import Region

_WINDOW_S = 5.0  # achieved frame rate and latency are reported over this recent window


@dataclass
class StationRun:
    """One station while the class runs: where, who, how fast, how late."""

    station_id: str
    camera_id: str
    region: Region
    exercise: str
    member_id: str
    pacer: StationPacer
    frames: int = 0  # crops sent to pose
    busy_skips: int = 0  # frames due while the previous one was still in pose
    found: int = 0  # crops with a person
    events: int = 0  # reps and holds
    error: str | None = None  # why the station cannot be watched (its region)
    _in_flight: dict[float, float] = field(default_factory=dict)  # t -> arrival
    _idle: threading.Event = field(default_factory=threading.Event)
    _taken: deque[float] = field(default_factory=deque)  # arrival times (monotonic)
    _latency: deque[tuple[float, float]] = field(default_factory=deque)  # (done, ms)
    # arrival-to-result latency of recent frames, for benchmarks (bounded: ~15 min at 12 fps)
    history_ms: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._idle.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def take(self, t: float, arrived: float) -> None:
        with self._lock:
            self.pacer.taken(t)
            self.frames += 1
            self._in_flight[t] = arrived
            self._idle.clear()
            self._taken.append(arrived)
            while self._taken and self._taken[0] < arrived - _WINDOW_S:
                self._taken.popleft()

    def done(self, result: PoseResult) -> None:
        now = time.monotonic()
        with self._lock:
            arrived = self._in_flight.pop(result.t, None)
            if result.t >= 0:
                self.found += result.found
                self.events += len(result.items)
                self.pacer.observe(result.t, result.moving, len(result.items))
            else:  # its worker died with the frame: nothing to observe
                self._in_flight.clear()
            if arrived is not None:
                self._latency.append((now, 1000 * (now - arrived)))
                self.history_ms.append(1000 * (now - arrived))
            while self._latency and self._latency[0][0] < now - _WINDOW_S:
                self._latency.popleft()
            if not self._in_flight:
                self._idle.set()

    def wait_idle(self, timeout_s: float) -> bool:
        return self._idle.wait(timeout_s)

    def status(self) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            recent = [a for a in self._taken if a >= now - _WINDOW_S]
            span = min(_WINDOW_S, now - recent[0]) if recent else 0.0
            lat = sorted(ms for _, ms in self._latency)
        return {
            "station_id": self.station_id, "member_id": self.member_id,
            "exercise": self.exercise, "region": _region_list(self.region),
            "mode": self.pacer.mode.value, "target_fps": self.pacer.fps,
            "fps": round(len(recent) / span, 2) if span > 0.5 else 0.0,
            "frames": self.frames, "busy_skips": self.busy_skips, "person_found": self.found,
            "events": self.events, "error": self.error,
            "latency_p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "latency_p99_ms": round(lat[int(0.99 * (len(lat) - 1))], 1) if lat else None,
        }


def _region_list(region: Region) -> list[float]:
    return [region.x, region.y, region.w, region.h]


def station_runs(camera: CameraConfig, members: dict[str, str], rule: PacingRule,
                 regions: dict[str, Region] | None = None) -> list[StationRun]:
    """The camera's stations that have a member this class (others are not watched)."""
    regions = regions or {}
    out = []
    for station in camera.station:
        member = members.get(station.id)
        if member is None:
            continue
        region = regions.get(station.id) or Region(*station.region)
        out.append(StationRun(station.id, camera.id, region, camera.exercise_of(station),
                              member, StationPacer(rule, Mode.IDLE)))
    return out
