"""Camera frames for the edge box: a device index, an RTSP/HTTP stream or a video file.

One :class:`FrameSource` protocol, so the vision pipeline and its tests read a real
file exactly the way the edge agent reads a camera. Frames that fail to decode are
counted and skipped, never raised: a class must not stop because one frame of an RTSP
stream was garbled. Each frame keeps two clocks: ``t``, seconds on the source's own
clock (the container's timestamps for files, a monotonic clock for live sources),
which rep timing uses, and ``wall_time``, Unix seconds at read, for event records.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import structlog
from numpy.typing import NDArray

log = structlog.get_logger(__name__)

_LIVE_PREFIXES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")


class CameraError(RuntimeError):
    """A frame source cannot be opened or has stopped for good; the message says why."""


@dataclass(frozen=True, slots=True)
class CameraFrame:
    index: int  # position in the source, dropped frames included
    t: float  # seconds on the source clock (media time for files)
    wall_time: float  # Unix seconds when the frame was read
    image: NDArray[np.uint8]  # BGR, as OpenCV delivers it


@dataclass(slots=True)
class FrameStats:
    delivered: int = 0
    dropped: int = 0  # failed reads, corrupt images, frames missing from the timeline
    skipped: int = 0  # left out on purpose to respect max_fps
    reconnects: int = 0


@runtime_checkable
class FrameSource(Protocol):
    stats: FrameStats

    def frames(self) -> Iterator[CameraFrame]:
        """Frames in order until the source ends or is closed."""
        ...

    def close(self) -> None: ...


def parse_source(source: str | int | Path) -> int | str:
    """``"0"`` -> device 0, a URL stays a URL, anything else must be an existing file."""
    if isinstance(source, Path):
        source = str(source)
    if isinstance(source, int) or source.isdigit():
        return int(source)
    if source.lower().startswith(_LIVE_PREFIXES):
        return source
    path = Path(source)
    if not path.is_file():
        raise CameraError(f"video file not found: {source} (give a path, a device index like "
                          f"0, or an rtsp:// URL)")
    return str(path)


def valid_image(image: Any) -> bool:
    return (isinstance(image, np.ndarray) and image.ndim == 3 and image.shape[2] == 3
            and image.size > 0 and image.dtype == np.uint8)


class OpenCVSource:
    """Frames through ``cv2.VideoCapture``.

    ``max_fps``: deliver at most this many frames per second of source time (0 = all);
    pose estimation costs ~20 ms a frame, so a 30 fps camera is often read at 15.
    ``max_failures``: consecutive failed reads before a live source is reopened (and,
    after ``max_reconnects`` reopenings, given up) or a file is taken to have ended.
    """

    def __init__(self, source: str | int | Path, *, max_fps: float = 0.0, max_failures: int = 25,
                 max_reconnects: int = 3, clock: Callable[[], float] = time.monotonic) -> None:
        import cv2

        self._cv2 = cv2
        self.source = parse_source(source)
        self.live = not isinstance(self.source, str) or self.source.lower().startswith(
            _LIVE_PREFIXES)
        self.max_fps, self.max_failures, self.max_reconnects = max_fps, max_failures, max_reconnects
        self._clock = clock
        self.stats = FrameStats()
        self._cap = self._open()
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.frame_count = 0 if self.live else int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)

    def _open(self) -> Any:
        cap = self._cv2.VideoCapture(self.source)
        if not cap.isOpened():
            cap.release()
            hint = ("check the camera is connected and not used by another process"
                    if self.live else "the file is not a readable video (truncated or an "
                    "unsupported codec?); re-encode it, e.g. ffmpeg -i in -c:v libx264 out.mp4")
            raise CameraError(f"cannot open video source {self.source!r}: {hint}")
        return cap

    def frames(self) -> Iterator[CameraFrame]:
        """Grab every frame (keeps the timeline), but convert to BGR only those delivered:
        with ``max_fps`` the skipped ones cost a decode and no colour conversion."""
        cv2 = self._cv2
        nominal = 1.0 / self.fps if self.fps > 0 else 0.0
        start = self._clock()
        index, failures, last_t, last_sent = -1, 0, -math.inf, -math.inf
        while self._cap is not None:
            if not self._cap.grab():
                failures += 1
                if not self._after_failure(failures):
                    break
                continue
            failures = 0
            index += 1
            if self.live:
                t = self._clock() - start
            else:
                t = float(self._cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
                if nominal and last_t > -math.inf and t - last_t > 1.5 * nominal:
                    missing = int(round((t - last_t) / nominal)) - 1
                    self.stats.dropped += missing  # the decoder skipped a damaged stretch
                    index += missing
                if t <= last_t:  # broken container timestamps: keep time moving forward
                    t = last_t + (nominal or 1e-3)
            last_t = t
            if self.max_fps > 0 and t - last_sent < 1.0 / self.max_fps - 1e-6:
                self.stats.skipped += 1
                continue
            ok, image = self._cap.retrieve()
            if not ok or not valid_image(image):
                self.stats.dropped += 1  # grabbed but undecodable: a corrupt frame
                continue
            last_sent = t
            self.stats.delivered += 1
            yield CameraFrame(index, t, time.time(), image)
        if not self.live and self.frame_count:  # frames the container promised but never gave
            seen = self.stats.delivered + self.stats.skipped + self.stats.dropped
            self.stats.dropped += max(0, self.frame_count - seen)
        log.info("camera_closed", source=str(self.source), **_stats_dict(self.stats))

    def _after_failure(self, failures: int) -> bool:
        """True to keep reading. Files: failures past the end mean the end."""
        if failures < self.max_failures:
            if self.live:
                self.stats.dropped += 1
                time.sleep(0.01)
            else:
                pos = int(self._cap.get(self._cv2.CAP_PROP_POS_FRAMES))
                if self.frame_count and pos >= self.frame_count:
                    return False  # plain end of file
            return True
        if not self.live:
            return False
        if self.stats.reconnects >= self.max_reconnects:
            log.error("camera_lost", source=str(self.source), reconnects=self.stats.reconnects)
            return False
        self.stats.reconnects += 1
        log.warning("camera_reconnect", source=str(self.source), attempt=self.stats.reconnects)
        self._cap.release()
        try:
            self._cap = self._open()
        except CameraError:
            time.sleep(1.0)
        return True

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> OpenCVSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stats_dict(stats: FrameStats) -> dict[str, int]:
    return {"delivered": stats.delivered, "dropped": stats.dropped, "skipped": stats.skipped,
            "reconnects": stats.reconnects}
