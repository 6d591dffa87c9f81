"""Pose worker processes: the box's cores shared by every station of every camera.

Pose runs in processes, not threads: the agent's event loop (heart rate), its capture
threads and pose then never wait on one interpreter lock, pose can be given a lower CPU
priority than the live path (``nice``), and a crash in MediaPipe's native code takes one
worker down, not the agent. (MediaPipe does release the GIL for much of a frame: in a
noisy A/B on this VM two threads gave 1.4x one thread, two processes 1.05-1.9x.)

Each station lives on one worker for the class: its pose tracker and rep analyzer keep
state from frame to frame. Only a station's crop goes in, and only what the analyzer
found (reps, holds, whether a set is in progress) comes back, over a pipe per worker.

A worker that dies is started again and its stations reopened (their analyzers start
afresh); the other workers go on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import structlog
from numpy.typing import NDArray

log = structlog.get_logger(__name__)
READY = "ready"
MAX_RESTARTS = 3  # a worker crashing again and again has a cause a restart will not fix
STARTUP_S = 60.0  # importing MediaPipe and loading its model: ~2 s on an idle 2-core box


@dataclass(frozen=True, slots=True)
class PoseResult:
    """What one station's frame gave: new reps/holds, and the pacer's inputs."""

    station_id: str
    t: float
    items: list[Any]  # vision RepResult | Hold
    moving: bool
    found: bool  # a person was found in the crop
    pose_ms: float  # time inside the worker (pose + analysis)
    closed: bool = False  # the station's final result (its analyzer closed)


Deliver = Callable[[PoseResult], None]


def _worker_main(conn: Connection, nice: int = 0) -> None:
    """One worker process: stations' estimators and analyzers, driven by messages."""
    from vision.analyzer import ExerciseAnalyzer
    from vision.config import load_config
    from vision.pose import MediaPipePose

    config = load_config()
    pose_cfg = config.pose
    stations: dict[str, tuple[Any, ExerciseAnalyzer]] = {}
    MediaPipePose.from_config(pose_cfg).close()  # load it now, not on a class's first frames
    if nice:  # after loading: a busy box must not starve the start-up too
        os.nice(nice)  # heart rate and the broker first; pose gets what is left
    conn.send(READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        kind = message[0]
        if kind == "frame":
            _, station_id, t, crop = message
            started = time.perf_counter()
            estimator, analyzer = stations[station_id]
            pose = estimator.estimate(crop)
            items = analyzer.push(t, pose)
            conn.send(PoseResult(station_id, t, items, analyzer.moving, pose is not None,
                                 1000 * (time.perf_counter() - started)))
        elif kind == "open":
            _, station_id, exercise = message
            estimator = MediaPipePose.from_config(pose_cfg)
            stations[station_id] = (estimator, ExerciseAnalyzer(exercise, config))
        elif kind == "close":
            station_id = message[1]
            estimator, analyzer = stations.pop(station_id)
            items = analyzer.close()
            estimator.close()
            conn.send(PoseResult(station_id, 0.0, items, False, False, 0.0, closed=True))
        elif kind == "stop":
            break
    for estimator, _ in stations.values():
        estimator.close()
    conn.close()


@dataclass
class _Worker:
    index: int
    process: Any
    conn: Connection
    stations: dict[str, str] = field(default_factory=dict)  # station id -> exercise
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    reader: threading.Thread | None = None
    restarts: int = 0
    ready: threading.Event = field(default_factory=threading.Event)


class PosePool:
    """``workers`` pose processes; :meth:`submit` a station's crop, results arrive on
    ``deliver`` (called from a reader thread per worker)."""

    def __init__(self, workers: int, deliver: Deliver, nice: int = 0) -> None:
        if workers < 1:
            raise ValueError("a pose pool needs at least one worker")
        # spawn: the agent process runs threads and an event loop, which fork would copy
        # half-way through whatever they were doing.
        self._ctx = mp.get_context("spawn")
        self._deliver = deliver
        self._nice = nice
        self._closing = False
        self._lock = threading.Lock()
        self._closed_events: dict[str, threading.Event] = {}
        self.failed: set[str] = set()  # stations whose worker kept dying
        self.workers = [self._start(i) for i in range(workers)]
        for worker in self.workers:
            if not worker.ready.wait(STARTUP_S):
                log.warning("pose_worker_slow_to_start", worker=worker.index)

    def _start(self, index: int, restarts: int = 0) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, self._nice), daemon=True,
                                    name=f"spotter-pose-{index}")
        process.start()
        child.close()
        worker = _Worker(index, process, parent, restarts=restarts)
        worker.reader = threading.Thread(target=self._read, args=(worker,), daemon=True,
                                         name=f"pose-results-{index}")
        worker.reader.start()
        return worker

    def open(self, station_id: str, exercise: str) -> None:
        """Place a station on the worker with the fewest stations."""
        with self._lock:
            worker = min(self.workers, key=lambda w: (len(w.stations), w.index))
            worker.stations[station_id] = exercise
            self._closed_events[station_id] = threading.Event()
        self._send(worker, ("open", station_id, exercise))

    def submit(self, station_id: str, t: float, crop: NDArray[np.uint8]) -> bool:
        """Send one crop; False if the station's worker is gone (restarting)."""
        worker = self._worker_of(station_id)
        return worker is not None and self._send(worker, ("frame", station_id, t, crop))

    def close_station(self, station_id: str, timeout_s: float = 10.0) -> None:
        """Close a station's analyzer; its final reps arrive on ``deliver`` first."""
        worker = self._worker_of(station_id)
        done = self._closed_events.get(station_id)
        if worker is None or done is None or not self._send(worker, ("close", station_id)):
            return
        if not done.wait(timeout_s):
            log.warning("pose_station_close_timeout", station=station_id)

    def close(self, timeout_s: float = 5.0) -> None:
        self._closing = True
        for worker in self.workers:
            self._send(worker, ("stop",))
        for worker in self.workers:
            worker.process.join(timeout_s)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout_s)
            worker.conn.close()

    def worker_of(self, station_id: str) -> int | None:
        worker = self._worker_of(station_id)
        return None if worker is None else worker.index

    def _worker_of(self, station_id: str) -> _Worker | None:
        with self._lock:
            for worker in self.workers:
                if station_id in worker.stations:
                    return worker
        return None

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> bool:
        try:
            with worker.send_lock:
                worker.conn.send(message)
            return True
        except (OSError, ValueError, BrokenPipeError):
            return False

    def _read(self, worker: _Worker) -> None:
        while True:
            try:
                result: PoseResult | str = worker.conn.recv()
            except (EOFError, OSError):
                break
            if isinstance(result, str):
                worker.ready.set()
                continue
            if result.closed:
                with self._lock:
                    worker.stations.pop(result.station_id, None)
                    done = self._closed_events.pop(result.station_id, None)
                self._deliver(result)
                if done is not None:
                    done.set()
                continue
            self._deliver(result)
        if not self._closing:
            self._restart(worker)

    def _restart(self, dead: _Worker) -> None:
        """A worker died (a crash in native code): start another with its stations, a
        few times; a worker that keeps dying leaves its stations unwatched."""
        dead.process.join(1.0)
        log.error("pose_worker_died", worker=dead.index, exitcode=dead.process.exitcode,
                  stations=sorted(dead.stations), restarts=dead.restarts)
        if dead.restarts >= MAX_RESTARTS:
            self.failed.update(dead.stations)
            for station_id in dead.stations:
                self._deliver(PoseResult(station_id, -1.0, [], False, False, 0.0))
            return
        fresh = self._start(dead.index, dead.restarts + 1)
        with self._lock:
            fresh.stations = dict(dead.stations)
            self.workers[dead.index] = fresh
        for station_id, exercise in fresh.stations.items():
            self._send(fresh, ("open", station_id, exercise))
            # the frame in flight died with the worker: tell the station it may send again
            self._deliver(PoseResult(station_id, -1.0, [], False, False, 0.0))
