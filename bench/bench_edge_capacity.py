"""How many camera stations one edge box follows while its straps stream.

    .venv/bin/python bench/bench_edge_capacity.py [--seconds 40] [--warmup 10] [--straps 60]
                                                  [--scenarios working,class] [--no-write]

The whole embedded stack runs (Tansu, Redis, a Faust worker, the API), and one edge agent
(``edge.runner.run_edge``, the code ``spotter edge run --cameras`` runs) reads 60
simulated straps and two cameras with four stations each. The cameras are recordings
standing in for devices, delivered at 30 fps in real time: four of the shared exercise
clips side by side per camera (looped), so each station holds a real person exercising.

Scenarios: ``working``: all eight members exercise all the time (the worst case);
``class``: five exercise and three rest at their stations (a still frame of a person),
as between sets. Variants, measured in the same run on the same stack:

* baseline: one pose process runs every station in turn (``[pool] workers = 1``);
* ours: one pose process per CPU core (``workers = 0``).

A reference run without cameras gives the live path on the same machine at the same
time. Each variant gets a fresh stack. Both use the camera file's adaptive frame rate (idle 5
fps, working 12 fps) and its pose priority (nice 10). Reported per station: pose frames
per second achieved, the share of time in working mode, frames skipped because the
station's previous frame was still in pose, and latency from the frame's arrival to its
analysis (p50/p99). The live path: a Server-Sent Events client on the class's live
board measures, for each tile that shows a member's newer heart-rate sample, now minus
that sample's event time (p50/p99 after the warm-up). A tile the worker sends again
without a new sample (a rep or fault, a strap status change) still carries the newest
sample's time, so its age is how long ago that sample came (up to a second at 1 Hz), not
a delay: those tiles are counted and their age reported apart. Earlier runs of this
bench (before 2026-12-07) counted them in the live path, whose p99 then read 700-900 ms
with cameras. Also reported: the agent process's event-loop lag (a 10 ms sleep's
overshoot), where the straps' readings and the publisher run. Writes
``bench/results/edge_capacity.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import edge.runner as runner  # noqa: E402
from api.stack import Stack  # noqa: E402
from bench.bench_worker import cpu_model, free_port  # noqa: E402
from configs.settings import Settings  # noqa: E402
from edge.camera_config import (  # noqa: E402
    CameraConfig,
    CamerasFile,
    PacingConfig,
    StationConfig,
)
from edge.config import EdgeSettings  # noqa: E402

RESULTS = REPO / "bench" / "results" / "edge_capacity.md"
CLIPS = REPO.parent / "shared" / "data" / "exercise-clips"
PANEL = (320, 540)  # one member's part of a camera image (w, h)
FPS = 30.0
# (clip, exercise, start s, mirrored) per station, four per camera
CAMERAS = {
    "cam-a": [("s04_alternating_curl_gym.mp4", "biceps-curl", 4.0, True),
              ("s03_split_squat_side_dumbbells.mp4", "lunge", 0.0, False),
              ("s05_jumping_jacks_front.mp4", "jumping-jack", 0.0, False),
              ("s01_squat_front_band.mp4", "squat", 0.0, False)],
    "cam-b": [("s04_alternating_curl_gym.mp4", "biceps-curl", 0.0, False),
              ("s05_jumping_jacks_front.mp4", "jumping-jack", 3.0, True),
              ("s03_split_squat_side_dumbbells.mp4", "lunge", 9.0, True),
              ("s01_squat_front_band.mp4", "squat", 5.0, True)],
}
RESTING = {"class": {"cam-a": {1}, "cam-b": {2, 3}}, "working": {}}  # still frames


class Clip:
    """A clip looped and read by time, cropped and sized to one panel."""

    def __init__(self, name: str, start_s: float, mirrored: bool) -> None:
        self.capture = cv2.VideoCapture(str(CLIPS / name))
        self.fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.frames = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.start, self.mirrored, self.pos = int(start_s * self.fps), mirrored, -1
        self.image: Any = None

    def at(self, t: float) -> Any:
        want = (self.start + int(t * self.fps)) % self.frames
        if want < self.pos:
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self.pos = -1
        while self.pos < want:
            ok, image = self.capture.read()
            self.pos += 1
            if ok:
                self.image = image
        height, width = self.image.shape[:2]
        image = self.image
        if width > height:
            keep = int(height * PANEL[0] / PANEL[1])
            image = image[:, (width - keep) // 2:(width + keep) // 2]
        image = cv2.resize(image, PANEL)
        return image[:, ::-1] if self.mirrored else image


def make_video(path: Path, camera: str, resting: set[int], seconds: float) -> None:
    clips = [Clip(name, start, mirrored) for name, _, start, mirrored in CAMERAS[camera]]
    still = {k: clips[k].at(1.0) for k in resting}  # a member standing at the station
    partial = path.with_name(path.stem + ".partial.mp4")  # an interrupted run leaves no video
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), FPS,
                             (PANEL[0] * 4, PANEL[1]))
    for i in range(int(seconds * FPS)):
        writer.write(np.hstack([still[k] if k in still else clip.at(i / FPS)
                                for k, clip in enumerate(clips)]))
    writer.release()
    partial.replace(path)


def camera_file(videos: dict[str, Path], workers: int, nice: int) -> CamerasFile:
    return CamerasFile(pool={"workers": workers, "nice": nice}, camera=[
        CameraConfig(id=camera, source=str(videos[camera]), station=[
            StationConfig(id=f"{camera}-{k + 1}", region=(k / 4, 0, 0.25, 1), exercise=ex)
            for k, (_, ex, _, _) in enumerate(CAMERAS[camera])])
        for camera in CAMERAS])


async def clip_counts() -> list[dict[str, Any]]:
    """Each shared clip through the box's own pipeline (a camera per clip, the default
    pacing, pose processes), every frame of the file offered: reps against the labels."""
    import json

    from edge.cameras import CameraSet

    labels = json.loads((CLIPS / "labels.json").read_text())["clips"]
    names = {"bicep curl": "biceps-curl", "jumping jack": "jumping-jack"}
    cameras = CamerasFile(camera=[CameraConfig(
        id=f"clip{k}", source=str(CLIPS / c["file"]), realtime=False,
        exercise=names.get(c["exercise"], c["exercise"]),
        station=[StationConfig(id=f"clip{k}-1", region=(0, 0, 1, 1))])
        for k, c in enumerate(labels)])
    box = CameraSet(cameras, "counts", [c["file"] for c in labels])
    counts: dict[str, int] = {}

    def publish(_topic: str, key: str, _record: Any, _at: float) -> None:
        counts[key] = counts.get(key, 0) + 1

    await box.start(publish, None)
    frames = {s["station_id"]: s["frames"] for c in box.status() for s in c["stations"]}
    return [{"clip": c["file"], "label": c["reps"], "acceptable": c["reps_acceptable"],
             "reps": counts.get(c["file"], 0), "frames": frames.get(f"clip{k}-1", 0),
             "of": c["frames"]} for k, c in enumerate(labels)]


@dataclass
class Tiles:
    """What the live board's stream showed: the age of each newer sample on arrival
    (``live``), the worker's share of it (``worker``), and the age of tiles re-sent
    without a newer sample (``resent``)."""

    live: list[float] = field(default_factory=list)
    worker: list[float] = field(default_factory=list)
    resent: list[float] = field(default_factory=list)
    measuring: bool = False


async def read_tiles(url: str, token: str, tiles: Tiles, stop: asyncio.Event) -> None:
    newest: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=60), headers={
            "Authorization": f"Bearer {token}"}) as client, client.stream("GET", url) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "tile":
                now = time.time()
                tile = json.loads(line[5:])
                seen, member = tile.get("last_seen"), tile.get("member_id")
                if not seen or stop.is_set():
                    continue
                fresh = seen > newest.get(member, 0.0)
                newest[member] = max(seen, newest.get(member, 0.0))
                if not tiles.measuring:
                    continue
                if fresh:
                    tiles.live.append(now - seen)
                    tiles.worker.append(tile.get("at", now) - seen)
                else:
                    tiles.resent.append(now - seen)


async def loop_lag(lags: list[float], period_s: float = 0.01) -> None:
    """How late a short sleep wakes up in this (the agent's) event loop."""
    while True:
        asked = time.monotonic()
        await asyncio.sleep(period_s)
        lags.append(time.monotonic() - asked - period_s)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] if ordered else float("nan")


async def run_variant(stack: Stack, settings: Settings, demo: Any, token: str,
                      videos: dict[str, Path], workers: int | None, args: argparse.Namespace
                      ) -> dict[str, Any]:
    """One agent with 60 straps and, unless ``workers`` is None, the two cameras."""
    captured: list[Any] = []
    build = runner.camera_set

    def keep(*a: Any, **k: Any) -> Any:  # the bench reads the agent's own CameraSet
        cameras = build(*a, **k)
        captured.append(cameras)
        return cameras

    runner.camera_set = keep  # type: ignore[assignment]
    edge_settings = settings.model_copy(update={
        "edge_token": demo.device_token, "kafka_url": stack.env["SPOTTER_KAFKA_URL"],
        "data_dir": Path(tempfile.mkdtemp(prefix="edge-capacity-"))})
    spec = runner.SourceSpec(simulate=args.straps, cameras=None if workers is None
                             else camera_file(videos, workers, args.nice))
    tiles, lags = Tiles(), list[float]()
    stop = asyncio.Event()
    reader = asyncio.create_task(read_tiles(
        f"http://{settings.api_host}:{settings.api_port}/api/classes/"
        f"{demo.class_session_id}/live", token, tiles, stop))
    lagger = asyncio.create_task(loop_lag(lags))
    agent = asyncio.create_task(runner.run_edge(
        edge_settings, demo.class_session_id, f"http://{settings.api_host}:{settings.api_port}",
        spec=spec, edge_settings=EdgeSettings(health_port=0)))
    try:
        deadline = time.monotonic() + 120
        while workers is not None and (not captured or len(captured[0].watches) < len(
                CAMERAS) or not all(w.frames for w in captured[0].watches)):
            await asyncio.sleep(0.2)
            if agent.done():
                agent.result()
            if time.monotonic() > deadline:
                raise RuntimeError(f"cameras did not start: {captured[0].status()}"
                                   if captured else "the agent built no cameras")
        await asyncio.sleep(args.warmup)
        runs = [r for w in captured[0].watches for r in w.stations] if captured and captured[0] \
            else []
        frames0 = {r.station_id: (r.frames, r.busy_skips, len(r.history_ms)) for r in runs}
        tiles.measuring, lags0, me = True, len(lags), psutil.Process()
        cpu0 = _cpu(me)
        poses0 = sum(r.frames for r in runs)
        working = dict.fromkeys(frames0, 0)
        samples, started = 0, time.monotonic()
        while time.monotonic() - started < args.seconds:
            await asyncio.sleep(0.5)
            samples += 1
            for r in runs:
                working[r.station_id] += r.pacer.mode.value == "working"
        elapsed = time.monotonic() - started
        cpu1 = _cpu(me)
        cpu = {k: (cpu1[k] - cpu0[k]) / elapsed for k in cpu0}
        poses = sum(r.frames for r in runs) - poses0
        stations = []
        for r in runs:
            f0, s0, h0 = frames0[r.station_id]
            lat = list(r.history_ms)[h0:]
            stations.append({"station": r.station_id, "exercise": r.exercise,
                             "fps": (r.frames - f0) / elapsed, "skips": r.busy_skips - s0,
                             "working": working[r.station_id] / samples,
                             "p50": pct(lat, 0.5), "p99": pct(lat, 0.99)})
        tiles.measuring = False
        lag = lags[lags0:]
    finally:
        lagger.cancel()
        stop.set()
        agent.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await agent
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        runner.camera_set = build  # type: ignore[assignment]
    return {"workers": workers, "stations": stations,
            "live_p50": 1000 * pct(tiles.live, 0.5), "live_p99": 1000 * pct(tiles.live, 0.99),
            "worker_p99": 1000 * pct(tiles.worker, 0.99), "tiles": len(tiles.live),
            "resent": len(tiles.resent), "resent_p99": 1000 * pct(tiles.resent, 0.99),
            "lag_p99": 1000 * pct(lag, 0.99), "lag_max": 1000 * max(lag, default=0.0),
            "cpu": cpu,
            "pose_per_cpu_s": poses / (cpu["pose"] * elapsed) if cpu["pose"] else float("nan"),
            "load": os.getloadavg()}


def _cpu(process: psutil.Process) -> dict[str, float]:
    """CPU seconds so far of the agent (this process), its pose workers and the stack."""
    out = {"agent": sum(process.cpu_times()[:2]), "pose": 0.0, "stack": 0.0}
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            pose = "--multiprocessing-fork" in child.cmdline()  # a spawned pose worker
            out["pose" if pose else "stack"] += sum(child.cpu_times()[:2])
    return out


def projection(result: dict[str, Any], cores: int) -> str:
    """What a quiet box of ``cores`` would give: the pose rate per CPU-second measured here,
    on the cores the live path (agent + stack) leaves, against what the pacer asks for."""
    live = result["cpu"]["agent"] + result["cpu"]["stack"]
    workers = result["workers"] or cores
    pose_cores = min(float(workers), cores - live)  # one process uses one core at most
    capacity = pose_cores * result["pose_per_cpu_s"]
    pacing = PacingConfig()
    shares = [s["working"] for s in result["stations"]]
    idle = sum((1 - w) * pacing.idle_fps for w in shares)
    asked = idle + sum(w * pacing.working_fps for w in shares)
    working_fps = pacing.working_fps if capacity >= asked else (
        (capacity - idle) / sum(shares) if sum(shares) else float("nan"))
    return (f"{result['pose_per_cpu_s']:.1f} pose frames per CPU-second of pose; the live "
            f"path (agent + stack) used {live:.2f} cores, so on a quiet {cores}-core box "
            f"{workers} pose process(es) get {pose_cores:.2f} cores: ~{capacity:.0f} pose "
            f"frames/s for the {asked:.0f}/s the stations ask for, a working station "
            f"~{working_fps:.1f} fps")


def table(result: dict[str, Any]) -> list[str]:
    rows = ["| station | exercise | working share | pose fps | busy skips | latency p50 | p99 |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for s in result["stations"]:
        rows.append(f"| {s['station']} | {s['exercise']} | {s['working']:.0%} | {s['fps']:.1f} "
                    f"| {s['skips']} | {s['p50']:.0f} ms | {s['p99']:.0f} ms |")
    return rows


def live_path(result: dict[str, Any]) -> str:
    """The live path's figures, and what else the board's stream and the agent showed."""
    return (f"live path p50 {result['live_p50']:.0f} ms, p99 {result['live_p99']:.0f} ms over "
            f"{result['tiles']} newer samples (sample to the worker's tile: p99 "
            f"{result['worker_p99']:.0f} ms); {result['resent']} tiles re-sent without a "
            f"newer sample (their sample's age p99 {result['resent_p99']:.0f} ms, not a "
            f"delay); agent event-loop lag p99 {result['lag_p99']:.0f} ms, max "
            f"{result['lag_max']:.0f} ms")


def summary(result: dict[str, Any]) -> str:
    if not result["stations"]:
        return (f"no cameras; {live_path(result)}; CPU cores used: agent "
                f"{result['cpu']['agent']:.2f}, stack {result['cpu']['stack']:.2f}")
    fps = [s["fps"] for s in result["stations"]]
    busy = [s["fps"] for s in result["stations"] if s["working"] >= 0.5]
    return (f"{len(fps)} stations, {sum(fps):.1f} pose frames/s in all; working stations "
            f"{min(busy, default=float('nan')):.1f}-{max(busy, default=float('nan')):.1f} fps "
            f"(mean {statistics.fmean(busy) if busy else float('nan'):.1f}); station latency "
            f"p99 <= {max(s['p99'] for s in result['stations']):.0f} ms; {live_path(result)}; "
            f"CPU cores used: agent {result['cpu']['agent']:.2f}, pose "
            f"{result['cpu']['pose']:.2f}, stack {result['cpu']['stack']:.2f}")


async def with_stack(args: argparse.Namespace, videos: dict[str, Path], workers: int | None
                     ) -> dict[str, Any]:
    """One variant on a fresh stack (a worker that already ended a class has a summary to
    write and state to drop, which would burden whichever variant ran second)."""
    from api.accounts.bootstrap import create_token, create_user
    from api.demo import seed_demo

    workdir = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    settings = Settings(data_dir=workdir / "stack", kafka_port=free_port(),
                        api_port=free_port(), worker_id="bench-capacity")
    stack = Stack(settings)
    await asyncio.to_thread(stack.start)
    try:
        url = stack.env["SPOTTER_DATABASE_URL"]
        demo = seed_demo(url, members=args.straps)
        admin = create_user(url, "capacity@test.spotter", "bench-pass-123", "admin")
        token = create_token(url, "bench", kind="user", user_id=admin)
        return await run_variant(stack, settings, demo, token, videos, workers, args)
    finally:
        stack.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--straps", type=int, default=60)
    parser.add_argument("--scenarios", default="working,class")
    parser.add_argument("--nice", type=int, default=10, help="pose processes' priority "
                        "(configs/cameras.toml [pool] nice; 0 = equal to everything else)")
    parser.add_argument("--videos", type=Path, default=Path(tempfile.gettempdir()) /
                        "spotter-capacity-videos", help="where the camera videos are made "
                        "(kept: a re-run reuses them)")
    parser.add_argument("--pose-models", default="full",
                        help="pose models for 'ours' (configs/vision.toml [pose] model), "
                             "compared in the same run: full, lite or full,lite")
    parser.add_argument("--workers", type=int, default=0,
                        help="pose processes for 'ours' ([pool] workers; 0 = one per core)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--skip-counts", action="store_true",
                        help="leave out the rep counts on the shared clips (while iterating)")
    args = parser.parse_args()
    results: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    counts: list[dict[str, Any]] = []
    models = [m for m in args.pose_models.split(",") if m]
    if not args.skip_counts:
        for model in models:
            print(f"rep counts on the shared clips through the box's pipeline ({model} pose "
                  "model) ...", flush=True)
            with pose_model(model):
                found = await clip_counts()
            counts += [{**c, "model": model} for c in found]
            print("  " + ", ".join(f"{c['clip'][:3]} {c['reps']}/{c['label']}" for c in found))
    print("reference: straps only, no cameras ...", flush=True)
    reference = await with_stack(args, {}, None)
    print("  " + summary(reference), flush=True)
    results["reference"] = [("straps only, no cameras", reference)]
    for scenario in args.scenarios.split(","):
        videos = {}
        length = args.warmup + args.seconds + 20
        args.videos.mkdir(parents=True, exist_ok=True)
        for camera in CAMERAS:
            videos[camera] = args.videos / f"{scenario}-{camera}-{length:g}s.mp4"
            if not videos[camera].exists():
                await asyncio.to_thread(make_video, videos[camera], camera,
                                        RESTING[scenario].get(camera, set()), length)
        ours = (f"{args.workers} pose processes" if args.workers
                else "a pose process per core")
        variants = [("baseline: one pose process, every station in turn", 1, models[0])] + [
            (f"ours: {ours}, {model} pose model", args.workers, model) for model in models]
        for label, workers, model in variants:
            print(f"{scenario} / {label} ...", flush=True)
            with pose_model(model):
                result = await with_stack(args, videos, workers)
            print("  " + summary(result), flush=True)
            results.setdefault(scenario, []).append((label, result))
    report = render(args, results, counts)
    print("\n".join(report))
    if not args.no_write:
        RESULTS.write_text("\n".join(report) + "\n")


@contextlib.contextmanager
def pose_model(model: str) -> Any:
    """The pose processes (spawned: they read the environment) use ``model``."""
    before = os.environ.get(POSE_MODEL_ENV)
    os.environ[POSE_MODEL_ENV] = model
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(POSE_MODEL_ENV, None)
        else:
            os.environ[POSE_MODEL_ENV] = before


POSE_MODEL_ENV = "SPOTTER_VISION__POSE__MODEL"


def render(args: argparse.Namespace, results: dict[str, list[tuple[str, dict[str, Any]]]],
           counts: list[dict[str, Any]]) -> list[str]:
    out = ["# Edge box capacity: camera stations while straps stream", "",
           f"Command: `.venv/bin/python bench/bench_edge_capacity.py --seconds {args.seconds:g} "
           f"--warmup {args.warmup:g} --straps {args.straps} --nice {args.nice} "
           f"--pose-models {args.pose_models}"
           + (f" --workers {args.workers}" if args.workers else "") + "`", "",
           f"Two cameras x four stations (shared clips side by side, 30 fps, real time), "
           f"{args.straps} simulated straps at 1 Hz through the embedded stack, "
           f"{args.seconds:g} s measured after {args.warmup:g} s of warm-up. Pacing: idle 5 "
           f"fps, working 12 fps; pose processes at nice {args.nice} (configs/cameras.toml).", ""]
    for scenario, variants in results.items():
        what = {"working": "all eight members exercising",
                "class": "five exercising, three resting at their stations",
                "reference": "the live path without cameras (same straps, same stack)"}
        out += [f"## Scenario `{scenario}`: {what.get(scenario, scenario)}", ""]
        for label, result in variants:
            load = ", ".join(f"{v:.1f}" for v in result["load"])
            out += [f"### {label}", "", summary(result) + f"; load average {load} at the end.",
                    ""]
            if result["stations"]:
                out += ["Projection: " + projection(result, os.cpu_count() or 2) + ".", "",
                        *table(result), ""]
    within = sum(abs(c["reps"] - c["label"]) <= 1 for c in counts)
    out += [] if not counts else ["## Rep counts through the box's pipeline", "",
            "Each shared clip as a camera of its own (every frame offered, the default pacing "
            "picks what pose sees; pose processes as above):", "",
            "| clip | pose model | pose frames / clip frames | reps | label (acceptable) |",
            "|---|---|---:|---:|---|"]
    out += [f"| {c['clip']} | {c['model']} | {c['frames']} / {c['of']} | {c['reps']} | "
            f"{c['label']} ({', '.join(map(str, c['acceptable']))}) |" for c in counts]
    if counts:
        out += ["", f"Within one rep of the label: {within} of {len(counts)} clip runs.", ""]
    out += ["Machine: " + cpu_model() + f", {os.cpu_count()} cores, Python "
            f"{sys.version.split()[0]}. The VM is shared with other engineers' test runs (see "
            "each load average), so absolute rates are noisy; the two variants of a scenario "
            "ran back to back, each on a fresh stack."]
    return out


if __name__ == "__main__":
    asyncio.run(main())
