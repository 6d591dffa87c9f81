"""The glitch gate drops a limb estimate's excursions that leave faster than a joint turns
and come back where they left; real movement, however fast it turns out, is kept."""

from __future__ import annotations

import math

import numpy as np

from vision.glitches import GlitchGate


def _gate() -> GlitchGate:
    return GlitchGate(max_speed=800.0, tolerance=30.0, drift=100.0, max_s=0.5, window_s=0.05)


def _run(gate: GlitchGate, values: list[float], fps: float = 24.0) -> list[tuple[float, float]]:
    out = [s for i, v in enumerate(values) for s in gate(i / fps, v)]
    return out + gate.close()


def test_a_snap_to_a_straight_arm_and_back_is_dropped() -> None:
    # Curling up to 60 deg, 8 frames (0.33 s) snapped to 165, then back near the top.
    up = np.linspace(160, 60, 12).tolist()
    values = up + [165.0] * 8 + [70.0, 80.0, 95.0]
    gate = _gate()
    out = _run(gate, values)
    assert [v for _, v in out] == up + [70.0, 80.0, 95.0]
    assert gate.dropped == 8


def test_a_fast_real_curl_is_kept_whole() -> None:
    # A 1 s curl from 160 to 50 and back (peak ~350 deg/s) never trips the gate.
    t = np.arange(0, 1.0, 1 / 24)
    values = (105 + 55 * np.cos(2 * np.pi * t)).tolist()
    out = _run(_gate(), values)
    assert [v for _, v in out] == values


def test_a_jump_that_stays_is_real_and_comes_out_late_in_order() -> None:
    # The estimate re-finds the limb elsewhere and stays there: released after max_s.
    values = [150.0] * 5 + [60.0] * 20
    gate = _gate()
    out = _run(gate, values)
    assert [round(t * 24) for t, _ in out] == list(range(25))
    assert [v for _, v in out] == values
    assert gate.dropped == 0


def test_an_excursion_open_at_the_end_of_the_stream_counts_as_real() -> None:
    values = [150.0] * 5 + [60.0] * 3
    assert [v for _, v in _run(_gate(), values)] == values


def test_unseen_samples_pass_between_excursions() -> None:
    out = _run(_gate(), [150.0, math.nan, 149.0])
    assert math.isnan(out[1][1]) and [out[0][1], out[2][1]] == [150.0, 149.0]


def test_single_frame_jitter_at_60_fps_is_not_a_jump() -> None:
    # 15 deg frame to frame is 900 deg/s at 60 fps; over the 0.05 s window it is noise.
    values = [150.0, 165.0, 150.0, 165.0, 150.0, 165.0]
    gate = _gate()
    assert [v for _, v in _run(gate, values, fps=60.0)] == values
    assert gate.dropped == 0
