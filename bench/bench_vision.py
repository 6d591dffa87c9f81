"""Camera analysis: frames/s end to end, analyzer cost per frame, and rep-count accuracy.

Run: ``.venv/bin/python bench/bench_vision.py`` (about 3-4 minutes on the 2-core VM;
``--quick`` skips the 15 fps pass). Needs ../shared/data/exercise-clips. Prints a table
and writes it to ``bench/results/vision.md``.

Measured in the same run:

* **end to end, one camera stream**: OpenCV decode -> MediaPipe Pose (model_complexity=1)
  -> swap repair, smoothing, measures, counting, form rules, on every clip, at the clips'
  own frame rate and capped at 15 fps (the edge default for 30 fps cameras).
  Frames/s per wall second and per CPU second of this process (the VM is shared).
* **analyzer cost per frame**: the live ``ExerciseAnalyzer`` alone (no pose), on the
  recorded landmarks, with its default quarter-second batches and with one frame per
  batch (lowest latency), and the textbook baseline counter on the same frames.
* **count accuracy** against the human labels (labels.json): mean absolute error,
  off-by-one accuracy, share within the labels' acceptable counts; exercise recognition.
  Baseline in the same run: the textbook two-threshold angle counter of MediaPipe
  tutorials (2D joint angle, down below one fixed angle, up above another).
* **synthetic clips** (vision.synth): 6 exercises x 3 views x 3 seeds with jitter,
  left/right swaps, dropped frames and partial reps: exact-count accuracy, ours vs baseline.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.camera import OpenCVSource  # noqa: E402
from vision import geometry as g  # noqa: E402
from vision.analyzer import ExerciseAnalyzer, analyze  # noqa: E402
from vision.landmarks import PoseFrame, PoseSequence  # noqa: E402
from vision.pose import MediaPipePose  # noqa: E402
from vision.pose_models import PoseModel  # noqa: E402
from vision.recognize import recognize  # noqa: E402
from vision.skeleton import Camera  # noqa: E402
from vision.synth import Noise, Script, make_clip  # noqa: E402

CLIPS = Path(__file__).resolve().parents[2] / "shared" / "data" / "exercise-clips"
NAMES = {"squat": "squat", "push-up": "push-up", "lunge": "lunge",
         "bicep curl": "biceps-curl", "jumping jack": "jumping-jack"}
# Textbook thresholds as in common MediaPipe rep-counter tutorials: (joint, down, up) where
# the rep counts when the angle goes past ``down`` and back past ``up``.
TEXTBOOK = {"squat": ("knee", 90, 160), "lunge": ("knee", 90, 160),
            "push-up": ("elbow", 90, 160), "biceps-curl": ("elbow", 30, 160),
            "jumping-jack": ("shoulder", 150, 40), "overhead-press": ("elbow", 160, 90)}


def textbook_count(seq: PoseSequence, exercise: str) -> int:
    """Two fixed thresholds on the mean 2D angle of the visible sides."""
    joint, down, up = TEXTBOOK[exercise]
    xy = g.planar(seq.image, seq.aspect)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with no visible side
        angle = np.nanmean([g.joint_angle(xy, seq.visibility, joint, s)
                            for s in ("left", "right")], axis=0)
    rising = down > up  # e.g. a jumping jack: the turnaround is the high angle
    count, stage = 0, "up"
    for a in angle.tolist():
        if np.isnan(a):
            continue
        if (a > down if rising else a < down):
            stage = "down"
        elif (a < up if rising else a > up) and stage == "down":
            stage, count = "up", count + 1
    return count


@dataclass
class ClipRun:
    name: str
    exercise: str
    label: int
    acceptable: list[int]
    frames: int
    detected: int
    wall_s: float
    cpu_s: float
    ours: int
    textbook: int
    recognised: str | None
    seq: PoseSequence
    duration_s: float  # video time covered: "x real time" = duration_s / wall_s


def run_clip(label: dict, max_fps: float, model: PoseModel = "full") -> ClipRun:
    exercise = NAMES[label["exercise"]]
    t0, c0 = time.perf_counter(), time.process_time()
    times, poses = [], []
    with OpenCVSource(CLIPS / label["file"], max_fps=max_fps) as src, \
            MediaPipePose(model=model) as pose:
        analyzer = ExerciseAnalyzer(exercise)
        for frame in src.frames():
            p = pose.estimate(frame.image)
            analyzer.push(frame.t, p)  # the live path: pose and analysis per frame
            times.append(frame.t)
            poses.append(p)
        result = analyzer.finish()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    seq = PoseSequence.from_frames(times, poses)
    return ClipRun(label["file"], exercise, label["reps"], label["reps_acceptable"], len(seq),
                   int(seq.detected.sum()), wall, cpu, len(result.reps),
                   textbook_count(seq, exercise), recognize(seq).exercise, seq,
                   label["duration_s"])


def accuracy(runs: list[ClipRun], key: str) -> tuple[float, float, float]:
    counts = [getattr(r, key) for r in runs]
    err = [abs(c - r.label) for c, r in zip(counts, runs, strict=True)]
    within = [c in r.acceptable for c, r in zip(counts, runs, strict=True)]
    return float(np.mean(err)), float(np.mean([e <= 1 for e in err])), float(np.mean(within))


def analyzer_cost(seq: PoseSequence, exercise: str, batch_s: float, repeat: int = 3) -> float:
    """CPU ms per frame of the live analyzer alone (best of ``repeat``)."""
    frames = [None if not seq.detected[i] else PoseFrame(seq.image[i], seq.world[i],
                                                         seq.visibility[i], seq.aspect)
              for i in range(len(seq))]
    best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        a = ExerciseAnalyzer(exercise, batch_s=batch_s)
        for t, f in zip(seq.t.tolist(), frames, strict=True):
            a.push(t, f)
        a.finish()
        best = min(best, time.process_time() - c0)
    return 1000 * best / len(seq)


def textbook_cost(seq: PoseSequence, exercise: str) -> float:
    c0 = time.process_time()
    for _ in range(3):
        textbook_count(seq, exercise)
    return 1000 * (time.process_time() - c0) / 3 / len(seq)


def synthetic() -> tuple[int, int, int]:
    ours = base = total = 0
    for exercise in TEXTBOOK:
        for yaw in (0, 45, 90):
            for seed in range(3):
                cam = Camera(yaw_deg=yaw, height=0.5 if exercise == "push-up" else 1.0)
                clip = make_clip(exercise, camera=cam, fps=15, seed=seed,
                                 script=Script(reps=5, partial_reps=1),
                                 noise=Noise(image_sd=0.004, world_sd=0.015, swap_per_s=0.4,
                                             dropout=0.03))
                ours += len(analyze(clip.sequence, exercise).reps) == clip.reps
                base += textbook_count(clip.sequence, exercise) == clip.reps
                total += 1
    return ours, base, total


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                     if line.startswith("Model name"))
    except (OSError, StopIteration, subprocess.CalledProcessError):
        model = platform.processor() or "unknown CPU"
    load = ", ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    return f"{model}, Python {platform.python_version()}, load average {load} at the end"


def table(runs: list[ClipRun]) -> list[str]:
    lines = ["| clip | exercise | frames (pose found) | fps wall | fps per CPU s | x real time "
             "| ours | textbook | label (acceptable) | recognised |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in runs:
        lines.append(f"| {r.name} | {r.exercise} | {r.frames} ({r.detected}) | "
                     f"{r.frames / r.wall_s:.1f} | {r.frames / r.cpu_s:.1f} | "
                     f"{r.duration_s / r.wall_s:.2f} | {r.ours} | "
                     f"{r.textbook} | {r.label} ({', '.join(map(str, r.acceptable))}) | "
                     f"{r.recognised} |")
    frames = sum(r.frames for r in runs)
    wall = sum(r.wall_s for r in runs)
    lines.append(f"| **all** | | {frames} | {frames / wall:.1f} | "
                 f"{frames / sum(r.cpu_s for r in runs):.1f} | "
                 f"{sum(r.duration_s for r in runs) / wall:.2f} | | | | |")
    return lines


def summary(runs: list[ClipRun]) -> list[str]:
    o, b = accuracy(runs, "ours"), accuracy(runs, "textbook")
    rec = np.mean([r.recognised == r.exercise for r in runs])
    return [f"- ours: MAE {o[0]:.2f} reps, off-by-one accuracy {o[1]:.2f}, within acceptable "
            f"{o[2]:.2f}; textbook baseline: MAE {b[0]:.2f}, off-by-one {b[1]:.2f}, within "
            f"acceptable {b[2]:.2f}; exercise recognised on {rec:.2f} of clips"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 15 fps pass")
    parser.add_argument("--models", default="full",
                        help="pose models to compare in the same run: full, lite or full,lite "
                             "(the first one's runs feed the analyzer and target sections)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent / "results" / "vision.md")
    args = parser.parse_args()
    labels = json.loads((CLIPS / "labels.json").read_text())["clips"]
    passes = [("native frame rate", 0.0)] + ([] if args.quick else [("capped at 15 fps", 15.0)])
    md = ["# Vision benchmark (pose + exercise analysis, one camera stream)", "",
          "Command: `.venv/bin/python bench/bench_vision.py`", ""]
    native: list[ClipRun] = []
    fps_per_pass: dict[str, float] = {}
    models: list[PoseModel] = [m for m in ("full", "lite") if m in args.models.split(",")]
    for title, cap in passes:
        for model in models:
            runs = [run_clip(label, cap, model) for label in labels]
            native = native or runs
            name = title if model == models[0] else f"{title}, {model} model"
            fps_per_pass[name] = sum(r.frames for r in runs) / sum(r.wall_s for r in runs)
            md += [f"## Real clips, {title}, {model} pose model", "", *table(runs), "",
                   *summary(runs), ""]
            print("\n".join(md[-(len(runs) + 6):]), flush=True)
    md += ["## Analyzer cost per frame (recorded landmarks, no pose; CPU ms/frame, best of 3)",
           "", "| clip | ours, 0.25 s batches | ours, 1 frame batches | textbook counter* |",
           "|---|---:|---:|---:|"]
    costs = []
    for r in native:
        costs.append(analyzer_cost(r.seq, r.exercise, 0.25))
        md.append(f"| {r.name} | {costs[-1]:.3f} | "
                  f"{analyzer_cost(r.seq, r.exercise, 1e-9):.3f} | "
                  f"{textbook_cost(r.seq, r.exercise):.3f} |")
    md += ["", "*the textbook counter runs vectorised over a finished clip, with no clean-up, "
           "views or form rules: a cost floor, not a like-for-like live analyzer.", ""]
    ours, base, total = synthetic()
    md += ["## Synthetic clips (6 exercises x 3 views x 3 seeds, noise, swaps, partial reps)",
           "", f"- exact count: ours {ours}/{total} ({ours / total:.2f}), textbook baseline "
           f"{base}/{total} ({base / total:.2f})", ""]
    o = accuracy(native, "ours")
    best_fps = max(fps_per_pass.values())
    md += ["## Targets (issue 5)", "",
           f"- >= 15 fps end to end per camera: {'met' if best_fps >= 15 else 'NOT met'} "
           f"({', '.join(f'{k}: {v:.1f} fps wall' for k, v in fps_per_pass.items())})",
           f"- analyzers < 1 ms/frame: {'met' if max(costs) < 1 else 'NOT met'} "
           f"(worst clip {max(costs):.2f} ms)",
           f"- off-by-one accuracy >= 0.9: {'met' if o[1] >= 0.9 else 'NOT met'} ({o[1]:.2f} "
           f"on {len(native)} dev clips at native frame rate)", "",
           "Notes: *x real time* is video seconds analysed per wall second (>= 1 keeps up with "
           "a live camera). In the 15 fps pass the skipped frames are still grabbed and "
           "decoded, so frames/s there counts delivered frames only. The textbook baseline "
           "thresholds (degrees, down / up): "
           + "; ".join(f"{k} {j} {d}/{u}" for k, (j, d, u) in TEXTBOOK.items()) + ".", "",
           f"Machine: {machine()}. The VM may be shared with other jobs (see the load "
           "average), so absolute frame rates are noisy; counts and ratios come from the "
           "same run.", ""]
    print("\n".join(md[-14:]))
    args.out.write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
