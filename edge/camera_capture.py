"""Opening one configured camera: the resolution and frame rate asked of a device, a
recorded clip played at its own pace (standing in for a device), and one clock that
keeps running across reconnections."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from edge.camera_config import CameraConfig
from ingest.camera import CameraFrame, OpenCVSource


class ConfiguredSource(OpenCVSource):
    """:class:`OpenCVSource` that asks a device for the camera file's width, height and
    frame rate when it opens it (and again on every reopening). A device that cannot
    give them delivers its nearest mode; the status shows what it gave."""

    def __init__(self, camera: CameraConfig) -> None:
        self._wanted = camera
        # Reconnection is the camera watch's (tenacity, with backoff and a status), so
        # the source gives up at once instead of retrying on its own.
        super().__init__(camera.source, max_reconnects=0)

    def _open(self) -> Any:
        cap = super()._open()
        if self.live:
            import cv2

            wanted = self._wanted
            for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, wanted.width),
                                (cv2.CAP_PROP_FRAME_HEIGHT, wanted.height),
                                (cv2.CAP_PROP_FPS, wanted.fps)):
                if value:
                    cap.set(prop, float(value))
        return cap


def paced(frames: Iterator[CameraFrame], realtime: bool) -> Iterator[CameraFrame]:
    """A video file's frames no faster than its own clock (``realtime``), each stamped
    with the wall time it was released: what a camera showing that scene would deliver."""
    if not realtime:
        yield from frames
        return
    start: float | None = None
    for frame in frames:
        if start is None:
            start = time.monotonic() - frame.t
        wait = start + frame.t - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield CameraFrame(frame.index, frame.t, time.time(), frame.image)


class CameraClock:
    """Source time for a camera's stations that never runs backwards.

    A file keeps its media time (rep timing follows the recording). A live source's own
    clock restarts at each reopening, so live frames are timed by this process's
    monotonic clock since the first frame instead. ``origin`` is the Unix time of the
    clock's zero, for event times."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.origin: float | None = None
        self._mono0: float | None = None

    def t(self, frame: CameraFrame) -> float:
        if self.origin is None:
            self.origin = frame.wall_time - (0.0 if self.live else frame.t)
            self._mono0 = time.monotonic()
        if self.live:
            assert self._mono0 is not None
            return time.monotonic() - self._mono0
        return frame.t


_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def redact(source: str) -> str:
    """A camera URL without its user and password (status pages show sources)."""
    return _CREDENTIALS.sub("***@", source)
