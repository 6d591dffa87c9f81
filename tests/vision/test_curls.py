"""Biceps curls seen from the side: alternating arms with the far arm partly hidden.

Counting convention (shared clips README, labels.json s04): each arm's curl is one rep,
counted when that arm is back down after its top. From an oblique or side view the far
arm is partly behind the torso: MediaPipe reports it at visibility ~0.25-0.45 with
rougher positions, and its estimate partly follows the near arm's curl (an echo). The
synthetic clips model that (``Camera.far_visibility``, ``Noise.hidden_jitter``,
``Noise.echo``).
"""

from __future__ import annotations

import pytest

from vision.analyzer import ExerciseAnalyzer, analyze
from vision.config import VisionConfig, load_config
from vision.landmarks import PoseFrame
from vision.skeleton import Camera
from vision.synth import Noise, Script, make_clip
from vision.view import View

# Far arm: rough (2x jitter) and a third of the near arm's flexion echoed into it.
HIDDEN_ARM = Noise(image_sd=0.004, world_sd=0.015, swap_per_s=0.4, dropout=0.03,
                   hidden_jitter=2.0, echo=0.3)


@pytest.mark.parametrize("yaw", [45, 60, 90, -60], ids=lambda y: f"yaw{y}")
def test_alternating_curls_count_both_arms_when_the_far_arm_is_partly_hidden(yaw: int) -> None:
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=yaw), fps=15, alternate=True,
                     script=Script(reps=6), noise=HIDDEN_ARM, seed=3)
    result = analyze(clip.sequence, "biceps-curl")
    assert len(result.reps) == 6
    assert [r.side for r in result.reps] == ["left", "right"] * 3
    for rep, turn in zip(result.reps, clip.turns_s, strict=True):
        assert rep.turn_s == pytest.approx(turn, abs=0.5)


def test_alternating_curls_in_an_oblique_view_count_live() -> None:
    # 24 fps handheld-phone rate, view detected from the first second, quarter-second batches.
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=50), fps=24, alternate=True,
                     script=Script(reps=8, rep_s=1.6, pause_s=0.2), noise=HIDDEN_ARM, seed=5)
    live = ExerciseAnalyzer("biceps-curl", view=None, batch_s=0.25)
    seq = clip.sequence
    for i, t in enumerate(seq.t.tolist()):
        live.push(t, None if not seq.detected[i] else
                  PoseFrame(seq.image[i], seq.world[i], seq.visibility[i], seq.aspect))
    result = live.finish()
    assert result.view is View.OBLIQUE
    assert len(result.reps) == 8


@pytest.mark.parametrize("yaw", [60, 90])
def test_a_hidden_arm_echoing_a_one_arm_curl_adds_no_reps(yaw: int) -> None:
    # Only the near (right) arm curls; the hidden left arm's estimate follows it halfway.
    noise = Noise(image_sd=0.004, world_sd=0.015, hidden_jitter=2.0, echo=0.5)
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=yaw), fps=15, working="RIGHT",
                     script=Script(reps=5), noise=noise, seed=2)
    result = analyze(clip.sequence, "biceps-curl")
    assert len(result.reps) == 5
    assert {r.side for r in result.reps} == {"right"}


def test_simultaneous_curls_seen_from_the_side_count_once() -> None:
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=70), fps=15,
                     script=Script(reps=5), noise=HIDDEN_ARM, seed=4)
    assert len(analyze(clip.sequence, "biceps-curl").reps) == 5


def test_an_arm_fully_behind_the_torso_is_not_counted() -> None:
    # Visibility ~0.1 (s02's and s03's far limbs): no estimate worth counting on, so
    # alternating curls seen exactly side on count the near arm only.
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=90, far_visibility=0.1), fps=15,
                     alternate=True, script=Script(reps=6), noise=HIDDEN_ARM, seed=3)
    result = analyze(clip.sequence, "biceps-curl")
    assert [r.side for r in result.reps] == ["right"] * 3


def test_reps_of_a_partly_hidden_arm_are_counted_but_not_judged() -> None:
    # Half-range curls: the visible arm's reps flag it; the hidden arm's angles are too
    # rough to judge, so its reps carry no faults and no form metrics.
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=70), fps=15, alternate=True,
                     fault="partial_range", script=Script(reps=6), noise=HIDDEN_ARM, seed=3)
    reps = analyze(clip.sequence, "biceps-curl").reps
    assert len(reps) == 6
    near = [r for r in reps if r.side == "right"]
    far = [r for r in reps if r.side == "left"]
    assert len(near) == len(far) == 3
    assert all(r.faults == ("partial_range",) for r in near)
    assert all(r.faults == () and r.metrics == {} for r in far)


@pytest.mark.parametrize("fps", [12, 15, 24, 30, 60])
def test_alternating_curls_count_alike_at_any_frame_rate(fps: int) -> None:
    # The same clip (same timeline and noise model) rendered at 12-60 fps.
    clip = make_clip("biceps-curl", camera=Camera(yaw_deg=45), fps=fps, alternate=True,
                     script=Script(reps=5, partial_reps=1), noise=HIDDEN_ARM, seed=1)
    assert len(analyze(clip.sequence, "biceps-curl").reps) == 5


# s04's far arm: MediaPipe's estimate snaps to a straight arm for ~0.3 s at the top of a
# curl (6.7-7.0 s in the native-rate landmarks), longer than a rolling median can reject:
# it split one rep into two or hid it, depending on where the frames fell. The glitch
# gate (vision/glitches.py) drops such excursions by their signature: out faster than an
# elbow turns, back to where they left.
SNAPPING_ARM = Noise(image_sd=0.004, world_sd=0.015, swap_per_s=0.4, dropout=0.03,
                     hidden_jitter=2.0, echo=0.3, snap_per_s=0.5, snap_s=0.3)


def _snapping_counts(seed: int, config: VisionConfig | None = None) -> list[int]:
    return [len(analyze(make_clip("biceps-curl", camera=Camera(yaw_deg=45), fps=fps,
                                  alternate=True, script=Script(reps=5, partial_reps=1),
                                  noise=SNAPPING_ARM, seed=seed).sequence, "biceps-curl",
                        config).reps)
            for fps in (12, 15, 24, 30, 60)]


def test_a_hidden_arm_snapping_straight_for_a_third_of_a_second_counts_alike_at_any_rate(
) -> None:
    # 8 seeds x 5 frame rates. A snap can still land where it changes the count (one of
    # the 40 did when this was written), so the spec is a share, checked against the
    # same clips without the gate below.
    counts = [c for seed in range(1, 9) for c in _snapping_counts(seed)]
    assert sum(c == 5 for c in counts) >= 38, counts


def test_without_the_glitch_gate_the_snaps_change_the_count() -> None:
    cfg = load_config()
    off = cfg.model_copy(update={"glitch": cfg.glitch.model_copy(
        update={"max_speed_deg_s": 1e9})})
    counts = [c for seed in range(1, 9) for c in _snapping_counts(seed, off)]
    assert sum(c == 5 for c in counts) < 30, counts
