"""``spotter vision``: analyse a video the way an edge station would, or record its
landmarks. Heavy imports (OpenCV, MediaPipe) happen inside the commands."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.apps import vision_app

_EXERCISE_HELP = ("squat, push-up, lunge, jumping-jack, biceps-curl, overhead-press or plank; "
                  "recognised from the movement when left out")


def _progress(total: int) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("pose"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                    disable=total <= 0)


def _poses(video: str, station: str | None, max_fps: float) -> Any:
    """Open the source, run MediaPipe over it (with a progress bar on stderr)."""
    from ingest.camera import OpenCVSource
    from vision.config import load_config
    from vision.pose import MediaPipePose
    from vision.stations import parse_region
    from vision.video import estimate_poses

    _log_to_stderr(logging.WARNING)  # stdout carries only the JSON document
    cfg = load_config()
    region = parse_region(station) if station else None
    with OpenCVSource(video, max_fps=max_fps or cfg.pose.max_fps) as source:
        total = source.frame_count
        with MediaPipePose.from_config(cfg.pose) as estimator, \
                _progress(total) as bar:
            task = bar.add_task("pose", total=total)
            return estimate_poses(source, estimator, region,
                                  on_frame=lambda _t: bar.advance(task))


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now, so logs follow a redirected stderr
    (test runners swap it per command) instead of a stream closed long ago."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _log_to_stderr(level: int) -> None:
    import structlog

    structlog.configure(
        processors=[structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso"),
                    structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
    )


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=2)


# Exit status when the result stands but frames were lost: a damaged file (or a camera that
# dropped frames) must not pass for a complete analysis in a script or a batch job.
DAMAGED_EXIT = 3


def _check_damage(stats: Any, analysed: int) -> None:
    """Warn on stderr and exit DAMAGED_EXIT when the source lost frames (undecodable, or
    promised by the container and never delivered); the output above still stands for the
    frames that were read."""
    if stats.dropped:
        total = analysed + stats.dropped
        typer.echo(f"warning: {stats.dropped} of {total} frames could not be read (a damaged "
                   "or truncated video?); the result covers only the frames that could. "
                   "Re-encode the clip, e.g. ffmpeg -i in.mp4 -c:v libx264 out.mp4",
                   err=True)
        raise typer.Exit(code=DAMAGED_EXIT)


@vision_app.command("analyze")
def analyze(
    video: Annotated[str, typer.Argument(help="Video file, camera index (0) or rtsp:// URL.")],
    exercise: Annotated[str | None, typer.Option("--exercise", "-e", help=_EXERCISE_HELP)] = None,
    station: Annotated[str | None, typer.Option(
        "--station", help="Only this region x,y,w,h (pixels or fractions of the image).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    max_fps: Annotated[float, typer.Option(
        "--max-fps", help="Analyse at most this many frames per second (0 = all).")] = 0.0,
    details: Annotated[bool, typer.Option(
        "--details", help="Add turnaround, tempo, side and rule metrics per rep.")] = False,
) -> None:
    """Count reps, range of motion and form faults in a video, as one edge station would.
    Exits 3, with a warning, when frames of the video could not be read."""
    from ingest.camera import CameraError
    from vision.analyzer import analyze as run_analysis
    from vision.config import EXERCISES, load_config
    from vision.errors import VisionError
    from vision.recognize import recognize

    if exercise is not None and exercise not in EXERCISES:
        raise _fail(VisionError(f"unknown exercise {exercise!r}; choose one of "
                                f"{', '.join(EXERCISES)}"))
    try:
        clip = _poses(video, station, max_fps)
        started = time.perf_counter()
        recognition = None
        cfg = load_config()
        if exercise is None:
            recognition = recognize(clip.sequence, cfg)
            exercise = recognition.exercise
        if exercise is None:
            result_doc: dict[str, Any] = {
                "exercise": None, "reps": 0, "reps_detail": [], "frames": len(clip.sequence),
                "pose_detected_frames": int(clip.sequence.detected.sum())}
            elapsed = clip.pose_seconds + time.perf_counter() - started
        else:
            result = run_analysis(clip.sequence, exercise, cfg)
            elapsed = clip.pose_seconds + time.perf_counter() - started
            result_doc = result.to_dict(details=details)
        result_doc["fps_processed"] = round(len(clip.sequence) / elapsed, 1) if elapsed else None
        result_doc["frames_dropped"] = clip.stats.dropped
        if recognition is not None:
            result_doc["recognized"] = {"exercise": recognition.exercise,
                                        "reason": recognition.reason}
    except (VisionError, CameraError) as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(result_doc))
    else:
        _print_summary(result_doc)
    _check_damage(clip.stats, len(clip.sequence))


def _print_summary(doc: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{doc['exercise'] or 'no exercise recognised'}[/]: {doc['reps']} reps, "
                  f"{doc['pose_detected_frames']}/{doc['frames']} frames with a pose, "
                  f"{doc['fps_processed']} fps")
    if doc["reps_detail"]:
        table = Table("rep", "start s", "end s", "ROM deg", "faults")
        for i, rep in enumerate(doc["reps_detail"], 1):
            table.add_row(str(i), f"{rep['start_s']:.2f}", f"{rep['end_s']:.2f}",
                          str(rep["rom_deg"]), ", ".join(rep["faults"]) or "-")
        console.print(table)


@vision_app.command("landmarks")
def landmarks(
    video: Annotated[str, typer.Argument(help="Video file, camera index or rtsp:// URL.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the .npz.")],
    station: Annotated[str | None, typer.Option("--station", help="Region x,y,w,h.")] = None,
    max_fps: Annotated[float, typer.Option("--max-fps")] = 0.0,
) -> None:
    """Record MediaPipe landmarks (float16 .npz, no pixels) for offline analysis or tests.
    Exits 3, with a warning, when frames of the video could not be read."""
    from ingest.camera import CameraError
    from vision.errors import VisionError

    try:
        clip = _poses(video, station, max_fps)
    except (VisionError, CameraError) as exc:
        raise _fail(exc) from exc
    clip.sequence.save(out)
    typer.echo(json.dumps({"out": str(out), "frames": len(clip.sequence),
                           "pose_detected_frames": int(clip.sequence.detected.sum()),
                           "frames_dropped": clip.stats.dropped}))
    _check_damage(clip.stats, len(clip.sequence))
