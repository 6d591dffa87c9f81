"""Everything the worker keeps for one member in one class, as one JSON-able record.

Pure: the worker's Faust table stores :meth:`MemberState.to_bytes`; the agents call the
functions here and do the I/O. A member's state is the insight session
(``streams.metrics.MemberSession``) plus what the live class needs around it:

* samples that arrived before the member's roster entry (roster and samples travel on
  different topics, so the first samples may overtake the profile) wait in ``waiting``
  until the profile comes or ``profiles.wait_s`` passes; then the session starts and the
  waiting samples go in first, in arrival order;
* form insights from camera stations (``streams.form``);
* the open bucket of the class chart (average %HRmax per ``series.bucket_s``); closed
  buckets leave the state (the sink writes them idempotently), so the state stays small;
* the strap status last shown on the tile, so the timer pushes a tile only on a change.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from streams.class_stats import member_snapshot
from streams.form import FormInsight
from streams.insight_config import AlertRules, InsightConfig
from streams.metrics import MemberSession, SampleIn
from streams.minutes import MinuteLog
from streams.physiology import MemberProfile
from streams.windows import WindowAccumulator

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Bucket:
    """One member's closed chart bucket: mean %HRmax (as a fraction) over ``seconds``."""

    start: float
    fraction: float
    seconds: int
    hr_avg: float
    hr_last: int


@dataclass(slots=True)
class MemberState:
    class_session_id: str
    member_id: str
    partition: int
    name: str | None = None
    session: MemberSession | None = None
    waiting: list[list[Any]] = field(default_factory=list)
    waiting_since: float | None = None  # worker wall clock
    form: FormInsight | None = None
    bucket: list[float] | None = None  # [start, fraction sum, windows, hr sum, hr last]
    status: str = "waiting"
    profile_late: bool = False
    finished_at: float | None = None  # worker wall clock of the class end
    ended_at: float | None = None  # event time of the class end that finalized it
    # Alerts raised but not yet confirmed stored: written with the state that raised them
    # (a transactional outbox), so a worker that crashes before the database write leaves
    # them to the next owner, which sends them again (same ids: an idempotent upsert).
    outbox: list[dict[str, Any]] = field(default_factory=list)
    minutes: MinuteLog = field(default_factory=MinuteLog)  # real-time insights per minute
    rows: list[dict[str, Any]] = field(default_factory=list)  # minutes closed, to store (not kept)
    dirty: bool = False  # changed since last written (not stored)

    @property
    def key(self) -> str:
        return state_key(self.class_session_id, self.member_id)

    @property
    def finalized(self) -> bool:
        return self.session is not None and self.session.finalized

    # -- samples ---------------------------------------------------------------------

    def take(self, samples: list[SampleIn], profile: MemberProfile | None, now: float, *,
             max_waiting: int, config: InsightConfig, rules: AlertRules,
             learned_hr_rest: int | None = None) -> list[WindowAccumulator]:
        """Samples in arrival order; returns the 1 s windows they closed."""
        if self.session is not None:
            return self.session.add_many(samples)
        if profile is None and len(self.waiting) + len(samples) <= max_waiting:
            if self.waiting_since is None:
                self.waiting_since = now
            self.waiting.extend(list(s) for s in samples)
            return []
        closed = self.start(profile, config=config, rules=rules,
                            learned_hr_rest=learned_hr_rest)
        session = self.session
        assert session is not None  # start() made it
        return closed + session.add_many(samples)

    def start(self, profile: MemberProfile | None, *, config: InsightConfig,
              rules: AlertRules, learned_hr_rest: int | None = None
              ) -> list[WindowAccumulator]:
        """Start the session (physiology is fixed from here on) and feed what waited."""
        if self.session is not None:
            return []
        session = self.session = MemberSession.new(
            self.class_session_id, self.member_id, profile, config=config, rules=rules,
            learned_hr_rest=learned_hr_rest, window_s=1.0)
        waiting: list[SampleIn] = [
            (s[0], s[1], s[2], s[3], tuple(s[4]), s[5], s[6]) for s in self.waiting]
        self.waiting, self.waiting_since, self.status = [], None, "live"
        return session.add_many(waiting)

    def wait_expired(self, now: float, wait_s: float) -> bool:
        return (self.session is None and self.waiting_since is not None
                and now - self.waiting_since >= wait_s)

    # -- chart buckets ---------------------------------------------------------------

    def add_windows(self, windows: list[WindowAccumulator], bucket_s: float) -> list[Bucket]:
        """Fold closed 1 s windows into the chart bucket; return buckets that closed."""
        if not windows or self.session is None:
            return []
        hr_max = self.session.table.physiology.hr_max
        closed = []
        for window in windows:
            start = math.floor(window.start / bucket_s) * bucket_s
            bucket = self.bucket
            if bucket is not None and bucket[0] != start:
                closed.append(_bucket(bucket))
                bucket = None
            if bucket is None:
                bucket = self.bucket = [start, 0.0, 0, 0.0, 0]
            bucket[1] += window.hr_avg / hr_max
            bucket[2] += 1
            bucket[3] += window.hr_avg
            bucket[4] = window.hr_last
        self.rows.extend(self.minutes.take(windows, hr_max, self.session))
        return closed

    def close_minutes(self) -> None:
        """The class ended: the last minute (and reps without heart rate) to store."""
        self.rows.extend(self.minutes.close(self.session))

    def flush_bucket(self) -> list[Bucket]:
        if self.bucket is None or not self.bucket[2]:
            return []
        bucket, self.bucket = self.bucket, None
        return [_bucket(bucket)]

    # -- what the tablet sees --------------------------------------------------------

    def strap_status(self, now: float, stale_after_s: float, dropped_after_s: float) -> str:
        if self.session is None:
            return "waiting" if self.waiting else "no-data"
        if self.session.finalized:
            return "finished"
        seen = self.session.watermark
        if seen is None:
            return "no-data"
        silent = now - seen
        return "dropped" if silent >= dropped_after_s else (
            "stale" if silent >= stale_after_s else "live")

    def tile(self) -> dict[str, Any]:
        """The member's tile: heart-rate snapshot, name, strap status and form."""
        if self.session is not None:
            tile = member_snapshot(self.session)
        else:
            tile = {"member_id": self.member_id, "last_seen": None, "hr": None,
                    "pct_hr_max": None, "zone": None, "effort_points": 0.0, "covered_s": 0.0,
                    "engaged_s": 0.0}
        tile["name"] = self.name or self.member_id
        tile["status"] = self.status
        if self.form is not None:
            tile["form"] = self.form.tile()
        return tile

    # -- state -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        data = {"v": STATE_VERSION, "c": self.class_session_id, "m": self.member_id,
                "p": self.partition, "name": self.name,
                "session": self.session.to_dict() if self.session else None,
                "waiting": self.waiting, "waiting_since": self.waiting_since,
                "form": self.form.to_dict() if self.form else None, "bucket": self.bucket,
                "status": self.status, "profile_late": self.profile_late,
                "finished_at": self.finished_at, "ended_at": self.ended_at,
                "outbox": self.outbox, "minutes": self.minutes.to_list()}
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, blob: bytes | str, *, config: InsightConfig, rules: AlertRules
                   ) -> MemberState:
        data = json.loads(blob)
        if data.get("v") != STATE_VERSION:
            raise ValueError(f"member state version {data.get('v')!r} is not {STATE_VERSION}")
        session = data["session"]
        return cls(class_session_id=data["c"], member_id=data["m"], partition=data["p"],
                   name=data["name"],
                   session=MemberSession.from_dict(session, config=config, rules=rules)
                   if session else None,
                   waiting=data["waiting"], waiting_since=data["waiting_since"],
                   form=FormInsight.from_dict(data["form"]) if data["form"] else None,
                   bucket=data["bucket"], status=data["status"],
                   profile_late=data["profile_late"], finished_at=data["finished_at"],
                   ended_at=data.get("ended_at"),
                   outbox=data.get("outbox", []),
                   minutes=MinuteLog.from_list(data.get("minutes")))


def state_key(class_session_id: str, member_id: str) -> str:
    return f"{class_session_id}|{member_id}"


def sample_in(strap_id: str, seq: int, event_time: float, hr_bpm: int,
              rr_intervals_ms: list[float], sensor_contact: bool | None, source: str
              ) -> SampleIn:
    return (strap_id, seq, event_time, hr_bpm, tuple(rr_intervals_ms), sensor_contact, source)


def _bucket(raw: list[float]) -> Bucket:
    n = int(raw[2])
    return Bucket(start=raw[0], fraction=round(raw[1] / n, 4), seconds=n,
                  hr_avg=round(raw[3] / n, 1), hr_last=int(raw[4]))
