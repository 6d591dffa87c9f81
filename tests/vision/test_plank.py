"""Plank holds: time in a straight-body floor position, with the hip line judged."""

from __future__ import annotations

import pytest

from vision.analyzer import analyze
from vision.skeleton import Camera
from vision.synth import Script, make_clip


def test_a_plank_is_one_hold_of_about_its_length() -> None:
    clip = make_clip("plank", camera=Camera(yaw_deg=90, height=0.5), fps=15,
                     script=Script(reps=0, lead_s=12.0, tail_s=0.0))
    result = analyze(clip.sequence, "plank")
    assert result.reps == []
    assert len(result.holds) == 1
    assert result.hold_s == pytest.approx(clip.sequence.t[-1], abs=0.5)
    doc = result.to_dict()
    assert doc["hold_s"] == pytest.approx(result.hold_s, abs=0.01) and doc["reps"] == 0


def test_standing_is_not_a_hold() -> None:
    clip = make_clip("idle", fps=15, script=Script(reps=2))
    assert analyze(clip.sequence, "plank").holds == []


def test_push_up_clip_read_as_plank_gives_holds_not_reps() -> None:
    clip = make_clip("push-up", camera=Camera(yaw_deg=90, height=0.5), fps=15,
                     script=Script(reps=3))
    result = analyze(clip.sequence, "plank")
    assert result.reps == [] and result.hold_s > 3.0
