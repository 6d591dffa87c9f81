"""Form insights from camera stations: reps per set, fault rate, most common fault.

Pure: the worker feeds each member's :class:`~contract.records.FormEvent` facts (one per
rep or plank hold, as ``vision.events`` emits them) into :class:`FormInsight` in arrival
order and gets back the alerts due. A fault that shows up in most of a member's recent
reps is a pattern worth a coaching cue; a single sloppy rep is not, so the alert needs
``min_faulty_reps`` of the last ``window_reps`` reps and then waits out a cooldown.

Delivery is at-least-once and form events carry no sequence number, so each event's
identity (station, exercise, rep index, event time) is remembered for a while and a
redelivery is skipped. The state is JSON-able for the worker's changelogged table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from streams.alerts import AlertData, alert_id
from streams.insight_config import RepeatedFormFaultRule

RULE = "repeated_form_fault"
# Event identities remembered for dedupe: far more than a redelivered consumer batch of
# one member's reps (a rep takes seconds; a batch is at most a few hundred milliseconds).
SEEN_KEPT = 64
SETS_KEPT = 100  # sets kept per class (a class has a few dozen at most)


@dataclass(frozen=True, slots=True)
class FormFact:
    """The parts of a FormEvent the insight needs (plain data, no pydantic)."""

    station_id: str
    exercise: str
    event_time: float
    rep_index: int | None
    faults: tuple[str, ...]
    duration_s: float | None = None  # a plank hold's length (``tempo_s`` on the wire)

    @property
    def identity(self) -> str:
        return f"{self.station_id}|{self.exercise}|{self.rep_index}|{self.event_time:.3f}"


@dataclass(slots=True)
class FormInsight:
    """One member's reps and faults in one class."""

    reps: int = 0
    faulty_reps: int = 0
    hold_s: float = 0.0
    fault_counts: dict[str, int] = field(default_factory=dict)
    sets: list[dict[str, Any]] = field(default_factory=list)
    recent: list[list[Any]] = field(default_factory=list)  # [t, [faults]] of recent reps
    last_fault: dict[str, Any] | None = None
    fired: dict[str, float] = field(default_factory=dict)  # fault -> last alert's time
    seen: list[str] = field(default_factory=list)
    duplicates: int = 0

    def observe(self, fact: FormFact, class_session_id: str, member_id: str,
                rule: RepeatedFormFaultRule) -> list[AlertData]:
        """Take one rep or hold; return the repeated-fault alerts it makes due."""
        key = fact.identity
        if key in self.seen:
            self.duplicates += 1
            return []
        self.seen.append(key)
        del self.seen[:-SEEN_KEPT]
        self._add_to_set(fact, rule)
        if fact.faults:
            self.last_fault = {"fault": fact.faults[0], "exercise": fact.exercise,
                               "t": fact.event_time}
            for fault in fact.faults:
                self.fault_counts[fault] = self.fault_counts.get(fault, 0) + 1
        if fact.rep_index is None:  # a plank hold: time, not a rep
            self.hold_s += fact.duration_s or 0.0
            return []
        self.reps += 1
        self.faulty_reps += bool(fact.faults)
        self.recent.append([fact.event_time, list(fact.faults)])
        del self.recent[:-rule.window_reps]
        return self._repeated(fact, class_session_id, member_id, rule)

    def _add_to_set(self, fact: FormFact, rule: RepeatedFormFaultRule) -> None:
        current = self.sets[-1] if self.sets else None
        if (current is None or current["exercise"] != fact.exercise
                or fact.event_time - current["end"] > rule.set_gap_s):
            current = {"exercise": fact.exercise, "reps": 0, "faulty": 0, "hold_s": 0.0,
                       "start": fact.event_time, "end": fact.event_time}
            self.sets.append(current)
            del self.sets[:-SETS_KEPT]
            self.recent.clear()  # a new set (or move) starts a fresh pattern
        current["end"] = max(current["end"], fact.event_time)
        if fact.rep_index is None:
            current["hold_s"] = round(current["hold_s"] + (fact.duration_s or 0.0), 1)
        else:
            current["reps"] += 1
            current["faulty"] += bool(fact.faults)

    def _repeated(self, fact: FormFact, class_session_id: str, member_id: str,
                  rule: RepeatedFormFaultRule) -> list[AlertData]:
        if not rule.enabled:
            return []
        alerts = []
        for fault in fact.faults:
            times = [t for t, faults in self.recent if fault in faults]
            if len(times) < rule.min_faulty_reps:
                continue
            last = self.fired.get(fault)
            if last is not None and fact.event_time - last < rule.cooldown_s:
                continue
            self.fired[fault] = fact.event_time
            alerts.append(AlertData(
                alert_id=alert_id(class_session_id, member_id, f"{RULE}:{fault}", times[0]),
                class_session_id=class_session_id, member_id=member_id, rule=RULE,
                severity=rule.severity,
                message=(f"{fault_label(fault)} in {len(times)} of the last "
                         f"{len(self.recent)} {fact.exercise} reps: cue them"),
                event_time=fact.event_time, evidence_start=times[0],
                evidence_end=fact.event_time, value=float(len(times))))
        return alerts

    # -- read-outs -------------------------------------------------------------------

    @property
    def fault_rate(self) -> float | None:
        return round(self.faulty_reps / self.reps, 3) if self.reps else None

    @property
    def most_common_fault(self) -> str | None:
        if not self.fault_counts:
            return None
        return Counter(self.fault_counts).most_common(1)[0][0]

    def tile(self) -> dict[str, Any]:
        """What the member's live tile shows about form."""
        current = self.sets[-1] if self.sets else None
        return {"exercise": current["exercise"] if current else None,
                "set_reps": current["reps"] if current else 0, "reps": self.reps,
                "last_fault": fault_label(self.last_fault["fault"]) if self.last_fault
                else None, "fault_rate": self.fault_rate}

    def summary(self) -> dict[str, Any]:
        """Form part of the post-class summary."""
        return {"reps": self.reps, "faulty_reps": self.faulty_reps,
                "fault_rate": self.fault_rate, "most_common_fault": self.most_common_fault,
                "fault_counts": dict(self.fault_counts), "hold_s": round(self.hold_s, 1),
                "sets": [{"exercise": s["exercise"], "reps": s["reps"], "faulty": s["faulty"],
                          "hold_s": s["hold_s"]} for s in self.sets],
                "reps_per_set": [s["reps"] for s in self.sets if s["reps"]]}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormInsight:
        return cls(**data)


def fault_label(fault: str) -> str:
    """``knees_caving`` -> ``knees caving`` (fault names are snake_case on the wire)."""
    return fault.replace("_", " ").replace("-", " ")
