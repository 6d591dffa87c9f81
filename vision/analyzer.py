"""Exercise analysis over a stream of poses: clean-up, counting, range, tempo, faults.

:class:`ExerciseAnalyzer` takes one frame at a time, so the edge box runs it live per
station and emits each rep as soon as the member is back at the start position;
:func:`analyze` feeds a recorded clip through the very same object. Plank has no reps:
it reports holds (time in a straight-body floor position) instead.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

import numpy as np
import structlog

from vision import measures as ms
from vision.config import EXERCISES, VisionConfig, load_config
from vision.errors import VisionError
from vision.exercises import PLANK_NEEDS, SPECS, Channel, RepWindow
from vision.filters import OneEuroFilter, RollingMedian, SwapRepair
from vision.glitches import GlitchGate
from vision.landmarks import PoseFrame, PoseSequence
from vision.plank import Hold, HoldTracker
from vision.reps import RepCounter, RepSegment, brackets, same_movement
from vision.results import AnalysisResult, RepResult
from vision.track import TrackGate
from vision.view import View, detect_view, steady_view

log = structlog.get_logger(__name__)


class Preprocessor:
    """Swap repair then One Euro smoothing of image and world landmarks."""

    def __init__(self, config: VisionConfig) -> None:
        f, s = config.filter, config.swap
        self.swaps = SwapRepair(s.margin, s.max_swap_s, s.tau_s)
        # Image and world coordinates side by side, each with its own parameters.
        cutoff = np.repeat([f.image_min_cutoff_hz, f.world_min_cutoff_hz], 3)
        beta = np.repeat([f.image_beta, f.world_beta], 3)
        self._euro = OneEuroFilter(cutoff, beta, f.d_cutoff_hz, f.max_gap_s)

    def __call__(self, t: float, frame: PoseFrame | None) -> PoseFrame | None:
        frame = self.swaps(t, frame)
        if frame is None:
            return None
        both = self._euro(t, np.concatenate([frame.image, frame.world], axis=1))
        return PoseFrame(both[:, :3], both[:, 3:], frame.visibility, frame.aspect)


def clean_sequence(seq: PoseSequence, config: VisionConfig) -> PoseSequence:
    """A whole clip through :class:`Preprocessor` (recognition works on the result)."""
    track, pre = TrackGate(config.track.confirm_s, config.track.max_gap_s), Preprocessor(config)
    timed = [item for i, t in enumerate(seq.t.tolist()) for item in track(t, _frame_at(seq, i))]
    timed += track.close()
    return PoseSequence.from_frames([t for t, _ in timed],
                                    [pre(t, f) for t, f in timed], seq.aspect)


def _frame_at(seq: PoseSequence, i: int) -> PoseFrame | None:
    if not seq.detected[i]:
        return None
    return PoseFrame(seq.image[i], seq.world[i], seq.visibility[i], seq.aspect)


class ExerciseAnalyzer:
    """Live analysis of one member doing one exercise.

    ``view``: the camera view if known (a station's config); otherwise it is detected
    from the first ``view_warmup_s`` seconds of poses in which the body's yaw holds
    steady (``[view]`` in the config), and the poses before are then replayed.
    ``batch_s``: measures are computed vectorised over this much video at a time; numpy
    per call overhead dominates single frames, so a quarter second costs little
    latency and makes analysis several times cheaper. 0 = every frame at once.
    """

    def __init__(self, exercise: str, config: VisionConfig | None = None,
                 view: View | None = None, view_warmup_s: float = 1.0,
                 batch_s: float = 0.25) -> None:
        if exercise not in EXERCISES:
            raise VisionError(
                f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
        self.exercise = exercise
        self.config = config or load_config()
        self.view = view
        self._warmup_s = view_warmup_s
        self._batch_s = batch_s
        self._warmup: list[tuple[float, PoseFrame | None]] = []
        self._batch: list[tuple[float, PoseFrame]] = []
        self._closed = False
        self._track = TrackGate(self.config.track.confirm_s, self.config.track.max_gap_s)
        self._pre = Preprocessor(self.config)
        self._scale = ms.ScaleTracker()
        self._history: deque[tuple[float, dict[str, float]]] = deque()
        self._keep_s = self.config.counter.max_rep_s + 1.0
        self.frames = 0
        self.detected = 0
        self.reps: list[RepResult] = []
        self._segments: list[tuple[Channel, RepSegment]] = []
        spec = SPECS.get(exercise)
        self._spec = spec
        self._channels = spec.channels(self.config) if spec else ()
        g = self.config.glitch
        # Per-limb signals (each arm of a curl) may come from a half-hidden limb, whose
        # estimate snaps away and back: those excursions are dropped before counting.
        self._glitches = {i: GlitchGate(g.max_speed_deg_s, g.tolerance_deg, g.drift_deg_s,
                                        g.max_s, g.window_s)
                          for i, ch in enumerate(self._channels) if ch.seen is not None}
        self._counters = [RepCounter(self.config.counter.params(ch.min_range), ch.start_high)
                          for ch in self._channels]
        self._medians: list[RollingMedian] = []  # sized from the frame rate at first use
        self._last: dict[int, tuple[float, float]] = {}
        self._first: dict[int, bool] = {}  # per channel: is the next rep a set's first?
        self._pending: dict[int, tuple[RepSegment, RepResult]] = {}
        self._occluded: set[RepSegment] = set()  # counted on a partly hidden limb
        self._dt = 1 / 30  # frame interval, measured with the first batch
        # A held-back first rep must reach this far into the set's range (hysteresis
        # enter threshold plus slack for the range having grown since).
        self._first_rep_limit = self.config.counter.enter + 0.15
        self._holds = HoldTracker(self.config) if exercise == "plank" else None
        self._needs = spec.needs if spec else PLANK_NEEDS

    @property
    def moving(self) -> bool:
        """A set is in progress: some counting signal has left its rest position (or a
        plank is being held). The edge box's pacer keeps such a station at full rate."""
        if self._holds is not None:
            return self._holds.holding
        return any(counter.phase is not None for counter in self._counters)

    def push(self, t: float, frame: PoseFrame | None) -> list[RepResult | Hold]:
        """Feed the next frame (None = no person found); returns reps/holds it completed."""
        self.frames += 1
        self.detected += frame is not None
        out: list[RepResult | Hold] = []
        for ts, tracked in self._track(t, frame):
            out += self._advance(ts, tracked)
        return out

    def _advance(self, t: float, frame: PoseFrame | None) -> list[RepResult | Hold]:
        frame = self._pre(t, frame)
        if self.view is None:
            self._warmup.append((t, frame))
            seen = [(ts, f) for ts, f in self._warmup if f is not None]
            if not seen or seen[-1][0] - seen[0][0] < self._warmup_s:
                return []
            if seen[-1][0] - seen[0][0] >= self.config.view.max_warmup_s:
                self._decide_view([f for _, f in seen])
            else:
                recent = [f for ts, f in seen if ts >= seen[-1][0] - self._warmup_s]
                v = self.config.view
                self.view = steady_view(np.stack([f.image for f in recent]),
                                        np.stack([f.world for f in recent]), recent[0].aspect,
                                        v.steady_spread_deg, v.front_max_deg, v.side_min_deg)
                if self.view is None:
                    return []
            self._batch = [(ts, f) for ts, f in self._warmup if f is not None]
            self._warmup.clear()
        elif frame is not None:
            self._batch.append((t, frame))
        if (self._batch_s > 0 and self._batch
                and self._batch[-1][0] - self._batch[0][0] >= self._batch_s):
            return self._flush()
        return []

    def _decide_view(self, seen: list[PoseFrame]) -> None:
        self.view = (detect_view(np.stack([f.image for f in seen]),
                                 np.stack([f.world for f in seen]), seen[0].aspect,
                                 self.config.view.front_max_deg, self.config.view.side_min_deg)
                     if seen else View.FRONT)

    def close(self) -> list[RepResult | Hold]:
        """End of the stream: analyse what is buffered and return the reps/holds that
        only the end releases (a rep finishing on the last frame, an open plank hold).
        Live callers publish these like the ones ``push`` returned."""
        if self._closed:
            return []
        self._closed = True
        out: list[RepResult | Hold] = []
        for ts, dropped in self._track.close():  # a run too short to be a person
            out += self._advance(ts, dropped)
        if self.view is None:
            self._decide_view([f for _, f in self._warmup if f is not None])
            self._batch = [(ts, f) for ts, f in self._warmup if f is not None]
            self._warmup.clear()
        out += self._flush() + self._drain()
        if self._holds is not None:
            out += self._holds.close()
        return out

    def finish(self) -> AnalysisResult:
        """Close the stream if still open and return everything seen."""
        self.close()
        assert self.view is not None
        holds = list(self._holds.holds) if self._holds else []
        # Held-back first reps may be accepted after later ones: number them in time order.
        ordered = sorted(self.reps, key=lambda r: r.end_s)
        reps = [replace(r, index=k) for k, r in enumerate(ordered, 1)]
        return AnalysisResult(self.exercise, self.view, reps, holds, self.frames,
                              self.detected, self._pre.swaps.repairs)

    # -- internals -----------------------------------------------------------------

    def _flush(self) -> list[RepResult | Hold]:
        """Measures for the buffered frames in one vectorised pass, then the counters."""
        if not self._batch:
            return []
        assert self.view is not None
        times = [t for t, _ in self._batch]
        frames = [f for _, f in self._batch]
        self._batch = []
        run = ms.Frames(np.stack([f.image for f in frames]), np.stack([f.world for f in frames]),
                        np.stack([f.visibility for f in frames]), frames[0].aspect)
        values = ms.compute(run, self.view, self.config.pose.min_visibility,
                            self._scale.update(run), self._needs,
                            self.config.pose.track_min_visibility)
        columns = {k: v.tolist() for k, v in values.items()}
        if not self._medians:
            size = self._median_size(times)
            # A partly hidden limb's estimate jumps for single frames whatever the frame
            # rate, so its signal always gets a longer median (a curl's top spans more).
            tracked = max(3, int(round(self.config.counter.tracked_median_s / self._dt))) | 1
            self._medians = [RollingMedian(tracked if ch.seen else size)
                             for ch in self._channels]
        out: list[RepResult | Hold] = []
        for i, t in enumerate(times):
            row = {k: col[i] for k, col in columns.items()}
            self._history.append((t, row))
            while self._history[0][0] < t - self._keep_s:
                self._history.popleft()
            if self._holds is not None:
                out += self._holds.update(t, row, self.view)
                continue
            for i, ch in enumerate(self._channels):
                gate = self._glitches.get(i)
                value = row[ch.measure]
                for ts, v in gate(t, value) if gate is not None else ((t, value),):
                    out += self._count(i, ts, v)
        return out

    def _count(self, i: int, t: float, value: float, fresh: bool = True) -> list[RepResult | Hold]:
        """Feed channel ``i``. The first rep of a set is held back until the next one:
        judged only against its own range, a half-hearted first rep would look full, so
        it is kept only if it also reaches the turnaround zone of the range the set
        establishes (or if it stays the only rep of its set)."""
        if fresh and math.isfinite(value):
            self._last[i] = (t, value)
        counter = self._counters[i]
        seg = counter.update(t, self._medians[i](value))
        out: list[RepResult | Hold] = []
        if counter.phase is None:  # no set in progress: a held-back lone rep stands
            self._first[i] = True
            if i in self._pending:
                out += self._accept(i, *self._pending.pop(i))
        rep = self._judge(i, seg) if seg is not None else None
        if seg is None or rep is None:
            return out
        if self._first.get(i, True):
            self._first[i] = False
            self._pending[i] = (seg, rep)
            return out
        held = self._pending.pop(i, None)
        if held is not None and counter.position(held[0].turn_value) <= self._first_rep_limit:
            out += self._accept(i, *held)
        return out + self._accept(i, seg, rep)

    def _accept(self, i: int, seg: RepSegment, rep: RepResult) -> list[RepResult | Hold]:
        ch = self._channels[i]
        if seg in self._occluded and self._is_echo(i, seg):
            log.debug("rep_dropped_echo", exercise=self.exercise, side=ch.side,
                      turn_s=seg.turn_s)
            return []
        for other_ch, other in self._segments[-4:]:
            if other_ch is not ch and same_movement(seg, other):
                return []  # both arms of one simultaneous curl
        self._segments.append((ch, seg))
        rep = replace(rep, index=len(self.reps) + 1)
        self.reps.append(rep)
        return [rep]

    def _is_echo(self, i: int, seg: RepSegment) -> bool:
        """A rep counted on a partly hidden limb whose turnaround falls while another
        limb was itself mid-rep. MediaPipe fills in a hidden arm from the rest of the
        body, so its estimate follows the visible arm's curl; in alternating curls the
        other arm rests at the start position while one turns. Checked against the other
        limbs' counted, held-back and in-progress reps, so the order in which reps
        complete does not matter."""
        t = seg.turn_s
        for j, counter in enumerate(self._counters):
            if j == i:
                continue
            since = counter.mid_rep_since
            if since is not None and since <= t:
                return True
            held = self._pending.get(j)
            if held is not None and brackets(held[0], t):
                return True
        ch = self._channels[i]
        return any(other_ch is not ch and brackets(other, t)
                   for other_ch, other in self._segments[-4:])

    def _drain(self) -> list[RepResult | Hold]:
        """End of stream: pad each median filter with its last value ("nearest" edge
        mode) so its half-window of lag cannot swallow a rep finished at the very end;
        a first rep still held back is a set of one."""
        out: list[RepResult | Hold] = []
        for i, gate in self._glitches.items():
            for ts, value in gate.close():
                out += self._count(i, ts, value)
        for i, (t, value) in list(self._last.items()):
            for _ in range(self._medians[i].size // 2):
                out += self._count(i, t, value, fresh=False)
        for i in sorted(self._pending):
            out += self._accept(i, *self._pending.pop(i))
        return out

    def _median_size(self, times: list[float]) -> int:
        """Samples in ``counter.median_s``, odd; 1 (no filter) at low frame rates, where a
        3-sample median would flatten the turnaround of a fast rep."""
        dt = np.diff(np.asarray(times))
        dt = dt[dt > 0]
        fps = 1.0 / float(np.median(dt)) if dt.size else 30.0
        self._dt = 1.0 / fps
        return max(1, int(round(self.config.counter.median_s * fps))) | 1

    def _judge(self, i: int, seg: RepSegment) -> RepResult | None:
        """Turn a counted segment into a rep, or drop it (duplicate or implausible).

        The counter sees the signal through a rolling median that runs half its length
        late, so the raw frames of the rep begin that much before ``seg.start_s``;
        without the shift the window misses the start position and understates the
        range of motion (by a frame's worth of movement, decisive for a quick curl)."""
        assert self._spec is not None and self.view is not None
        ch = self._channels[i]
        since = seg.start_s - self._medians[i].size // 2 * self._dt
        rows = [r for ts, r in self._history if since <= ts <= seg.end_s]
        if not rows:
            return None
        m = {k: np.array([r[k] for r in rows]) for k in rows[0]}
        signal = m[ch.measure]
        if np.isfinite(signal).mean() < self.config.counter.min_coverage:
            log.debug("rep_dropped_unseen", exercise=self.exercise, start_s=seg.start_s)
            return None
        # Counted on a limb mostly below the form visibility floor: it counts, but its
        # angles are too rough to judge form on (and it must not be another arm's echo).
        occluded = (ch.seen is not None
                    and np.isfinite(m[ch.seen]).mean() < self.config.counter.min_coverage)
        excursion = abs(seg.start_value - seg.turn_value)
        w = RepWindow(m, np.abs(signal - seg.turn_value) <= 0.15 * excursion,
                      np.abs(signal - seg.start_value) <= 0.15 * excursion, self.view, ch.side)
        rom = _rom(m[self._spec.rom.format(limb=(ch.side or "x")[0])])
        min_rom = self.config.rule(self.exercise, "min_range_deg")
        if not (math.isfinite(rom) and rom >= min_rom * self.config.counter.min_rep_fraction
                and self._spec.plausible(w, self.config)):
            log.debug("rep_dropped", exercise=self.exercise, start_s=seg.start_s, rom_deg=rom)
            return None
        faults = () if occluded else tuple(self._spec.rule(w, self.config))
        if occluded:
            self._occluded.add(seg)
        return RepResult(0, seg.start_s, seg.turn_s, seg.end_s, round(rom, 1),
                         faults, ch.side, dict(w.metrics))


def _rom(values: np.ndarray) -> float:
    """Excursion after a 3-sample median, so one glitch frame cannot inflate it."""
    v = values[np.isfinite(values)]
    if v.size < 3:
        return float(np.ptp(v)) if v.size else math.nan
    smooth = np.median(np.lib.stride_tricks.sliding_window_view(v, 3), axis=1)
    return float(np.ptp(smooth))


def analyze(seq: PoseSequence, exercise: str, config: VisionConfig | None = None,
            view: View | None = None) -> AnalysisResult:
    """Analyse a recorded clip; the view is detected from the whole clip if not given."""
    config = config or load_config()
    if view is None:
        view = detect_view(seq.image[seq.detected], seq.world[seq.detected], seq.aspect,
                           config.view.front_max_deg, config.view.side_min_deg)
    analyzer = ExerciseAnalyzer(exercise, config, view, batch_s=0.0)
    for i, t in enumerate(seq.t.tolist()):
        analyzer.push(t, _frame_at(seq, i))
    return analyzer.finish()
