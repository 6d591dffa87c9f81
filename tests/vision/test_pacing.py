"""Adaptive station frame rate: a trickle of frames while idle, full rate during a set,
and rep counts that survive the switching (recorded landmarks of the shared clips)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vision.analyzer import ExerciseAnalyzer
from vision.landmarks import PoseFrame, PoseSequence
from vision.pacing import Mode, PacingRule, StationPacer

FIXTURES = Path(__file__).parent / "fixtures"
CLIPS = json.loads((FIXTURES / "clips.json").read_text())


def taken_times(pacer: StationPacer, camera_fps: float, seconds: float) -> list[float]:
    out = []
    for k in range(int(camera_fps * seconds)):
        t = k / camera_fps
        if pacer.due(t):
            pacer.taken(t)
            out.append(t)
    return out


@pytest.mark.parametrize(("camera_fps", "mode", "expected"), [
    (30, Mode.WORKING, 12), (30, Mode.IDLE, 5), (24, Mode.WORKING, 12), (15, Mode.IDLE, 5),
    (15, Mode.WORKING, 12), (25, Mode.WORKING, 12),
    (10, Mode.WORKING, 10),  # a camera slower than the target gives what it has
])
def test_frames_taken_per_second_follow_the_mode(camera_fps: float, mode: Mode,
                                                 expected: float) -> None:
    pacer = StationPacer(PacingRule(idle_fps=5, working_fps=12), start=mode)
    times = taken_times(pacer, camera_fps, 10)
    assert len(times) / 10 == pytest.approx(expected, abs=0.3)


def test_a_busy_station_does_not_catch_up_in_a_burst() -> None:
    pacer = StationPacer(PacingRule(working_fps=10), start=Mode.WORKING)
    pacer.taken(0.0)
    # a 30 fps camera; frames 0.1 .. 1.0 were all missed (the pose worker was busy)
    after = 0
    for k in range(30, 60):
        t = k / 30
        if pacer.due(t):
            pacer.taken(t)
            after += 1
    assert after == 10  # the next second gets its 10 frames, not the missed ones too


def test_movement_switches_to_working_at_once_and_back_to_idle_later() -> None:
    pacer = StationPacer(PacingRule(idle_fps=5, working_fps=12, idle_after_s=8))
    pacer.taken(0.0)
    assert not pacer.due(0.1)  # idle: next frame 0.2 s on
    assert pacer.observe(0.1, moving=True, events=0) is Mode.WORKING
    assert pacer.due(0.1)  # the next frame, not one an idle gap away
    assert pacer.observe(5.0, moving=False, events=1) is Mode.WORKING  # a rep completed
    assert pacer.observe(13.0, moving=False, events=0) is Mode.WORKING
    assert pacer.observe(13.1, moving=False, events=0) is Mode.IDLE
    assert pacer.fps == 5


@pytest.mark.parametrize(("idle", "working", "message"), [
    (0, 12, "0 < idle_fps"), (12, 5, "idle_fps <= working_fps"),
])
def test_bad_rules_are_refused(idle: float, working: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PacingRule(idle_fps=idle, working_fps=working)


def paced_count(seq: PoseSequence, exercise: str, rule: PacingRule) -> tuple[int, int]:
    """Feed recorded landmarks through a pacer and an analyzer: (reps, frames taken)."""
    analyzer, pacer = ExerciseAnalyzer(exercise), StationPacer(rule)
    reps = taken = 0
    for i, t in enumerate(seq.t.tolist()):
        if not pacer.due(t):
            continue
        pacer.taken(t)
        taken += 1
        frame = (PoseFrame(seq.image[i], seq.world[i], seq.visibility[i], seq.aspect)
                 if seq.detected[i] else None)
        items = analyzer.push(t, frame)
        reps += len(items)
        pacer.observe(t, analyzer.moving, len(items))
    return reps + len(analyzer.close()), taken


@pytest.mark.parametrize("clip", CLIPS, ids=lambda c: c["fixture"][:3])
def test_counts_stay_within_one_rep_when_paced(clip: dict) -> None:
    """Idle at 5 fps until the analyzer sees a set start, then 12 fps (the defaults)."""
    seq = PoseSequence.load(FIXTURES / clip["fixture"])
    reps, taken = paced_count(seq, clip["exercise"], PacingRule(5, 12, 8))
    assert abs(reps - clip["reps"]) <= 1, f"{reps} reps, label {clip['reps']}"
    assert taken <= len(seq.t)


def test_an_empty_station_stays_idle() -> None:
    analyzer, pacer = ExerciseAnalyzer("squat"), StationPacer(PacingRule(5, 12, 8))
    frames = 0
    for t in np.arange(0, 20, 1 / 30):
        if pacer.due(float(t)):
            pacer.taken(float(t))
            frames += 1
            analyzer.push(float(t), None)
            pacer.observe(float(t), analyzer.moving, 0)
    assert pacer.mode is Mode.IDLE and frames == pytest.approx(100, abs=2)
