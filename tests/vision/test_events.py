"""Analyzer output -> FormEvent wire records."""

from __future__ import annotations

import pytest

from contract.records import FormEvent, parse_record
from vision.analyzer import analyze
from vision.events import form_events
from vision.plank import Hold
from vision.skeleton import Camera
from vision.synth import Script, make_clip


def test_reps_become_form_events_stamped_at_their_end() -> None:
    clip = make_clip("squat", camera=Camera(yaw_deg=90), fps=15, script=Script(reps=3, depth=0.3))
    result = analyze(clip.sequence, "squat")
    events = form_events(result.reps, exercise="squat", class_session_id="c1", member_id="m1",
                         station_id="cam1-a", clock_origin=1_700_000_000.0)
    assert [e.rep_index for e in events] == [1, 2, 3]
    for event, rep in zip(events, result.reps, strict=True):
        assert event.event_time == pytest.approx(1_700_000_000.0 + rep.end_s)
        assert event.tempo_s == pytest.approx(rep.tempo_s, abs=1e-3)
        assert event.rom_deg == rep.rom_deg and "shallow_depth" in event.faults
        assert parse_record(FormEvent, event.to_bytes()) == event  # survives the wire


def test_a_plank_hold_becomes_an_event_with_its_duration() -> None:
    (event,) = form_events([Hold(10.0, 40.0, ("hip_sag",))], exercise="plank",
                           class_session_id="c1", member_id="m1", station_id="s",
                           clock_origin=1_700_000_100.0)  # the wire takes real Unix times
    assert event.rep_index is None and event.tempo_s == 30.0
    assert event.event_time == 1_700_000_140.0
    assert event.faults == ["hip_sag"]
