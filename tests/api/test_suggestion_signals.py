"""Board messages -> evidence: alerts parsed with their numbers, slow heart-rate recoveries
and clean camera sets read from the tiles, a first tile asking for the check-in."""

from __future__ import annotations

from typing import Any

from api.live.suggestion_signals import READINESS, ClassSignals

M = "m1"


def tile(t: float, hr: int, pct: float, form: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"member_id": M, "last_seen": t, "hr": hr, "pct_hr_max": pct}
    if form is not None:
        data["form"] = form
    return {"type": "tiles", "tiles": [data]}


def test_a_first_tile_asks_for_the_check_in_once() -> None:
    signals = ClassSignals()
    assert signals.observe(tile(0, 100, 0.5)) == [(M, READINESS)]
    assert signals.observe(tile(1, 101, 0.5)) == []


def test_a_form_fault_alert_gives_fault_counts_and_exercise() -> None:
    signals = ClassSignals()
    (member, evidence), = signals.observe({"type": "alert", "alert": {
        "alert_id": "a1", "member_id": M, "rule": "repeated_form_fault",
        "message": "knees caving in 3 of the last 5 squat reps: cue them",
        "event_time": 0.0, "value": 3.0}})
    assert member == M and evidence.exercise == "squat"
    assert evidence.numbers == {"alert_id": "a1", "fault": "knees caving", "faulty_reps": 3,
                                "window_reps": 5}
    assert evidence.text == ("knees caving in 3 of the last 5 squat reps "
                             "(alert at 00:00:00 UTC)")


def test_an_unparsable_fault_message_falls_back_to_the_tiles_exercise() -> None:
    signals = ClassSignals()
    signals.observe(tile(0, 100, 0.5, {"exercise": "lunge", "set_reps": 1, "reps": 1,
                                       "fault_rate": 0.0}))
    (_, evidence), = signals.observe({"type": "alert", "alert": {
        "alert_id": "a2", "member_id": M, "rule": "repeated_form_fault",
        "message": "something new", "event_time": 60.0}})
    assert evidence.exercise == "lunge"


def test_sustained_high_states_duration_and_peak() -> None:
    (_, evidence), = ClassSignals().observe({"type": "alert", "alert": {
        "alert_id": "h1", "member_id": M, "rule": "sustained_high", "event_time": 100.0,
        "evidence_start": 25.0, "evidence_end": 100.0, "value": 0.953}})
    assert evidence.rule == "sustained_high"
    assert evidence.text.startswith("75 s near maximum heart rate, peak 95 % of HRmax")
    assert evidence.numbers["seconds"] == 75


def test_alerts_about_the_class_or_other_rules_give_nothing() -> None:
    signals = ClassSignals()
    assert signals.observe({"type": "alert", "alert": {"alert_id": "c", "member_id": None,
                                                       "rule": "class_intensity"}}) == []
    assert signals.observe({"type": "alert", "alert": {"alert_id": "s", "member_id": M,
                                                       "rule": "spike"}}) == []


def recovery_run(drop: int) -> list[Any]:
    """90 s of work at 170 bpm (85 % HRmax, over the 80 % work line), then 60 s falling
    ``drop`` bpm at 60 % HRmax: the tracker measures the drop 60 s after the bout."""
    signals = ClassSignals()
    out: list[Any] = []
    for t in range(0, 91):
        out += signals.observe(tile(float(t), 170, 0.85))
    for t in range(91, 160):
        hr = max(170 - drop, 170 - round(drop * (t - 90) / 60))
        out += signals.observe(tile(float(t), hr, 0.60))
    return [e for _, e in out if e != READINESS]


def test_a_slow_recovery_after_a_work_bout_is_evidence() -> None:
    (evidence,) = recovery_run(drop=8)
    assert evidence.rule == "poor_recovery"
    assert evidence.numbers["drop_bpm"] == 8 and evidence.numbers["min_recovery_bpm"] == 12
    assert evidence.text.startswith("heart rate fell 8 bpm in the 60 s after a work bout "
                                    "(170 -> 162 bpm")


def test_a_normal_recovery_is_not() -> None:
    assert recovery_run(drop=25) == []


def form(exercise: str, set_reps: int, reps: int, faulty: int) -> dict[str, Any]:
    return {"exercise": exercise, "set_reps": set_reps, "reps": reps,
            "fault_rate": round(faulty / reps, 3) if reps else None}


def test_two_clean_sets_in_a_row_are_evidence_for_targets_beaten() -> None:
    signals = ClassSignals()
    t = 0.0
    found = []
    # set 1: 11 clean reps; set 2: 12 clean reps; set 3 starts (closes set 2)
    sets = [(11, 0), (12, 0), (1, 0)]
    total = 0
    for reps, _ in sets:
        for r in range(1, reps + 1):
            total += 1
            t += 1
            found += signals.observe(tile(t, 120, 0.6, form("squat", r, total, 0)))
    beaten = [e for _, e in found if e != READINESS]
    (evidence,) = beaten
    assert evidence.rule == "targets_beaten" and evidence.reps == [11, 12]
    assert evidence.text == "2 clean squat sets on camera of 11, 12 reps"


def test_a_faulty_set_breaks_the_run() -> None:
    signals = ClassSignals()
    total, faulty, t, found = 0, 0, 0.0, []
    for reps, bad in [(11, 0), (12, 2), (10, 0), (1, 0)]:
        for r in range(1, reps + 1):
            total += 1
            faulty += 1 if r <= bad else 0
            t += 1
            found += signals.observe(tile(t, 120, 0.6, form("squat", r, total, faulty)))
    assert [e for _, e in found if e != READINESS] == []
