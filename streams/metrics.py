"""Per-member intensity metrics on event time: one incremental state, live and batch.

:class:`MemberSession` is everything the worker keeps for one member in one class: it
dedupes by strap sequence number, reorders samples within a grace period, counts late
ones instead of merging them, and accounts each sample for the time to the next one
(zones, effort points, TRIMP, calories, HRV, recovery, alert trackers). The batch command
feeds a recording through the very same object (:func:`summarize_recording`), so a replay
through the worker and ``spotter hr summary`` give the same numbers.

State is a JSON-able dict (``to_dict`` / ``from_dict``) for a Faust table with changelog.
Worker use, per member: ``add``/``add_many`` per sample (returns closed 1 s windows),
``streams.alert_rules.tick`` from the 1 s timer, ``finalize`` + ``totals`` at class end.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from streams.alerts import AlertTracker
from streams.insight_config import (
    AlertRules,
    InsightConfig,
    default_alert_rules,
    default_insight_config,
)
from streams.physiology import (
    MAX_BPM,
    HrvAccumulator,
    MemberProfile,
    RateTable,
    RecoveryTracker,
    learned_resting_hr,
    rate_table,
    resolve_physiology,
)
from streams.summary import MemberTotals
from streams.windows import SEQ_DUPLICATE, SeqTracker, WindowAccumulator

# Below this a reading is not a heart rate (straps send 0 bpm without skin contact).
MIN_VALID_BPM = 25

# (strap_id, seq, event_time, hr_bpm, rr_intervals_ms, sensor_contact, source)
SampleIn = tuple[str, int, float, int, tuple[float, ...], "bool | None", str]

Entry = tuple[float, int, "bool | None", tuple[float, ...], bool]  # t, hr, contact, rr, rr ok

_COUNTERS = ("samples", "late", "duplicates", "out_of_order", "no_contact", "covered_s",
             "no_data_s", "effort", "trimp", "kcal", "engaged_s", "hr_time", "hr_peak")


@dataclass(slots=True)
class MemberSession:
    """One member's incremental state in one class session."""

    class_session_id: str
    member_id: str
    profile: MemberProfile
    config: InsightConfig
    rules: AlertRules
    table: RateTable
    window_s: float | None = 1.0  # tumbling ZoneInsight windows; None: none
    learned_hr_rest: int | None = None  # from earlier sessions, used without a profile value
    seqs: SeqTracker = field(default_factory=SeqTracker)
    watermark: float | None = None  # newest event time accepted
    released_t: float | None = None  # newest event time accounted
    first_t: float | None = None
    finalized: bool = False
    pending: list[Entry] = field(default_factory=list)  # waiting out the grace period
    prev_hr: int = 0
    zone_s: list[float] = field(default_factory=lambda: [0.0] * 6)
    counters: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_COUNTERS, 0))
    rest_hist: dict[int, int] = field(default_factory=dict)
    live: list[float] = field(default_factory=list)  # [t, hr, smoothed hr] of the newest
    window: list[float] | None = None  # [start, end, samples, hr_sum, hr_last, t_last, peak]
    window_closed_end: float = -math.inf
    hrv: HrvAccumulator = field(default_factory=HrvAccumulator.empty)
    recovery: RecoveryTracker = field(default_factory=RecoveryTracker)
    alerts: AlertTracker = field(default_factory=AlertTracker)
    # Settings and lookup tables the hot loop reads, unpacked once (derived, not state).
    _hot: tuple[Any, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cov, tab = self.config.coverage, self.table
        self._hot = (cov.max_gap_s, cov.gap_policy == "cap",
                     self.config.recovery.work_fraction_hrmax, tab.zone, tab.fraction_hrmax,
                     tab.effort_per_s, tab.trimp_per_s, tab.kcal_per_s, tab.engaged,
                     tab.resting_candidate)

    @classmethod
    def new(cls, class_session_id: str, member_id: str, profile: MemberProfile | None = None,
            *, config: InsightConfig | None = None, rules: AlertRules | None = None,
            learned_hr_rest: int | None = None, window_s: float | None = 1.0
            ) -> MemberSession:
        """A fresh session. Physiology is fixed for the session (tiles and summary agree);
        ``window_s`` None: no tumbling ZoneInsight windows are produced."""
        cfg = config or default_insight_config()
        prof = profile or MemberProfile()
        table = rate_table(resolve_physiology(prof, cfg, learned_hr_rest), cfg)
        return cls(class_session_id, member_id, prof, cfg, rules or default_alert_rules(),
                   table, window_s or None, learned_hr_rest)

    def add(self, strap_id: str, seq: int, event_time: float, hr_bpm: int, *,
            rr_intervals_ms: tuple[float, ...] | list[float] = (),
            sensor_contact: bool | None = None, source: str = "unknown"
            ) -> list[WindowAccumulator]:
        """Take one sample in arrival order; return the tumbling windows it closed."""
        return self.add_many(((strap_id, seq, event_time, hr_bpm, tuple(rr_intervals_ms),
                               sensor_contact, source),))

    def add_many(self, samples: Iterable[SampleIn]) -> list[WindowAccumulator]:
        """Take samples in arrival order (a consumer batch); return the windows closed.

        Same result as calling :meth:`add` per sample: lateness is decided on the
        watermark alone, so accounting can wait for the end of the batch.
        """
        counters, seqs, pending, cov = self.counters, self.seqs, self.pending, self.config.coverage
        grace, tau, max_gap = cov.grace_s, cov.smoothing_tau_s, cov.max_gap_s
        hrv_sources, watermark, released = self.config.hrv.sources, self.watermark, self.released_t
        for strap_id, seq, t, hr, rr, contact, source in samples:
            outcome = seqs.observe(strap_id, seq)
            if outcome:
                if outcome == SEQ_DUPLICATE:
                    counters["duplicates"] += 1
                    continue
                if watermark is not None and t <= watermark:  # SEQ_TOO_OLD: a stale redelivery
                    counters["late"] += 1
                    continue
                seqs.restart(strap_id, seq)  # the strap's counter restarted
            if hr < MIN_VALID_BPM or contact is False:
                counters["no_contact"] += 1  # not a heart rate: no data
                continue
            if self.finalized or (released is not None and t < released) or (
                    watermark is not None and t < watermark - grace):
                counters["late"] += 1  # counted, never merged
                continue
            if hr > MAX_BPM:
                hr = MAX_BPM
            elif type(hr) is not int:  # a float bpm from a file: the tables are per whole bpm
                hr = round(hr)
            entry = (t, hr, contact, rr, bool(rr) and source in hrv_sources)
            if not pending or t >= pending[-1][0]:
                pending.append(entry)
            else:
                insort(pending, entry, key=_event_time)
            if watermark is None or t > watermark:
                self.watermark = watermark = t
                live = self.live
                if live and t - live[0] <= max_gap:
                    # EMA on arrival for the tile; alpha = dt / (tau + dt) is the implicit-
                    # Euler step of a first-order low-pass (no exp on the hot path).
                    live[2] += (t - live[0]) / (tau + t - live[0]) * (hr - live[2])
                    live[0], live[1] = t, hr
                else:
                    self.live = [t, hr, float(hr)]
            else:
                counters["out_of_order"] += 1
        if pending and watermark is not None and pending[0][0] <= watermark - grace:
            return self._release(watermark - grace)
        return []

    def _release(self, limit: float) -> list[WindowAccumulator]:
        """Account every pending sample at or before ``limit``, oldest first; return the
        tumbling windows that ``limit`` has passed.

        Each sample counts for the time to the next one (at most ``max_gap_s``). This is
        the hot loop, so accumulators are locals written back once.
        """
        pending, closed, cfg, c, zone_s = self.pending, [], self.config, self.counters, self.zone_s
        (max_gap, cap, work, zone, fraction, effort_tab, trimp_tab, kcal_tab, engaged_tab,
         resting) = self._hot
        recovery, alerts, rules, hrv = self.recovery, self.alerts, self.rules, self.hrv
        rest_hist, size, win = self.rest_hist, self.window_s, self.window
        covered, effort, trimp, kcal = c["covered_s"], c["effort"], c["trimp"], c["kcal"]
        engaged, hr_time, no_data = c["engaged_s"], c["hr_time"], c["no_data_s"]
        prev_t, prev_hr, peak, count = self.released_t, self.prev_hr, c["hr_peak"], 0
        for t, hr, contact, rr, rr_ok in pending:
            if t > limit:
                break
            count += 1
            gap = True
            if prev_t is None:
                self.first_t = t
            else:
                weight = t - prev_t
                if weight <= max_gap:
                    gap = False
                else:
                    no_data += weight - (max_gap if cap else 0.0)
                    weight = max_gap if cap else 0.0
                if weight > 0:
                    zone_s[zone[prev_hr]] += weight
                    covered += weight
                    effort += effort_tab[prev_hr] * weight
                    trimp += trimp_tab[prev_hr] * weight
                    if kcal_tab is not None:
                        kcal += kcal_tab[prev_hr] * weight
                    if engaged_tab[prev_hr]:
                        engaged += weight
                    hr_time += prev_hr * weight
            prev_t, prev_hr = t, hr
            if hr > peak:
                peak = hr
            if resting[hr]:
                rest_hist[hr] = rest_hist.get(hr, 0) + 1
            frac = fraction[hr]
            if frac >= work or recovery.bout_start is not None or recovery.candidate is not None:
                recovery.observe(t, hr, frac, gap, cfg)
            alerts.observe(t, hr, frac, zone[hr], contact, gap, rules)
            if rr_ok:
                if gap:
                    hrv.break_run(cfg)
                hrv.add_beats(rr, cfg)
            if size is not None:
                if win is not None and t >= win[1]:
                    closed.append(_closed_window(win))
                    self.window_closed_end, win = win[1], None
                if t >= self.window_closed_end:  # else its window was closed by advance()
                    if win is None:
                        start = math.floor(t / size) * size
                        win = [start, start + size, 0, 0.0, hr, t, hr]
                    win[2] += 1
                    win[3] += hr
                    win[4], win[5] = hr, t
                    if hr > win[6]:
                        win[6] = hr
        del pending[:count]
        if win is not None and win[1] <= limit:
            closed.append(_closed_window(win))
            self.window_closed_end, win = win[1], None
        self.window, self.released_t, self.prev_hr = win, prev_t, prev_hr
        c["samples"] += count
        c["covered_s"], c["effort"], c["trimp"], c["kcal"] = covered, effort, trimp, kcal
        c["engaged_s"], c["hr_time"], c["no_data_s"], c["hr_peak"] = engaged, hr_time, no_data, peak
        return closed

    def advance(self, now: float) -> list[WindowAccumulator]:
        """Timer tick (``now`` on the event-time clock): account samples older than
        ``now - grace`` even if the strap went quiet; return the windows that closed.
        Marks nothing late by itself (a fast replay may run ahead of the clock)."""
        return self._release(now - self.config.coverage.grace_s)

    def finalize(self) -> list[WindowAccumulator]:
        """Class over (or recording read): account everything, credit the last sample
        ``last_sample_s``, flush HRV. Later samples count as late. Idempotent."""
        if self.finalized:
            return []
        closed = self._release(math.inf)
        if self.released_t is not None:
            self._credit(self.prev_hr, self.config.coverage.last_sample_s)
        self.hrv.break_run(self.config)
        self.finalized = True
        return closed

    def _credit(self, hr: int, seconds: float) -> None:
        """``seconds`` at ``hr``: for the final sample, which has no successor."""
        tab, c = self.table, self.counters
        self.zone_s[tab.zone[hr]] += seconds
        c["covered_s"] += seconds
        c["effort"] += tab.effort_per_s[hr] * seconds
        c["trimp"] += tab.trimp_per_s[hr] * seconds
        if tab.kcal_per_s is not None:
            c["kcal"] += tab.kcal_per_s[hr] * seconds
        if tab.engaged[hr]:
            c["engaged_s"] += seconds
        c["hr_time"] += hr * seconds

    def totals(self) -> MemberTotals:
        """Summary numbers over what has been accounted (call ``finalize`` first for a
        finished class or recording).

        Rounding (0.1 s, 0.01 points) makes a replay whose timestamps were shifted by a
        float offset report exactly what the batch command reports for the same file.
        """
        c, phys, cfg = self.counters, self.table.physiology, self.config
        covered = c["covered_s"]
        recoveries = self.recovery.results
        rmssd = self.hrv.rmssd(cfg.hrv.min_pairs)
        return MemberTotals(
            member_id=self.member_id,
            duration_s=round(covered, 1),
            elapsed_s=round((self.released_t or 0.0) - (self.first_t or 0.0), 1),
            no_data_s=round(c["no_data_s"], 1),
            avg_hr=round(c["hr_time"] / covered, 1) if covered > 0 else None,
            max_hr=int(c["hr_peak"]) if c["samples"] else None,
            zones_s=[round(s, 1) for s in self.zone_s[1:]],
            below_zone1_s=round(self.zone_s[0], 1),
            effort_points=round(c["effort"], 2), trimp=round(c["trimp"], 2),
            kcal=round(c["kcal"], 1) if self.table.kcal_per_s is not None else None,
            engaged_s=round(c["engaged_s"], 1),
            rmssd_ms=None if rmssd is None else round(rmssd, 1),
            rr_beats=self.hrv.beats, rr_rejected=self.hrv.rejected,
            recovery_bpm_60s=recoveries[-1]["drop_bpm"] if recoveries else None,
            recoveries=[dict(r) for r in recoveries],
            hr_max_used=phys.hr_max, hr_rest_used=phys.hr_rest,
            hr_max_source=phys.hr_max_source, hr_rest_source=phys.hr_rest_source,
            learned_hr_rest=learned_resting_hr(self.rest_hist, cfg.physiology.resting_percentile,
                                               cfg.physiology.resting_min_samples),
            samples=int(c["samples"]), late_samples=int(c["late"]),
            duplicate_samples=int(c["duplicates"]), missing_samples=self.seqs.missing,
            out_of_order_samples=int(c["out_of_order"]), no_contact_samples=int(c["no_contact"]),
        )

    # -- state -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-able state (copies, so later samples do not change what was returned)."""
        data: dict[str, Any] = {name: _copy(getattr(self, name)) for name in _PLAIN_FIELDS}
        rec, p = self.recovery, self.profile
        data.update(
            v=STATE_VERSION, seqs=self.seqs.to_dict(),
            profile={"age": p.age, "sex": p.sex, "weight_kg": p.weight_kg, "hr_max": p.hr_max,
                     "hr_rest": p.hr_rest},
            pending=[[t, hr, contact, list(rr), ok] for t, hr, contact, rr, ok in self.pending],
            rest_hist={str(k): v for k, v in self.rest_hist.items()},
            window_closed_end=None if self.window_closed_end == -math.inf
            else self.window_closed_end,
            hrv=self.hrv.to_dict(), alerts=self.alerts.to_dict(),
            recovery={"bout_start": rec.bout_start, "bout_end": _copy(rec.bout_end),
                      "candidate": _copy(rec.candidate), "results": _copy(rec.results)})
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, config: InsightConfig | None = None,
                  rules: AlertRules | None = None) -> MemberSession:
        """Restore a session; config and rules are settings, not state, so pass the same
        ones the worker runs with (defaults: the repository's TOML files)."""
        if data.get("v") != STATE_VERSION:
            raise ValueError(f"member session state version {data.get('v')!r} is not "
                             f"{STATE_VERSION}; start a new session for this member")
        session = cls.new(data["class_session_id"], data["member_id"],
                          MemberProfile(**data["profile"]), config=config, rules=rules,
                          learned_hr_rest=data["learned_hr_rest"], window_s=data["window_s"])
        for name in _PLAIN_FIELDS:
            setattr(session, name, _copy(data[name]))
        session.seqs = SeqTracker.from_dict(data["seqs"])
        session.pending = [(e[0], e[1], e[2], tuple(e[3]), e[4]) for e in data["pending"]]
        session.rest_hist = {int(k): v for k, v in data["rest_hist"].items()}
        if data["window_closed_end"] is not None:
            session.window_closed_end = data["window_closed_end"]
        session.hrv = HrvAccumulator.from_dict(_copy(data["hrv"]))
        session.recovery = RecoveryTracker(**_copy(data["recovery"]))
        session.alerts = AlertTracker.from_dict(data["alerts"])
        return session


STATE_VERSION = 1
_PLAIN_FIELDS = ("class_session_id", "member_id", "window_s", "learned_hr_rest", "watermark",
                 "released_t", "first_t", "finalized", "prev_hr", "zone_s", "counters", "live",
                 "window")


def _copy(value: Any) -> Any:
    """Copy JSON-like containers (state must not alias the live object)."""
    if type(value) is list:
        return [_copy(v) if type(v) in (list, dict) else v for v in value]
    if type(value) is dict:
        return {k: _copy(v) if type(v) in (list, dict) else v for k, v in value.items()}
    return value


class RecordingSample(Protocol):
    """What the batch path needs of a sample (``ingest.source.RecordedSample`` fits)."""

    @property
    def t(self) -> float: ...
    @property
    def hr_bpm(self) -> int: ...
    @property
    def rr_intervals_ms(self) -> tuple[float, ...]: ...


def replay_session(samples: Iterable[RecordingSample], profile: MemberProfile | None = None, *,
                   member_id: str = "recording", config: InsightConfig | None = None,
                   source: str = "replay") -> MemberSession:
    """Feed a recording through a fresh :class:`MemberSession`, exactly as the worker
    would (file order as arrival order, index as sequence number), and finalize it."""
    session = MemberSession.new("batch", member_id, profile, config=config, window_s=None)
    for index, sample in enumerate(samples):
        session.add("recording", index, sample.t, sample.hr_bpm,
                    rr_intervals_ms=sample.rr_intervals_ms, source=source)
    session.finalize()
    return session


def summarize_recording(samples: Iterable[RecordingSample], profile: MemberProfile | None = None,
                        *, member_id: str = "recording", config: InsightConfig | None = None,
                        source: str = "replay") -> MemberTotals:
    """The batch summary of one recording: the live code path, run to the end."""
    return replay_session(samples, profile, member_id=member_id, config=config,
                          source=source).totals()


def _event_time(entry: Entry) -> float:
    return entry[0]


def _closed_window(win: list[float]) -> WindowAccumulator:
    # positional: (start, end, samples, hr_sum, hr_last, last_time, hr_peak)
    return WindowAccumulator(win[0], win[1], int(win[2]), win[3], int(win[4]), win[5],
                             int(win[6]))
