"""Camera stations on the edge box: frames in, :class:`~contract.records.FormEvent` out.

A station is one member's region of a camera image. The cameras come from a camera file
(``--cameras configs/cameras.toml``, :mod:`edge.camera_config`) or from ``--camera`` with
``--station member_id:x,y,w,h[:exercise]`` flags (one camera, fixed members). Each camera
runs its own capture thread (:mod:`edge.camera_watch`); pose and the rep/form analyzers
run in worker processes shared by all stations (:mod:`edge.camera_pool`); only the
resulting reps and faults cross into the agent's event loop, where they join the same
store-and-forward queue as heart rate, keyed by member. Video and landmarks never leave
the box; station layouts leave it as coordinates only.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from contract.records import FormEvent
from contract.topics import TOPIC_FORM_EVENTS
from edge.camera_capture import redact
from edge.camera_config import (
    Assignment,
    CameraConfig,
    CamerasFile,
    PacingConfig,
    StationConfig,
    assign_members,
)
from edge.camera_pool import PosePool, PoseResult
from edge.camera_station import StationRun, station_runs
from edge.camera_watch import CameraState, CameraWatch
from edge.stations_layout import (
    CameraLayout,
    LayoutStore,
    apply_layout,
    apply_layouts,
    chosen_members,
)
from ingest.source import StrapReading, StrapStatus
from vision.events import form_events

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


def single_camera(source: str, stations: Sequence[StationSpec]) -> CamerasFile:
    """``--camera SOURCE --station ...`` as a one-camera file: every frame of a video
    file (read as fast as pose keeps up, none lost), each station at its fixed member."""
    camera = CameraConfig(id="camera", source=source, realtime=False, station=[
        StationConfig(id=s.station_id, region=_region_tuple(s.region), exercise=s.exercise,
                      member=s.member_id) for s in stations])
    every_frame = PacingConfig(idle_fps=60, working_fps=60, idle_after_s=0)
    return CamerasFile(camera=[camera], pacing=every_frame)


def _region_tuple(region: str | None) -> tuple[float, float, float, float]:
    if region is None:
        return (0.0, 0.0, 1.0, 1.0)
    from vision.stations import parse_region

    r = parse_region(region)
    return (r.x, r.y, r.w, r.h)


@dataclass
class CameraSet:
    """Every camera of the box, their stations and the pose worker processes.

    Cameras run in threads of their own (capture and pacing), pose in processes shared by
    all stations; reps and faults cross into the agent's event loop, where they join
    the same store-and-forward queue as heart rate, keyed by member. A camera that fails
    is retried or given up on its own; the others and the heart rate go on.
    """

    cameras: CamerasFile
    class_session_id: str
    roster: Sequence[str]  # member ids in roster order
    refused: frozenset[str] = frozenset()  # members who switched camera form off
    layouts: dict[str, CameraLayout] = field(default_factory=dict)
    store: LayoutStore | None = None
    form_events: int = 0
    watches: list[CameraWatch] = field(default_factory=list)
    assignment: Assignment | None = None
    # told the camera id once a layout from the station page is in use (edge.box_report
    # sends its coordinates to the API)
    on_confirmed: list[Callable[[str], None]] = field(default_factory=list)
    _pool: PosePool | None = None
    _runs: dict[str, StationRun] = field(default_factory=dict)
    _latest: dict[str, Any] = field(default_factory=dict)
    _publish: Publish | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _confirming: int = 0  # layouts being applied: the cameras' run is not over meanwhile

    def __post_init__(self) -> None:
        self.cameras = apply_layouts(self.cameras, self.layouts)
        self.assignment = assign_members([s for c in self.cameras.camera for s in c.station],
                                         self.roster, chosen_members(self.layouts),
                                         self.refused)
        if self.assignment.off_roster:
            log.warning("station_member_not_on_roster", stations=self.assignment.off_roster,
                        class_session_id=self.class_session_id)
        if self.assignment.opted_out:
            log.info("stations_not_watched_member_opted_out",
                     stations=self.assignment.opted_out)
        if self.assignment.members_without_station:
            log.info("members_without_station", members=self.assignment.members_without_station)

    # -- running ---------------------------------------------------------------------

    async def run(self, publish: Publish) -> None:
        """Until every camera has finished (video files) or :meth:`stop`; the stations'
        last reps are published before it returns."""
        self._publish, self._loop = publish, asyncio.get_running_loop()
        pool = self.cameras.pool
        try:
            self._pool = await asyncio.to_thread(PosePool, pool.resolved_workers(),
                                                 self._deliver, pool.nice)
            for camera in self.cameras.camera:
                self._start_camera(camera)
            while not self._stop.is_set() and (self._confirming or any(
                    w.state not in (CameraState.FINISHED, CameraState.FAILED)
                    for w in self.watches)):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), 0.2)
        finally:
            for watch in self.watches:
                watch.stop()
            await asyncio.to_thread(self._shutdown)
            await asyncio.sleep(0)  # let the last events scheduled from the threads run

    def start(self, publish: Publish, straps: Any) -> asyncio.Task[None]:
        """Run in the background; with no straps (``NoStraps``), the class's reading ends
        when the cameras do."""
        task = asyncio.create_task(self.run(publish), name="cameras")
        if isinstance(straps, NoStraps):
            task.add_done_callback(lambda _t: straps.stop_now())
        return task

    async def finish(self, task: asyncio.Task[None], timeout_s: float = 30.0) -> None:
        """Stop reading frames; the stations' last reps are still published."""
        self._stop.set()
        try:
            await asyncio.wait_for(task, timeout_s)
        except TimeoutError:
            log.warning("cameras_did_not_stop")
        await asyncio.sleep(0)

    def _start_camera(self, camera: CameraConfig) -> None:
        assert self._pool is not None and self.assignment is not None
        runs = station_runs(camera, self.assignment.station_to_member,
                            self.cameras.pacing.rule())
        for run in runs:
            self._runs[run.station_id] = run
            self._pool.open(run.station_id, run.exercise)
        watch = CameraWatch(camera, runs, self._pool, self.cameras.reconnect,
                            on_frame=functools.partial(self._latest.__setitem__, camera.id))
        self.watches = [w for w in self.watches if w.camera_id != camera.id] + [watch]
        watch.start()

    def _shutdown(self) -> None:
        for watch in self.watches:
            if not watch.join(10.0):
                log.warning("camera_thread_still_running", camera=watch.camera_id)
        if self._pool is None:
            return
        for station_id in list(self._runs):
            self._pool.close_station(station_id)
        self._pool.close()

    def _deliver(self, result: PoseResult) -> None:
        """From a pool reader thread: account the frame, hand reps to the event loop."""
        run = self._runs.get(result.station_id)
        if run is None:
            return
        if not result.closed:
            run.done(result)
        if result.items and self._loop is not None:
            origin = next((w.clock.origin for w in self.watches
                           if w.camera_id == run.camera_id and w.clock), None)
            events = form_events(result.items, exercise=run.exercise,
                                 class_session_id=self.class_session_id,
                                 member_id=run.member_id, station_id=run.station_id,
                                 clock_origin=origin or 0.0)
            self._loop.call_soon_threadsafe(self._emit, events)

    def _emit(self, events: list[FormEvent]) -> None:
        assert self._publish is not None
        for event in events:
            self.form_events += 1
            self._publish(TOPIC_FORM_EVENTS, event.member_id, event, event.event_time)

    # -- the station page ------------------------------------------------------------

    def snapshot(self, camera_id: str) -> Any | None:
        """The camera's latest image (kept in memory only, for the station page)."""
        image = self._latest.get(camera_id)
        return None if image is None else image.copy()

    def camera(self, camera_id: str) -> CameraConfig:
        return self.cameras.camera_by_id(camera_id)

    async def confirm(self, layout: CameraLayout) -> None:
        """Use a layout from the station page now, and keep it for later classes: the
        camera's stations are closed (their last reps published) and opened again, and
        so are those of a running camera whose stations now have other members."""
        camera = apply_layout(self.camera(layout.camera_id), layout)
        self.cameras = self.cameras.model_copy(update={"camera": [
            camera if c.id == camera.id else c for c in self.cameras.camera]})
        self.layouts[camera.id] = layout
        if self.store is not None:
            await asyncio.to_thread(self.store.save, layout)
        self.assignment = assign_members([s for c in self.cameras.camera for s in c.station],
                                         self.roster, chosen_members(self.layouts),
                                         self.refused)
        # the confirmed camera restarts, and so does any other whose stations now have
        # other members (the admin moved someone here from there): a member is watched
        # at one station only, and reps go to whoever is at the station now
        members = self.assignment.station_to_member
        moved = [w for w in self.watches if w.camera_id == camera.id or (
            w.state not in (CameraState.FINISHED, CameraState.FAILED) and (
                {s.id for s in self.camera(w.camera_id).station if s.id in members}
                != {run.station_id for run in w.stations} or any(
                    members.get(run.station_id) != run.member_id for run in w.stations)))]
        if moved and self._pool is not None:
            self._confirming += 1
            try:
                for old in moved:
                    await self._restart(old)
            finally:
                self._confirming -= 1
        log.info("station_layout_confirmed", **layout.coordinates())
        for listener in list(self.on_confirmed):
            listener(camera.id)

    async def _restart(self, old: CameraWatch) -> None:
        """Close a camera's stations (their last reps are published) and open it again
        with the current stations and members."""
        assert self._pool is not None
        old.stop()
        await asyncio.to_thread(old.join, 10.0)
        for run in old.stations:
            await asyncio.to_thread(self._pool.close_station, run.station_id)
            self._runs.pop(run.station_id, None)
        self._start_camera(self.camera(old.camera_id))

    def status(self) -> list[dict[str, Any]]:
        out = []
        for camera in self.cameras.camera:
            watch = next((w for w in self.watches if w.camera_id == camera.id), None)
            if watch is not None:
                out.append(watch.status())
            else:
                out.append({"camera_id": camera.id, "source": redact(camera.source),
                            "state": CameraState.STARTING.value, "frames": 0,
                            "reconnects": 0, "last_error": None, "resolution": [0, 0],
                            "stations": []})
        return out

    def stop(self) -> None:
        self._stop.set()


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
