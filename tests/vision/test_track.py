"""A pose is a member only once it is tracked: flickering false detections (a title
card, a poster) are dropped, a member who is found frame after frame loses nothing."""

from __future__ import annotations

import numpy as np

from vision.analyzer import analyze
from vision.config import load_config
from vision.landmarks import PoseFrame, PoseSequence
from vision.skeleton import Camera
from vision.synth import Script, make_clip
from vision.track import TrackGate


def _pose(seed: int = 0) -> PoseFrame:
    rng = np.random.default_rng(seed)
    return PoseFrame(rng.random((33, 3)), rng.random((33, 3)), np.ones(33), 1.0)


def _run(gate: TrackGate, frames: list[PoseFrame | None], fps: float = 10.0) -> list:
    out = [item for i, f in enumerate(frames) for item in gate(i / fps, f)]
    return out + gate.close()


def test_every_frame_comes_out_once_and_in_order() -> None:
    frames = [None, _pose(), None, _pose(), _pose(), None] + [_pose()] * 12 + [None] * 3
    out = _run(TrackGate(0.5, 1.0), frames)
    assert [t for t, _ in out] == [i / 10 for i in range(len(frames))]


def test_a_steady_track_passes_whole_including_its_first_frames() -> None:
    frames: list[PoseFrame | None] = [_pose(i) for i in range(20)]
    out = _run(TrackGate(0.5, 1.0), frames)
    assert all(f is frames[i] for i, (_, f) in enumerate(out))


def test_a_run_shorter_than_the_confirmation_is_dropped() -> None:
    gate = TrackGate(0.5, 1.0)
    frames = [_pose(), _pose(), _pose(), None, _pose(), None, None]
    out = _run(gate, frames)
    assert all(f is None for _, f in out)
    assert gate.dropped == 4


def test_a_confirmed_track_survives_short_gaps_but_not_a_long_absence() -> None:
    gate = TrackGate(0.5, 1.0)
    frames: list[PoseFrame | None] = ([_pose()] * 8 + [None] * 5 + [_pose()] * 2
                                      + [None] * 15 + [_pose()] * 2)
    out = _run(gate, frames)
    seen = [f is not None for _, f in out]
    assert seen[:8] == [True] * 8 and seen[13:15] == [True, True]  # back within 1 s
    assert seen[-2:] == [False, False]  # after 1.5 s away, two frames are not enough


def _flicker_then(clip: PoseSequence, lead_s: float = 3.0) -> PoseSequence:
    """``lead_s`` of short detection runs (3 frames on, 3 off) before the member appears,
    alternately the clip's start and turnaround pose, as a detector firing on a poster
    might find a person-like shape in two postures."""
    fps = clip.fps
    lead = int(lead_s * fps)
    bottom = int(np.nanargmax(clip.image[: int(3 * fps), 0, 1]))  # head lowest: the turnaround
    frames: list[PoseFrame | None] = []
    for i in range(lead):
        k = 0 if (i // 6) % 2 == 0 else bottom
        frames.append(PoseFrame(clip.image[k], clip.world[k], clip.visibility[k], clip.aspect)
                      if i % 6 < 3 else None)
    for i in range(len(clip)):
        frames.append(PoseFrame(clip.image[i], clip.world[i], clip.visibility[i], clip.aspect)
                      if clip.detected[i] else None)
    times = np.concatenate([np.arange(lead) / fps, clip.t + lead / fps])
    return PoseSequence.from_frames(times, frames, clip.aspect)


def test_flickering_detections_before_the_set_add_no_rep() -> None:
    clip = make_clip("push-up", camera=Camera(yaw_deg=90, height=0.5), fps=15,
                     script=Script(reps=4), seed=3)
    seq = _flicker_then(clip.sequence)
    assert len(analyze(seq, "push-up").reps) == clip.reps
    # The same detections pass when the gate is off: they are a rep's worth of evidence.
    ungated = load_config().model_copy(update={"track": load_config().track.model_copy(
        update={"confirm_s": 0.0})})
    assert len(analyze(seq, "push-up", ungated).reps) > clip.reps
