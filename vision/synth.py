"""Synthetic exercise clips with known rep counts: landmarks, not pixels.

Used by the tests (every analyzer on every exercise and view, with jitter, partial reps,
left/right swaps and dropped frames) and by the benchmark; also usable as simulated
members for a demo class without cameras. Motions are simple textbook kinematics over
``vision.skeleton``'s body, not motion capture: they test the counting and rule logic,
while the real clips test what MediaPipe really delivers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vision.filters import LIMB_GROUPS, swap_pairs
from vision.landmarks import PoseFrame, PoseSequence
from vision.skeleton import Body, Camera, Joints, complete, two_link, unit

V = np.array
UP, FWD = V([0.0, 1.0, 0.0]), V([0.0, 0.0, 1.0])


@dataclass(frozen=True, slots=True)
class Script:
    """The timeline of a clip: ``reps`` full reps of ``depth`` (1 = textbook range),
    ``partial_reps`` extra reps at ``partial_depth`` of it that must not count."""

    reps: int = 5
    rep_s: float = 2.0
    pause_s: float = 0.4
    lead_s: float = 1.5
    tail_s: float = 1.5
    depth: float = 1.0
    partial_reps: int = 0
    partial_depth: float = 0.35
    tempo_jitter: float = 0.15


@dataclass(frozen=True, slots=True)
class Noise:
    image_sd: float = 0.003  # image heights (~2 px at 720p)
    world_sd: float = 0.01  # metres
    swap_per_s: float = 0.0  # brief left/right limb swaps per second
    dropout: float = 0.0  # fraction of frames with no pose
    # Hidden landmarks (visibility < 0.5) are guesses: their jitter is this many times
    # image_sd / world_sd.
    hidden_jitter: float = 1.0
    # Share of the working arm's elbow flexion that the estimate of the hidden (far-side)
    # arm copies: MediaPipe fills a hidden limb in from the rest of the body (s04's far
    # arm "curls" with the near one). Biceps curls only.
    echo: float = 0.0
    # Hidden-arm snaps: MediaPipe's estimate of a partly hidden arm jumps to a straight
    # arm for a while (s04's far arm: 0.1-0.35 s, a few times in 10 s), whatever the
    # frame rate. Rate per second and duration in seconds; biceps curls only.
    snap_per_s: float = 0.0
    snap_s: float = 0.2


@dataclass(frozen=True, slots=True)
class SynthClip:
    exercise: str
    sequence: PoseSequence
    reps: int  # ground truth: full reps
    turns_s: tuple[float, ...]


Pose = tuple[Joints, np.ndarray, np.ndarray, np.ndarray]  # joints, face, trunk_up, foot_fwd
Motion = Callable[[float, int, Body, "str | None"], Pose]


def _arms_hanging(j: Joints, body: Body, flex: dict[str, float] | None = None,
                  swing: float = 0.0) -> None:
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        shoulder = j[f"{side}_SHOULDER"]
        beta = math.radians((flex or {}).get(side, 8.0))
        phi = math.radians(swing if flex and side in flex else 3.0)
        upper = V([s * 0.05, -math.cos(phi), math.sin(phi)])
        j[f"{side}_ELBOW"] = shoulder + unit(upper) * body.upper_arm
        fore = V([0.0, -math.cos(phi + beta), math.sin(phi + beta)])
        j[f"{side}_WRIST"] = j[f"{side}_ELBOW"] + fore * body.forearm


def _torso(j: Joints, body: Body, hip_c: np.ndarray, trunk_up: np.ndarray) -> None:
    half_hip = V([body.hip_w / 2, 0.0, 0.0])
    j["LEFT_HIP"], j["RIGHT_HIP"] = hip_c + half_hip, hip_c - half_hip
    sh_c = hip_c + trunk_up * body.torso
    half_sh = V([body.shoulder_w / 2, 0.0, 0.0])
    j["LEFT_SHOULDER"], j["RIGHT_SHOULDER"] = sh_c + half_sh, sh_c - half_sh


def _legs(j: Joints, body: Body, ankles: dict[str, np.ndarray],
          hints: dict[str, np.ndarray]) -> None:
    for side in ("LEFT", "RIGHT"):
        j[f"{side}_ANKLE"] = ankles[side]
        j[f"{side}_KNEE"] = two_link(ankles[side], j[f"{side}_HIP"], body.shank, body.thigh,
                                     hints[side])


def _lean(deg: float) -> tuple[np.ndarray, np.ndarray]:
    a = math.radians(deg)
    return V([0.0, math.cos(a), math.sin(a)]), V([0.0, -math.sin(a), math.cos(a)])


def squat(p: float, k: int, b: Body, fault: str | None) -> Pose:
    j: Joints = {}
    # Standing to a parallel squat (hip at knee height; Winter's standing heights).
    top, bottom = b.hip_y - 0.003 * b.height, b.knee_y + 0.01 * b.height
    hip_c = V([0.0, top - p * (top - bottom), -p * 0.45 * b.thigh])
    trunk_up, face = _lean(p * (62.0 if fault == "forward_lean" else 32.0))
    _torso(j, b, hip_c, trunk_up)
    inward = 0.8 if fault == "knees_caving" else -0.15
    fx = b.hip_w * 0.7
    _legs(j, b, {"LEFT": V([fx, b.ankle_y, 0.0]), "RIGHT": V([-fx, b.ankle_y, 0.0])},
          {"LEFT": unit(V([-inward * p, 0.0, 1.0])), "RIGHT": unit(V([inward * p, 0.0, 1.0]))})
    _arms_hanging(j, b)
    for side in ("LEFT", "RIGHT"):  # arms reach forward for balance at the bottom
        phi = math.radians(80.0 * p)
        d = V([0.0, -math.cos(phi), math.sin(phi)])
        j[f"{side}_ELBOW"] = j[f"{side}_SHOULDER"] + d * b.upper_arm
        j[f"{side}_WRIST"] = j[f"{side}_ELBOW"] + d * b.forearm
    return j, face, trunk_up, FWD


def lunge(p: float, k: int, b: Body, fault: str | None) -> Pose:
    j: Joints = {}
    half = 0.25 * b.height  # split stance, right foot forward
    # Knee travel past the toes: a short stance makes the front shin tilt forward.
    front_z = half * (0.05 if fault == "knee_past_toes" else 1.0)
    front = V([-b.hip_w * 0.4, b.ankle_y, front_z])
    back = V([b.hip_w * 0.4, b.ankle_y + 0.05 * b.height, -half])  # heel up
    reach = 0.995 * (b.thigh + b.shank)
    top = b.ankle_y + math.sqrt(reach**2 - half**2)
    bottom = b.knee_y + 0.02 * b.height
    hip_c = V([0.0, top - p * (top - bottom), 0.0])
    trunk_up, face = _lean(p * (48.0 if fault == "forward_lean" else 8.0))
    _torso(j, b, hip_c, trunk_up)
    _legs(j, b, {"LEFT": back, "RIGHT": front}, {"LEFT": FWD, "RIGHT": FWD})
    _arms_hanging(j, b)
    return j, face, trunk_up, FWD


def _plank_pose(p: float, b: Body, sag: float) -> Pose:
    j: Joints = {}
    ank_h = 0.06 * b.height
    line = b.shoulder_y - b.ankle_y
    arm = b.upper_arm + b.forearm
    s_top, s_bottom = arm + 0.02 * b.height, 0.19 * b.height
    h = s_top - p * (s_top - s_bottom)
    z_top = math.sqrt(line**2 - (s_top - ank_h) ** 2)
    sh_c = V([0.0, h, math.sqrt(line**2 - (h - ank_h) ** 2)])
    ank_c = V([0.0, ank_h, 0.0])
    u = unit(sh_c - ank_c)
    n = unit(-UP - float(np.dot(-UP, u)) * u)  # "down", perpendicular to the body line
    hip_c = ank_c + u * (b.hip_y - b.ankle_y) + n * sag * line
    knee_c = ank_c + u * (b.knee_y - b.ankle_y) + n * sag * line * 0.45
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        x = V([s, 0.0, 0.0])
        j[f"{side}_SHOULDER"] = sh_c + x * b.shoulder_w / 2
        j[f"{side}_HIP"] = hip_c + x * b.hip_w / 2
        j[f"{side}_KNEE"] = knee_c + x * b.hip_w * 0.45
        j[f"{side}_ANKLE"] = ank_c + x * b.hip_w * 0.4
        j[f"{side}_WRIST"] = V([s * b.shoulder_w * 0.6, 0.02 * b.height, z_top])
        j[f"{side}_ELBOW"] = two_link(j[f"{side}_WRIST"], j[f"{side}_SHOULDER"], b.forearm,
                                      b.upper_arm, unit(V([s * 0.5, 0.3, -1.0])))
    trunk_up = unit(sh_c - hip_c)
    return j, unit(V([0.0, -1.0, 0.3])), trunk_up, unit(V([0.0, -1.0, -0.3]))


def push_up(p: float, k: int, b: Body, fault: str | None) -> Pose:
    sag = {"hip_sag": 0.12, "hip_pike": -0.16}.get(fault or "", 0.0)
    return _plank_pose(p, b, sag * (0.5 + 0.5 * p))


def plank(p: float, k: int, b: Body, fault: str | None) -> Pose:
    return _plank_pose(0.0, b, 0.12 if fault == "hip_sag" else 0.01)


def jumping_jack(p: float, k: int, b: Body, fault: str | None) -> Pose:
    j: Joints = {}
    hip_c = V([0.0, b.hip_y - 0.01 * b.height, 0.0])
    _torso(j, b, hip_c, UP)
    spread = b.hip_w * 0.5 + p * 0.16 * b.height
    _legs(j, b, {"LEFT": V([spread, b.ankle_y, 0.0]), "RIGHT": V([-spread, b.ankle_y, 0.0])},
          {"LEFT": FWD, "RIGHT": FWD})
    alpha = math.radians(12.0 + p * (95.0 if fault == "arms_not_overhead" else 163.0))
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        d = V([s * math.sin(alpha), -math.cos(alpha), 0.05])
        j[f"{side}_ELBOW"] = j[f"{side}_SHOULDER"] + d * b.upper_arm
        j[f"{side}_WRIST"] = j[f"{side}_ELBOW"] + unit(d + V([0, 0, 0.15])) * b.forearm
    return j, FWD, UP, FWD


def _standing(j: Joints, b: Body, trunk_up: np.ndarray = UP) -> None:
    _torso(j, b, V([0.0, b.hip_y - 0.005 * b.height, 0.0]), trunk_up)
    fx = b.hip_w * 0.5
    _legs(j, b, {"LEFT": V([fx, b.ankle_y, 0.0]), "RIGHT": V([-fx, b.ankle_y, 0.0])},
          {"LEFT": FWD, "RIGHT": FWD})


_REST_FLEX = 8.0  # elbow flexion of a hanging arm, degrees


def biceps_curl(p: float, k: int, b: Body, fault: str | None, alternate: bool = False,
                working: str | None = None, echo: tuple[str, float] | None = None,
                snap: str | None = None) -> Pose:
    """Both arms together, alternating (``alternate``: left first) or one arm only
    (``working``: "LEFT"/"RIGHT"). ``echo``: (hidden side, share): that arm's estimate
    copies a share of the other arm's flexion (an estimator error, not a movement)."""
    j: Joints = {}
    _standing(j, b)
    beta = _REST_FLEX + p * (62.0 if fault == "partial_range" else 130.0)
    swing = p * (45.0 if fault == "upper_arm_swing" else 4.0)
    one_arm = working or ("LEFT", "RIGHT")[k % 2]
    sides = [one_arm] if working or alternate else ["LEFT", "RIGHT"]
    flex = {s: beta for s in sides}
    if echo is not None:
        hidden, share = echo
        other = flex.get("RIGHT" if hidden == "LEFT" else "LEFT", _REST_FLEX)
        flex[hidden] = flex.get(hidden, _REST_FLEX) + share * (other - _REST_FLEX)
    if snap is not None:
        flex[snap] = _REST_FLEX  # the hidden arm's estimate snaps straight
    _arms_hanging(j, b, flex, swing)
    return j, FWD, UP, FWD


def overhead_press(p: float, k: int, b: Body, fault: str | None) -> Pose:
    j: Joints = {}
    lean = p * (28.0 if fault == "back_lean" else 3.0)
    trunk_up, face = _lean(-lean)
    _standing(j, b, trunk_up)
    short = fault == "incomplete_lockout"  # elbows stop bent, forearms stay vertical
    alpha = math.radians(85.0 + p * (45.0 if short else 85.0))
    extend = 0.0 if short else p
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        u = V([s * math.sin(alpha) * 0.87, -math.cos(alpha), math.sin(alpha) * 0.5])
        j[f"{side}_ELBOW"] = j[f"{side}_SHOULDER"] + unit(u) * b.upper_arm
        f = unit((1 - extend) * UP + extend * unit(u))
        j[f"{side}_WRIST"] = j[f"{side}_ELBOW"] + f * b.forearm
    return j, face, trunk_up, FWD


def idle(p: float, k: int, b: Body, fault: str | None) -> Pose:
    """A presenter talking to the camera: small gestures, no exercise."""
    j: Joints = {}
    _standing(j, b)
    _arms_hanging(j, b, {"LEFT": 10.0 + 25.0 * p, "RIGHT": 15.0 + 20.0 * (1 - p)}, 5.0)
    return j, FWD, UP, FWD


MOTIONS: dict[str, Motion] = {
    "squat": squat, "lunge": lunge, "push-up": push_up, "plank": plank,
    "jumping-jack": jumping_jack, "biceps-curl": biceps_curl,
    "overhead-press": overhead_press, "idle": idle,
}


def timeline(script: Script, fps: float, rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """Per-frame time, movement phase p (0 start .. 1 turnaround), rep number, and the
    turnaround times of the full reps."""
    depths = [script.depth] * script.reps
    for _ in range(script.partial_reps):
        depths.insert(int(rng.integers(0, len(depths) + 1)), script.depth * script.partial_depth)
    segments, t, turns = [], script.lead_s, []
    for i, depth in enumerate(depths):
        dur = script.rep_s * (1 + rng.uniform(-script.tempo_jitter, script.tempo_jitter))
        segments.append((t, dur, depth, i))
        if depth == script.depth:
            turns.append(t + dur / 2)
        t += dur + script.pause_s
    total = t + script.tail_s
    times = np.arange(0.0, total, 1.0 / fps)
    phase, rep = np.zeros_like(times), np.zeros(times.size, dtype=int)
    for start, dur, depth, i in segments:
        inside = (times >= start) & (times < start + dur)
        phase[inside] = depth * 0.5 * (1 - np.cos(2 * np.pi * (times[inside] - start) / dur))
        rep[inside] = i
    return times, phase, rep, turns


def make_clip(exercise: str, *, script: Script | None = None, noise: Noise | None = None,
              camera: Camera | None = None, fault: str | None = None, fps: float = 30.0,
              alternate: bool = False, working: str | None = None, body: Body | None = None,
              seed: int = 0) -> SynthClip:
    """A synthetic clip of ``exercise`` seen by ``camera`` (default: front view).
    Biceps curls: ``alternate`` arms, or one ``working`` arm ("LEFT"/"RIGHT")."""
    script, noise, camera = script or Script(), noise or Noise(), camera or Camera()
    body = body or Body()
    rng = np.random.default_rng(seed)
    times, phase, rep, turns = timeline(script, fps, rng)
    motion = MOTIONS[exercise]
    # The far side: camera yaw > 0 turns the member's right side toward the camera.
    far = "LEFT" if camera.yaw_deg > 0 else "RIGHT"
    echo = (far, noise.echo) if noise.echo and camera.yaw_deg else None
    frames: list[PoseFrame | None] = []
    swap_left, swap_group, calm_until = 0, LEGS, 0.0
    end = float(times[-1]) if times.size else 0.0
    snaps = _snap_times(noise, end, rng) if camera.yaw_deg else []
    for t, p, k in zip(times.tolist(), phase.tolist(), rep.tolist(), strict=True):
        if exercise == "biceps-curl":
            snap = far if any(s <= t < s + noise.snap_s for s in snaps) else None
            pose = biceps_curl(p, k, body, fault, alternate, working, echo, snap)
        else:
            pose = motion(p, k, body, fault)
        joints, face, trunk_up, foot_fwd = pose
        frame = camera.project(complete(joints, body, face, trunk_up, foot_fwd))
        frames.append(_degrade(frame, noise, rng, swap_group if swap_left > 0 else []))
        if swap_left == 1:
            calm_until = t + 1.0  # swaps are brief and isolated, as MediaPipe's are
        swap_left = max(swap_left - 1, 0)
        if swap_left == 0 and t >= calm_until and rng.random() < noise.swap_per_s / fps:
            swap_left = int(rng.integers(1, 4))
            swap_group = LEGS if rng.random() < 0.6 else ARMS
    seq = PoseSequence.from_frames(times.tolist(), frames, camera.aspect)
    full = 0 if exercise in ("plank", "idle") else script.reps
    return SynthClip(exercise, seq, full, tuple(turns) if full else ())


def _snap_times(noise: Noise, duration: float, rng: np.random.Generator) -> list[float]:
    """Start times of hidden-arm snaps (a Poisson process in seconds, drawn apart from
    the per-frame noise so that the same seed gives the same snaps at any frame rate)."""
    if noise.snap_per_s <= 0:
        return []
    sub = np.random.default_rng(rng.integers(1 << 31))
    n = int(sub.poisson(noise.snap_per_s * duration))
    return sorted(sub.uniform(0.0, duration, n).tolist())


LEGS = LIMB_GROUPS["hips"] + LIMB_GROUPS["legs"]
ARMS = LIMB_GROUPS["arms"]


def _degrade(frame: PoseFrame, noise: Noise, rng: np.random.Generator,
             swapped: list[int]) -> PoseFrame | None:
    """Estimator-like errors: jitter, visibility noise, dropped frames, limb swaps."""
    if noise.dropout and rng.random() < noise.dropout:
        return None
    guess = np.where(frame.visibility < 0.5, noise.hidden_jitter, 1.0)[:, None]
    image = frame.image + rng.normal(0.0, noise.image_sd, frame.image.shape) * guess
    world = frame.world + rng.normal(0.0, noise.world_sd, frame.world.shape) * guess
    vis = np.clip(frame.visibility + rng.normal(0.0, 0.02, frame.visibility.shape), 0.0, 1.0)
    out = PoseFrame(image, world, vis, frame.aspect)
    return swap_pairs(out, swapped) if swapped else out
