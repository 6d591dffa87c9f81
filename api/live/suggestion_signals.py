"""Live board messages -> the planner's evidence (``planner.session_changes.LiveEvidence``).

Pure, stateful per class: fed every message of a class's pub/sub channel in order, it
returns the evidence each one gives about one member:

- a ``repeated_form_fault`` alert -> the fault, how many of the last reps had it, and the
  exercise (parsed from the worker's message, else the member's tile);
- a ``sustained_high`` alert -> how long above the line and the peak %HRmax;
- tiles -> a poor heart-rate recovery (``streams.physiology.RecoveryTracker`` over the
  tiles' heart rate: a drop under the summary's ``min_recovery_bpm`` 60 s after a work
  bout) and sets the camera counted without a fault (for "targets beaten");
- a member's first tile -> a request to look at the morning's check-in.

Nothing here touches Redis or the database (``api.live.suggestions`` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from planner.session_changes import LiveEvidence
from streams.insight_config import InsightConfig, default_insight_config
from streams.physiology import RecoveryTracker

# streams.form.FormInsight._repeated writes "<fault> in <n> of the last <m> <exercise>
# reps: cue them"; the alert carries n as its value.
FORM_MESSAGE = re.compile(r"^(?P<fault>.+?) in (?P<n>\d+) of the last (?P<m>\d+) "
                          r"(?P<exercise>\S+) reps")
READINESS = "readiness"  # marker: look up the member's check-in of the day


def clock(at: float | None) -> str:
    """Unix seconds as UTC HH:MM:SS (what the evidence quotes)."""
    if at is None:
        return "-"
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")


def form_fault_evidence(alert: dict[str, Any], tile_exercise: str | None
                        ) -> LiveEvidence | None:
    found = FORM_MESSAGE.match(str(alert.get("message") or ""))
    exercise = found["exercise"] if found else tile_exercise
    if exercise is None:
        return None
    numbers: dict[str, float | int | str | None] = {"alert_id": alert.get("alert_id")}
    if found:
        numbers.update(fault=found["fault"], faulty_reps=int(found["n"]),
                       window_reps=int(found["m"]))
        text = (f"{found['fault']} in {found['n']} of the last {found['m']} {exercise} reps "
                f"(alert at {clock(alert.get('event_time'))})")
    else:
        text = f"{alert.get('message')} (alert at {clock(alert.get('event_time'))})"
    return LiveEvidence(rule="repeated_form_fault", source="alert",
                        ref=str(alert.get("alert_id")), at=alert.get("event_time"), text=text,
                        numbers=numbers, exercise=exercise)


def sustained_high_evidence(alert: dict[str, Any]) -> LiveEvidence:
    start, end = alert.get("evidence_start"), alert.get("evidence_end")
    seconds = round(end - start) if start is not None and end is not None else None
    peak = alert.get("value")
    text = (f"{seconds} s near maximum heart rate" if seconds is not None
            else "sustained near-maximum heart rate")
    if peak is not None:
        text += f", peak {100 * peak:.0f} % of HRmax"
    text += f" (alert at {clock(alert.get('event_time'))})"
    return LiveEvidence(rule="sustained_high", source="alert", ref=str(alert.get("alert_id")),
                        at=alert.get("event_time"), text=text,
                        numbers={"alert_id": alert.get("alert_id"), "seconds": seconds,
                                 "peak_fraction_hrmax": peak})


@dataclass
class MemberTrack:
    """What one member's tiles have shown so far in the class."""

    last_t: float | None = None
    recovery: RecoveryTracker = field(default_factory=RecoveryTracker)
    judged: int = 0  # recoveries already turned into evidence
    exercise: str | None = None
    set_reps: int = 0
    faulty_at_set_start: int = 0
    faulty_now: int = 0
    clean_sets: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class ClassSignals:
    """Evidence from one class's messages (one instance per class the API sees)."""

    config: InsightConfig = field(default_factory=default_insight_config)
    members: dict[str, MemberTrack] = field(default_factory=dict)

    def observe(self, message: dict[str, Any]) -> list[tuple[str, LiveEvidence | str]]:
        """(member id, evidence or ``READINESS``) pairs this message gives."""
        kind = message.get("type")
        if kind == "alert":
            return self._alert(message.get("alert") or {})
        if kind == "tiles":
            return [e for tile in message.get("tiles") or [] for e in self._tile(tile)]
        if kind == "tile":
            return self._tile(message.get("tile") or {})
        return []

    def _alert(self, alert: dict[str, Any]) -> list[tuple[str, LiveEvidence | str]]:
        member = alert.get("member_id")
        if not member:
            return []
        if alert.get("rule") == "repeated_form_fault":
            track = self.members.get(member)
            found = form_fault_evidence(alert, track.exercise if track else None)
            return [(member, found)] if found else []
        if alert.get("rule") == "sustained_high":
            return [(member, sustained_high_evidence(alert))]
        return []

    def _tile(self, tile: dict[str, Any]) -> list[tuple[str, LiveEvidence | str]]:
        member = tile.get("member_id")
        if not member:
            return []
        out: list[tuple[str, LiveEvidence | str]] = []
        track = self.members.get(member)
        if track is None:
            track = self.members[member] = MemberTrack()
            out.append((member, READINESS))
        out += [(member, e) for e in self._recovery(track, tile)]
        out += [(member, e) for e in self._sets(track, tile)]
        return out

    def _recovery(self, track: MemberTrack, tile: dict[str, Any]) -> list[LiveEvidence]:
        t, hr, frac = tile.get("last_seen"), tile.get("hr"), tile.get("pct_hr_max")
        if t is None or hr is None or frac is None or (track.last_t is not None
                                                       and t <= track.last_t):
            return []
        gap = track.last_t is not None and t - track.last_t > 10.0  # a strap dropout
        track.last_t = t
        track.recovery.observe(float(t), int(hr), float(frac), gap, self.config)
        out = []
        floor = self.config.summary.min_recovery_bpm
        for result in track.recovery.results[track.judged:]:
            drop = result["drop_bpm"]
            if drop < floor:
                after = self.config.recovery.after_s
                out.append(LiveEvidence(
                    rule="poor_recovery", source="insight", ref=f"recovery@{result['end_t']:.0f}",
                    at=result["end_t"] + after,
                    text=(f"heart rate fell {drop:.0f} bpm in the {after:.0f} s after a work "
                          f"bout ({result['hr_end']:.0f} -> {result['hr_after']:.0f} bpm, bout "
                          f"ended {clock(result['end_t'])}); under {floor:g} bpm is a slow "
                          "recovery"),
                    numbers={"drop_bpm": drop, "hr_end": result["hr_end"],
                             "hr_after": result["hr_after"], "after_s": after,
                             "min_recovery_bpm": floor}))
        track.judged = len(track.recovery.results)
        return out

    def _sets(self, track: MemberTrack, tile: dict[str, Any]) -> list[LiveEvidence]:
        """A set ends when the next starts (its rep count resets or the exercise changes);
        clean ones (no faulty rep) count towards "targets beaten"."""
        form = tile.get("form") or {}
        exercise, set_reps = form.get("exercise"), int(form.get("set_reps") or 0)
        reps, rate = int(form.get("reps") or 0), form.get("fault_rate")
        faulty = round(reps * rate) if rate is not None else 0
        if exercise is None:
            return []
        out = []
        new_set = exercise != track.exercise or set_reps < track.set_reps
        if new_set and track.exercise is not None and track.set_reps:
            clean = track.faulty_now == track.faulty_at_set_start
            if clean:
                done = track.clean_sets.setdefault(track.exercise, [])
                done.append(track.set_reps)
                if len(done) >= 2:
                    out.append(LiveEvidence(
                        rule="targets_beaten", source="insight",
                        ref=f"sets:{track.exercise}:{len(done)}", at=tile.get("last_seen"),
                        text=(f"{len(done)} clean {track.exercise} sets on camera of "
                              f"{', '.join(map(str, done))} reps"),
                        numbers={"sets": len(done), "reps": ", ".join(map(str, done))},
                        exercise=track.exercise, reps=list(done)))
            else:
                track.clean_sets[track.exercise] = []  # a faulty set breaks the run
        if new_set:
            track.exercise, track.faulty_at_set_start = exercise, track.faulty_now
        track.set_reps, track.faulty_now = set_reps, faulty
        return out
