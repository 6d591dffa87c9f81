"""One camera of the box: its capture thread, its stations' frame pacing, reconnection.

The capture thread reads frames and hands each station's crop to the pose pool when the
station's pacer says a frame is due and its previous frame is done; a live camera never
waits for pose (a station that is still busy skips the frame, counted), while a video
file read as fast as possible waits, so no frame of a recording is lost. A camera that
cannot be opened or stops delivering is reopened with exponential backoff (tenacity);
its state is in :meth:`CameraWatch.status`. Nothing here stops another camera.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import structlog
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    stop_never,
    stop_when_event_set,
    wait_exponential,
)

from edge.camera_capture import CameraClock, ConfiguredSource, paced, redact
from edge.camera_config import CameraConfig, ReconnectConfig
from edge.camera_pool import PosePool, PoseResult
from edge.camera_station import StationRun
from ingest.camera import CameraError
from vision.errors import VisionError

log = structlog.get_logger(__name__)


class CameraState(StrEnum):
    STARTING = "starting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    FINISHED = "finished"  # a video file ended, or the class did
    FAILED = "failed"  # gave up (max_attempts), or a file that cannot be read


class _SourceLost(CameraError):
    """A live source failed before delivering a frame: reopen it, with backoff."""


class _Dropped(CameraError):
    """A live source stopped after delivering frames: reopen it, backoff afresh."""


@dataclass
class CameraWatch:
    camera: CameraConfig
    stations: list[StationRun]
    pool: PosePool
    reconnect: ReconnectConfig
    state: CameraState = CameraState.STARTING
    frames: int = 0
    reconnects: int = 0
    last_error: str | None = None
    width: int = 0
    height: int = 0
    clock: CameraClock | None = None
    on_frame: Callable[[Any], None] | None = None  # the latest image (station page snapshot)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _failures: int = 0

    @property
    def camera_id(self) -> str:
        return self.camera.id

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"camera-{self.camera.id}")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        """Stream until the source ends or the class does. Failures to open, and a live
        source that stops, are retried with exponential backoff; a camera that streamed
        and then dropped starts a fresh backoff (one hiccup an hour is not a dead camera)."""
        try:
            while not self._stop.is_set():
                try:
                    for attempt in self._retrying():
                        with attempt:
                            if not self._stop.is_set():
                                self._stream()
                    break  # the source ended (a video file) or the class did
                except _Dropped:
                    self._before_retry(None)
        except RetryError:
            if self._stop.is_set():  # the class ended while the camera was away
                self.state = CameraState.FINISHED
                return
            self.state = CameraState.FAILED
            log.error("camera_given_up", camera=self.camera.id, error=self.last_error,
                      attempts=self._failures)
            return
        except Exception as exc:  # noqa: BLE001 - one camera must not stop the others
            self.state, self.last_error = CameraState.FAILED, str(exc)
            log.error("camera_failed", camera=self.camera.id, error=str(exc))
            return
        self.state = CameraState.FINISHED

    def _retrying(self) -> Retrying:
        r = self.reconnect
        self._failures = 0
        return Retrying(
            retry=retry_if_exception_type(CameraError) & retry_if_not_exception_type(_Dropped),
            wait=wait_exponential(multiplier=r.initial_s, min=r.initial_s, max=r.max_s),
            stop=stop_when_event_set(self._stop) | (
                stop_after_attempt(r.max_attempts + 1) if r.max_attempts else stop_never),
            sleep=self._pause, before_sleep=self._before_retry, reraise=False)

    def _pause(self, seconds: float) -> None:
        self._stop.wait(seconds)  # a class that ends interrupts the backoff

    def _before_retry(self, retry_state: RetryCallState | None) -> None:
        self.reconnects += 1
        self.state = CameraState.RECONNECTING
        wait = retry_state.next_action.sleep if retry_state and retry_state.next_action else 0
        log.warning("camera_reconnecting", camera=self.camera.id, attempt=self.reconnects,
                    wait_s=round(wait, 2), error=self.last_error)

    def _stream(self) -> None:
        try:
            source = ConfiguredSource(self.camera)
        except CameraError as exc:
            self.last_error = str(exc)
            self._failures += 1
            if not source_is_live(self.camera):
                raise RuntimeError(str(exc)) from exc  # a missing file will not appear
            raise
        lossless = self.camera.is_file and not self.camera.realtime
        self.clock = self.clock or CameraClock(source.live)
        delivered = False
        try:
            self.width, self.height = source.width, source.height
            for frame in paced(source.frames(), self.camera.is_file and self.camera.realtime):
                if self._stop.is_set():
                    return
                self.state, delivered = CameraState.STREAMING, True
                self.frames += 1
                self._dispatch(self.clock.t(frame), frame.image, lossless)
                if self.on_frame is not None:
                    self.on_frame(frame.image)
        finally:
            source.close()
        if source.live and not self._stop.is_set():
            self.last_error = "the camera stopped delivering frames"
            self._failures += 1
            raise (_Dropped if delivered else _SourceLost)(self.last_error)

    def _dispatch(self, t: float, image: Any, lossless: bool) -> None:
        arrived = time.monotonic()
        for station in self.stations:
            if not station.pacer.due(t):
                continue
            if station.busy and not (lossless and self._wait(station)):
                station.busy_skips += 1
                continue
            try:
                crop = np.ascontiguousarray(station.region.crop(image))
            except VisionError as exc:  # a region outside this camera's image
                if station.error is None:
                    log.error("station_region_unusable", station=station.station_id,
                              error=str(exc))
                station.error = str(exc)
                continue
            station.take(t, arrived)
            if not self.pool.submit(station.station_id, t, crop):
                station.done(PoseResult(station.station_id, -1.0, [], False, False, 0.0))

    def _wait(self, station: StationRun) -> bool:
        while not self._stop.is_set():
            if station.wait_idle(0.5):
                return True
        return False

    def status(self) -> dict[str, Any]:
        return {
            "camera_id": self.camera.id, "source": redact(self.camera.source),
            "state": self.state.value, "frames": self.frames, "reconnects": self.reconnects,
            "last_error": self.last_error, "resolution": [self.width, self.height],
            "stations": [s.status() for s in self.stations],
        }


def source_is_live(camera: CameraConfig) -> bool:
    return not camera.is_file
