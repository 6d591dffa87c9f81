"""The wire contract: every record that travels between edge, worker and API.

Records are JSON objects validated with pydantic at both ends. Each carries a
``schema_version`` so a worker can dead-letter records from a newer edge box it
does not understand instead of misreading them, and an ``event_time`` (Unix
seconds, set where the thing happened) because windows are computed on event
time, never on arrival time.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCHEMA_VERSION = 1


class Record(BaseModel):
    """Base of every wire record: versioned, immutable, strict about unknown types."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = SCHEMA_VERSION

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


class HeartRateSample(Record):
    """One heart-rate notification from one strap, as the edge box received it."""

    kind: Literal["hr_sample"] = "hr_sample"
    class_session_id: str = Field(min_length=1)
    member_id: str = Field(min_length=1)
    strap_id: str = Field(min_length=1, description="strap address or simulator id")
    seq: int = Field(ge=0, description="per-strap sequence number: gaps and redeliveries")
    event_time: float = Field(gt=0, description="Unix seconds when the strap sent it")
    hr_bpm: int = Field(ge=0, le=300)
    rr_intervals_ms: list[float] = Field(default_factory=list)
    sensor_contact: bool | None = None
    energy_kj: int | None = None
    source: Literal["chest", "optical", "sim", "replay", "unknown"] = "unknown"


class RosterEntry(Record):
    """Who a member is, as far as intensity maths needs: sent when a class starts."""

    kind: Literal["roster_entry"] = "roster_entry"
    class_session_id: str = Field(min_length=1)
    member_id: str = Field(min_length=1)
    display_name: str
    age: int | None = Field(None, ge=5, le=120)
    sex: Literal["female", "male", "other"] | None = None
    weight_kg: float | None = Field(None, gt=0)
    hr_max: int | None = Field(None, ge=100, le=240)
    hr_rest: int | None = Field(None, ge=25, le=120)
    strap_id: str | None = None


class ClassEvent(Record):
    """Explicit start/end of a class session: drives summaries, not wall clocks."""

    kind: Literal["class_event"] = "class_event"
    class_session_id: str = Field(min_length=1)
    event: Literal["start", "end"]
    event_time: float = Field(gt=0)


class ZoneInsight(Record):
    """One member's intensity over one closed event-time window."""

    kind: Literal["zone_insight"] = "zone_insight"
    class_session_id: str
    member_id: str
    window_start: float
    window_end: float
    samples: int = Field(ge=1)
    hr_avg: float
    hr_last: int
    hr_max_used: int = Field(description="the HRmax the percentage was computed against")
    pct_hr_max: float
    zone: int = Field(ge=0, le=5, description="0 = below zone 1")


class Alert(Record):
    """Something the trainer should look at now."""

    kind: Literal["alert"] = "alert"
    alert_id: str
    class_session_id: str
    member_id: str | None = None
    rule: str
    severity: Literal["info", "warning", "critical"]
    message: str
    event_time: float
    evidence_start: float | None = None
    evidence_end: float | None = None
    value: float | None = Field(None, description="the number behind it (%HRmax, bpm, s)")


class FormEvent(Record):
    """A rep or form fault seen by a camera station; never video, only derived facts."""

    kind: Literal["form_event"] = "form_event"
    class_session_id: str
    member_id: str
    station_id: str
    exercise: str
    event_time: float
    rep_index: int | None = None
    rom_deg: float | None = None
    tempo_s: float | None = None
    faults: list[str] = Field(default_factory=list)


class ClassControl(Record):
    """Worker to worker: finalize every member of a class held on one partition."""

    kind: Literal["class_control"] = "class_control"
    class_session_id: str = Field(min_length=1)
    action: Literal["finalize"] = "finalize"
    ended_at: float = Field(gt=0)
    started_at: float | None = None
    partition: int = Field(ge=0)
    partitions: int = Field(ge=1, description="how many reports the summary waits for")


class MemberReport(Record):
    """One member's final numbers from the partition that held them (class end)."""

    kind: Literal["member_report"] = "member_report"
    member_id: str
    display_name: str | None = None
    totals: dict[str, Any] = Field(description="streams.summary.MemberTotals as a dict")
    form: dict[str, Any] | None = Field(None, description="form insights, when a camera "
                                        "station covered the member")


class PartitionReport(Record):
    """Everything one partition's owner knows about a finished class."""

    kind: Literal["partition_report"] = "partition_report"
    class_session_id: str
    partition: int = Field(ge=0)
    partitions: int = Field(ge=1)
    started_at: float | None = None
    ended_at: float
    members: list[MemberReport] = Field(default_factory=list)


class DeadLetter(Record):
    """A record the worker could not use, kept verbatim with the reason."""

    kind: Literal["dead_letter"] = "dead_letter"
    source_topic: str
    reason: str
    payload_b64: str
    received_at: float


class RecordError(ValueError):
    """A payload is not a valid record of the expected type; the message says why."""


RecordT = TypeVar("RecordT", bound=Record)


def parse_record(model: type[RecordT], payload: bytes | str) -> RecordT:
    """Decode one JSON payload into ``model`` or raise :class:`RecordError`."""
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise RecordError(f"invalid {model.__name__}: {problems}") from exc
