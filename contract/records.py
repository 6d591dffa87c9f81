"""The wire contract: every record that travels between edge, worker and API.

Records are JSON objects validated with pydantic at both ends. Each carries a
``schema_version`` so a worker dead-letters records from a newer edge box it does not
understand instead of misreading them, and an ``event_time`` (Unix seconds, set where the
thing happened) because windows are computed on event time, never on arrival time.

Every field is bounded, because anyone who reaches the broker can write a record and the
worker keeps what it reads in state and changelogs: numbers are finite, ids are short and
from a safe alphabet, heart rate and RR intervals are physiological, free text is short,
lists are capped, and unknown fields are refused (a field this version does not know
means a newer or a broken producer, never something to drop silently). Whatever fails
becomes a :class:`RecordError` with a short reason code the worker counts by.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

SCHEMA_VERSION = 1
# A record is a few hundred bytes; a partition report of a 60-member class is the largest
# (~60 kB). Anything far above is not ours, and must not reach a changelog (the broker's
# default max message size is 1 MB, and a failed changelog write stops a Faust worker).
MAX_RECORD_BYTES = 256 * 1024

# Ids: class sessions, members, straps (BLE addresses "AA:BB:..", simulator "SIM-01"),
# stations, devices, alerts. 64 characters hold a UUID with a prefix; the alphabet keeps
# markup, whitespace and control characters out of keys, Redis names and logs.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=64)]


def _printable(text: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError("control characters are not allowed")
    return text


Name = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True),
                 AfterValidator(_printable)]
Text = Annotated[str, StringConstraints(max_length=500), AfterValidator(_printable)]
# Unix seconds between 2000-01-01 and 2100-01-01: anything else is a broken clock or a
# forged record. How far from the arrival time a sample may be is the worker's decision
# (it knows the arrival time); see streams.worker_config [contract].
EventTime = Annotated[float, Field(ge=946_684_800.0, le=4_102_444_800.0)]
# Heart rate 0 means "no reading" in the Heart Rate Measurement characteristic (strap
# off); otherwise 20-250 bpm spans resting bradycardia to the highest maximal heart
# rates reported in sport science. RR intervals of 200-3000 ms are 20-300 bpm.
HeartRate = Annotated[int, Field(ge=0, le=250)]
RrInterval = Annotated[float, Field(ge=200.0, le=3000.0)]
MIN_HEART_RATE = 20
RR_MIN_MS, RR_MAX_MS = 200.0, 3000.0
# A live notification carries at most 9 RR values (Bluetooth HRS 1.0, 23-byte MTU), but a
# recorded session's sample holds every beat since the previous one (36 seen in one FIT
# record after a gap); 300 beats is 90 s at 200 bpm, and bounds a record's state cost.
MAX_RR_PER_SAMPLE = 300


class RecordAuth(BaseModel):
    """Who wrote a record, and their signature (``contract.signing``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    device_id: Id
    room_id: Id
    sig: str = Field(pattern=r"^[0-9a-f]{64}$")


class Record(BaseModel):
    """Base of every wire record: versioned, immutable, bounded, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    schema_version: int = Field(SCHEMA_VERSION, ge=1)
    auth: RecordAuth | None = Field(None, description="writer and signature; see "
                                    "contract.signing")

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise ValueError(f"schema version {version} is newer than this reader's "
                             f"{SCHEMA_VERSION}; upgrade the worker before the edge boxes")
        return version

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


class HeartRateSample(Record):
    """One heart-rate notification from one strap, as the edge box received it."""

    kind: Literal["hr_sample"] = "hr_sample"
    class_session_id: Id
    member_id: Id
    strap_id: Id = Field(description="strap address or simulator id")
    seq: int = Field(ge=0, lt=2**53, description="per-strap sequence number: gaps and "
                     "redeliveries")
    event_time: EventTime = Field(description="Unix seconds when the strap sent it")
    hr_bpm: HeartRate
    rr_intervals_ms: list[RrInterval] = Field(default_factory=list,
                                              max_length=MAX_RR_PER_SAMPLE)
    sensor_contact: bool | None = None
    energy_kj: int | None = Field(None, ge=0, le=65_535)

    @field_validator("hr_bpm")
    @classmethod
    def _a_heart_rate_or_none(cls, bpm: int) -> int:
        if 0 < bpm < MIN_HEART_RATE:
            raise ValueError(f"{bpm} bpm is no heart rate: 0 (no reading) or "
                             f"{MIN_HEART_RATE}-250")
        return bpm
    source: Literal["chest", "optical", "sim", "replay", "unknown"] = "unknown"


class RosterEntry(Record):
    """Who a member is, as far as intensity maths needs, and what they allow: sent when a
    class starts. ``hr_tracking`` / ``camera_form`` False: the member opted out (issue
    20); the edge box ignores their strap or station and the worker drops their records.
    Absent means an API from before members' choices, which had no way to opt out."""

    kind: Literal["roster_entry"] = "roster_entry"
    class_session_id: Id
    member_id: Id
    display_name: Name | None = Field(None, description="the member's name; None on the "
                                      "wire (contract.pseudonyms)")
    age: int | None = Field(None, ge=5, le=120)
    sex: Literal["female", "male", "other"] | None = None
    weight_kg: float | None = Field(None, ge=20, le=400)
    hr_max: int | None = Field(None, ge=100, le=240)
    hr_rest: int | None = Field(None, ge=25, le=120)
    strap_id: Id | None = None
    hr_tracking: bool = True
    camera_form: bool = True


class ClassEvent(Record):
    """Explicit start/end of a class session: drives summaries, not wall clocks."""

    kind: Literal["class_event"] = "class_event"
    class_session_id: Id
    event: Literal["start", "end"]
    event_time: EventTime


class ZoneInsight(Record):
    """One member's intensity over one closed event-time window."""

    kind: Literal["zone_insight"] = "zone_insight"
    class_session_id: Id
    member_id: Id
    window_start: EventTime
    window_end: EventTime
    samples: int = Field(ge=1)
    hr_avg: float = Field(ge=0, le=300)
    hr_last: int = Field(ge=0, le=300)
    hr_max_used: int = Field(ge=0, le=300,
                             description="the HRmax the percentage was computed against")
    pct_hr_max: float = Field(ge=0, le=300)
    zone: int = Field(ge=0, le=5, description="0 = below zone 1")


class Alert(Record):
    """Something the trainer should look at now."""

    kind: Literal["alert"] = "alert"
    alert_id: Id
    class_session_id: Id
    member_id: Id | None = None
    rule: Id
    severity: Literal["info", "warning", "critical"]
    message: Text
    event_time: EventTime
    evidence_start: EventTime | None = None
    evidence_end: EventTime | None = None
    value: float | None = Field(None, description="the number behind it (%HRmax, bpm, s)")


class FormEvent(Record):
    """A rep or form fault seen by a camera station; never video, only derived facts."""

    kind: Literal["form_event"] = "form_event"
    class_session_id: Id
    member_id: Id
    station_id: Id
    exercise: Id
    event_time: EventTime
    rep_index: int | None = Field(None, ge=0, le=100_000)
    rom_deg: float | None = Field(None, ge=0, le=360)
    tempo_s: float | None = Field(None, ge=0, le=600)
    faults: list[Id] = Field(default_factory=list, max_length=16)


class ClassControl(Record):
    """Worker to worker: finalize every member of a class held on one partition."""

    kind: Literal["class_control"] = "class_control"
    class_session_id: Id
    action: Literal["finalize"] = "finalize"
    ended_at: EventTime
    started_at: EventTime | None = None
    partition: int = Field(ge=0, le=10_000)
    partitions: int = Field(ge=1, le=10_000,
                            description="how many reports the summary waits for")


class MemberReport(Record):
    """One member's final numbers from the partition that held them (class end)."""

    kind: Literal["member_report"] = "member_report"
    member_id: Id
    display_name: Name | None = None
    totals: dict[str, Any] = Field(description="streams.summary.MemberTotals as a dict")
    form: dict[str, Any] | None = Field(None, description="form insights, when a camera "
                                        "station covered the member")


class PartitionReport(Record):
    """Everything one partition's owner knows about a finished class."""

    kind: Literal["partition_report"] = "partition_report"
    class_session_id: Id
    partition: int = Field(ge=0, le=10_000)
    partitions: int = Field(ge=1, le=10_000)
    started_at: EventTime | None = None
    ended_at: EventTime
    members: list[MemberReport] = Field(default_factory=list, max_length=1_000)


class DeadLetter(Record):
    """A record the worker could not use, kept verbatim with the reason."""

    kind: Literal["dead_letter"] = "dead_letter"
    source_topic: str = Field(max_length=249)  # Kafka's limit on topic names
    reason: str = Field(max_length=1_000)
    reason_code: str = Field("invalid", max_length=40, description="what the worker counts")
    payload_b64: str = Field(max_length=8_000, description="the first DEAD_PAYLOAD_BYTES")
    payload_bytes: int = Field(0, ge=0, description="the payload's full length")
    payload_sha256: str | None = Field(None, max_length=64)
    received_at: float


DEAD_PAYLOAD_BYTES = 4_096  # what a dead letter keeps verbatim; the hash names the rest


class RecordError(ValueError):
    """A payload is not a valid record of the expected type; the message says why.

    ``code`` is a short reason the worker counts dead letters by: ``tombstone``,
    ``too_large``, ``not_json``, ``newer_version``, ``unknown_field``, ``invalid``.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


RecordT = TypeVar("RecordT", bound=Record)


def parse_record(model: type[RecordT], payload: bytes | str | None) -> RecordT:
    """Decode one JSON payload into ``model`` or raise :class:`RecordError`."""
    if payload is None:
        raise RecordError(f"tombstone (null value) where a {model.__name__} was expected",
                          "tombstone")
    if len(payload) > MAX_RECORD_BYTES:
        raise RecordError(f"{len(payload)} bytes is over the {MAX_RECORD_BYTES}-byte limit "
                          f"of a {model.__name__}", "too_large")
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in errors[:5])
        raise RecordError(f"invalid {model.__name__}: {problems}"[:900],
                          _code(errors)) from None


def _code(errors: list[Any]) -> str:
    types = {err["type"] for err in errors}
    if "json_invalid" in types or "json_type" in types:
        return "not_json"
    if any(err["loc"][:1] == ("schema_version",) and "newer" in err["msg"] for err in errors):
        return "newer_version"
    if "extra_forbidden" in types:
        return "unknown_field"
    return "invalid"
