"""Camera stations on the edge box: frames in, :class:`~contract.records.FormEvent` out.

A station is one member's region of a camera image (``member_id:x,y,w,h[:exercise]``).
Frames, pose estimation and the rep/form analyzers (:mod:`vision`) run in a worker thread,
because OpenCV reads and MediaPipe inference block; only the resulting reps and faults
cross into the agent's event loop, where they join the same store-and-forward queue as
heart rate, keyed by member. Video and landmarks never leave the box.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from contract.records import FormEvent
from contract.topics import TOPIC_FORM_EVENTS
from ingest.source import StrapReading, StrapStatus

log = structlog.get_logger(__name__)

# topic, key, record, produced_at; must not block (the store-and-forward submit)
Publish = Callable[[str, str, FormEvent, float], None]


class StationError(ValueError):
    """A ``--station`` that cannot be used; the message shows the expected form."""


@dataclass(frozen=True, slots=True)
class StationSpec:
    member_id: str
    region: str | None  # "x,y,w,h" (pixels or fractions), None = the whole image
    exercise: str

    @property
    def station_id(self) -> str:
        return f"{self.member_id}@{self.region or 'full'}"


def parse_station(text: str, default_exercise: str | None) -> StationSpec:
    """``member_id[:x,y,w,h][:exercise]`` -> :class:`StationSpec`."""
    parts = [p.strip() for p in text.split(":")]
    if not parts[0] or len(parts) > 3:
        raise StationError(f"station {text!r} must look like member_id:x,y,w,h[:exercise] "
                           "(e.g. demo-member-01:0,0,0.5,1:squat)")
    region = parts[1] if len(parts) > 1 and parts[1] else None
    exercise = parts[2] if len(parts) > 2 and parts[2] else default_exercise
    if exercise is None:
        raise StationError(f"station {text!r} names no exercise: add :exercise or --exercise")
    from vision.config import EXERCISES
    from vision.errors import VisionError
    from vision.stations import parse_region

    if exercise not in EXERCISES:
        raise StationError(f"station {text!r}: unknown exercise {exercise!r}; choose one of "
                           f"{', '.join(EXERCISES)}")
    if region is not None:
        try:
            parse_region(region)
        except VisionError as exc:
            raise StationError(str(exc)) from exc
    return StationSpec(parts[0], region, exercise)


@dataclass
class CameraStats:
    frames: int = 0
    form_events: int = 0
    finished: bool = False
    error: str | None = None


@dataclass
class CameraStations:
    """One camera and its stations, run in a thread until the source ends or ``stop``."""

    source: str
    stations: Sequence[StationSpec]
    class_session_id: str
    max_fps: float | None = None
    estimator_factory: Callable[[], Any] | None = None  # default: MediaPipe from config
    stats: CameraStats = field(default_factory=CameraStats)
    _stop: threading.Event = field(default_factory=threading.Event)

    async def run(self, publish: Publish) -> None:
        loop = asyncio.get_running_loop()

        def emit(events: list[FormEvent]) -> None:
            for event in events:
                loop.call_soon_threadsafe(self._deliver, publish, event)

        try:
            await asyncio.to_thread(self._read, emit)
        except Exception as exc:  # noqa: BLE001 - a camera must not stop heart rate
            self.stats.error = str(exc)
            log.error("camera_stopped", source=self.source, error=str(exc))
        finally:
            self.stats.finished = True

    def start(self, publish: Publish, straps: Any) -> asyncio.Task[None]:
        """Run in the background; with no straps (``NoStraps``), the class's reading ends
        when the camera does."""
        task = asyncio.create_task(self.run(publish), name=f"camera {self.source}")
        if isinstance(straps, NoStraps):
            task.add_done_callback(lambda _t: straps.stop_now())
        return task

    async def finish(self, task: asyncio.Task[None], timeout_s: float = 15.0) -> None:
        """Stop reading frames; the stations' last reps are still published."""
        self._stop.set()
        try:
            await asyncio.wait_for(task, timeout_s)
        except TimeoutError:
            log.warning("camera_did_not_stop", source=self.source)
        await asyncio.sleep(0)  # let the last events scheduled from the thread run

    def _deliver(self, publish: Publish, event: FormEvent) -> None:
        self.stats.form_events += 1
        publish(TOPIC_FORM_EVENTS, event.member_id, event, event.event_time)

    def _read(self, emit: Callable[[list[FormEvent]], None]) -> None:
        from ingest.camera import OpenCVSource
        from vision.analyzer import ExerciseAnalyzer
        from vision.config import load_config
        from vision.events import form_events
        from vision.stations import Station, StationRunner, parse_region

        config = load_config()
        factory = self.estimator_factory or _mediapipe_factory(config)
        specs = {s.station_id: s for s in self.stations}
        runner = StationRunner(Station(s.station_id, parse_region(s.region) if s.region
                                       else None, factory(), ExerciseAnalyzer(s.exercise, config),
                                       member_id=s.member_id) for s in self.stations)
        origin: float | None = None

        def events(station_id: str, items: list[Any]) -> list[FormEvent]:
            spec = specs[station_id]
            return form_events(items, exercise=spec.exercise,
                               class_session_id=self.class_session_id, member_id=spec.member_id,
                               station_id=station_id, clock_origin=origin or 0.0)

        max_fps = config.pose.max_fps if self.max_fps is None else self.max_fps
        try:
            with OpenCVSource(self.source, max_fps=max_fps) as camera:
                for frame in camera.frames():
                    if self._stop.is_set():
                        break
                    if origin is None:  # the camera clock's zero in Unix time, once
                        origin = frame.wall_time - frame.t
                    self.stats.frames += 1
                    for station_id, items in runner.process(frame.t, frame.image).items():
                        emit(events(station_id, items))
            for station in runner.stations:  # reps only the end of the stream releases
                emit(events(station.station_id, station.analyzer.close()))
        finally:
            runner.close()


def _mediapipe_factory(config: Any) -> Callable[[], Any]:
    from vision.pose import MediaPipePose

    pose = config.pose
    return lambda: MediaPipePose(min_detection_confidence=pose.min_detection_confidence,
                                 min_tracking_confidence=pose.min_tracking_confidence,
                                 smooth_landmarks=pose.smooth_landmarks)


class NoStraps:
    """The heart-rate source of a camera-only box: no readings until closed."""

    def __init__(self) -> None:
        self._closed = asyncio.Event()

    async def readings(self) -> AsyncIterator[StrapReading]:
        await self._closed.wait()
        return
        yield  # an async generator that yields nothing

    def statuses(self) -> dict[str, StrapStatus]:
        return {}

    def stop_now(self) -> None:
        self._closed.set()

    async def close(self) -> None:
        self._closed.set()
