"""Post-class summaries: what each member did, what stood out, what to work on next.

Pure: the member's accounted numbers (:class:`MemberTotals`, from
``streams.metrics.MemberSession``), the alerts raised and acknowledged and the member's
earlier classes all come in as data, and the result is pydantic models the API stores in
``post_class_summaries`` and renders. Nothing here reads a clock or a database, so the
same class always gets the same summary (the summary is stored idempotently).
"""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel, Field

from streams.insight_config import InsightConfig, default_insight_config


class MemberTotals(BaseModel):
    """A member's numbers over everything accounted so far (the summary's raw material)."""

    member_id: str
    duration_s: float = Field(description="time with data (each sample counts to the next)")
    elapsed_s: float = Field(description="first to last sample")
    no_data_s: float = Field(description="time inside gaps longer than max_gap_s")
    avg_hr: float | None = Field(description="time-weighted over duration_s")
    max_hr: int | None
    zones_s: list[float] = Field(description="seconds in zones 1..5")
    below_zone1_s: float
    effort_points: float
    trimp: float
    kcal: float | None = Field(description="None without weight and age")
    engaged_s: float = Field(description="seconds at or above 70 % HRmax")
    rmssd_ms: float | None = Field(description="None without enough chest-strap RR")
    rr_beats: int
    rr_rejected: int
    recovery_bpm_60s: float | None = Field(description="drop after the last work bout")
    recoveries: list[dict[str, float]]
    hr_max_used: int
    hr_rest_used: int
    hr_max_source: str
    hr_rest_source: str
    learned_hr_rest: int | None = Field(description="store for the member's next class")
    samples: int
    late_samples: int
    duplicate_samples: int
    missing_samples: int
    out_of_order_samples: int
    no_contact_samples: int


class AlertSeen(BaseModel):
    """An alert raised during the class, as the API stored it."""

    alert_id: str
    rule: str
    severity: str = "info"
    acknowledged: bool = False


class PastClass(BaseModel):
    """One of the member's earlier classes (any field may be missing)."""

    effort_points: float | None = None
    trimp: float | None = None
    recovery_bpm_60s: float | None = None
    engaged_share: float | None = None
    top_zones_s: float | None = Field(None, description="seconds in zones 4-5")


class Note(BaseModel):
    """A highlight or an area for improvement: a stable kind plus a sentence."""

    kind: str
    message: str
    value: float | None = None


class MemberSummary(BaseModel):
    member_id: str
    display_name: str | None = None
    totals: MemberTotals
    engaged_share: float | None
    alerts_raised: int
    alerts_acknowledged: int
    alerts_by_rule: dict[str, int]
    highlights: list[Note]
    improvements: list[Note]

    def as_past_class(self) -> PastClass:
        """What to keep in the member's history for the next summary's comparisons."""
        return PastClass(effort_points=self.totals.effort_points, trimp=self.totals.trimp,
                         recovery_bpm_60s=self.totals.recovery_bpm_60s,
                         engaged_share=self.engaged_share,
                         top_zones_s=sum(self.totals.zones_s[3:]))


class ClassSummary(BaseModel):
    class_session_id: str
    started_at: float | None
    ended_at: float | None
    members: list[MemberSummary]
    member_count: int
    total_effort_points: float
    avg_effort_points: float | None
    avg_pct_hr_max: float | None = Field(description="time-weighted over all members")
    engagement: float | None = Field(description="share of active time at >= 70 % HRmax")
    zones_s: list[float]
    alerts_raised: int
    alerts_acknowledged: int
    top_effort: list[str] = Field(description="member ids, most effort points first")
    needs_attention: list[str] = Field(description="members with a critical alert or "
                                       "an abnormal-looking recovery")


def summarize_member(totals: MemberTotals, *, alerts: list[AlertSeen] | None = None,
                     history: list[PastClass] | None = None, display_name: str | None = None,
                     config: InsightConfig | None = None) -> MemberSummary:
    """One member's post-class summary: numbers, highlights and areas for improvement."""
    cfg = config or default_insight_config()
    raised = alerts or []
    by_rule: dict[str, int] = {}
    for alert in raised:
        by_rule[alert.rule] = by_rule.get(alert.rule, 0) + 1
    engaged = totals.engaged_s / totals.duration_s if totals.duration_s > 0 else None
    return MemberSummary(
        member_id=totals.member_id, display_name=display_name, totals=totals,
        engaged_share=None if engaged is None else round(engaged, 3),
        alerts_raised=len(raised), alerts_acknowledged=sum(a.acknowledged for a in raised),
        alerts_by_rule=by_rule,
        highlights=_highlights(totals, engaged, history or [], cfg),
        improvements=_improvements(totals, engaged, cfg),
    )


def _best(history: list[PastClass], field: str) -> float | None:
    values = [getattr(h, field) for h in history if getattr(h, field) is not None]
    return max(values) if values else None


def _highlights(totals: MemberTotals, engaged: float | None, history: list[PastClass],
                cfg: InsightConfig) -> list[Note]:
    if totals.duration_s <= 0:
        return []
    if not history:
        return [Note(kind="first_class", value=totals.effort_points,
                     message=f"First tracked class: {totals.effort_points:.0f} effort points "
                             "set your baseline.")]
    notes: list[Note] = []
    top = sum(totals.zones_s[3:])
    current = {"effort_points": totals.effort_points, "trimp": totals.trimp,
               "recovery_bpm_60s": totals.recovery_bpm_60s, "engaged_share": engaged,
               "top_zones_s": top}
    labels = {"effort_points": ("effort points", "{:.0f}"),
              "trimp": ("training load (TRIMP)", "{:.0f}"),
              "recovery_bpm_60s": ("heart-rate recovery", "{:.0f} bpm in 60 s"),
              "engaged_share": ("share of time at 70 %+ HRmax", "{:.0%}"),
              "top_zones_s": ("time in zones 4-5", "{:.0f} s")}
    for field, (label, fmt) in labels.items():
        value, best = current[field], _best(history, field)
        if value is not None and best is not None and value > best:
            notes.append(Note(kind=f"best_{field}", value=value,
                              message=f"Personal best {label}: {fmt.format(value)} "
                                      f"(previous best {fmt.format(best)})."))
    efforts = [h.effort_points for h in history if h.effort_points is not None]
    if len(efforts) >= cfg.summary.min_history_for_average:
        typical = statistics.mean(efforts)
        if typical > 0 and abs(totals.effort_points / typical - 1) >= 0.10:
            change = totals.effort_points / typical - 1
            notes.append(Note(kind="effort_vs_average", value=round(change, 3),
                              message=f"Effort points {change:+.0%} versus your average of "
                                      f"{typical:.0f} over {len(efforts)} classes."))
    return notes


def _improvements(totals: MemberTotals, engaged: float | None, cfg: InsightConfig
                  ) -> list[Note]:
    s, notes = cfg.summary, []
    active = totals.duration_s
    if active <= 0:
        return [Note(kind="no_data", message="No heart-rate data this class: check that the "
                                             "strap is paired to you and worn snugly.")]
    if engaged is not None and engaged < s.target_engaged_share:
        notes.append(Note(kind="low_engagement", value=round(engaged, 3), message=(
            f"{totals.engaged_s / 60:.0f} of {active / 60:.0f} active minutes at 70 %+ HRmax "
            f"({engaged:.0%}); aim for {s.target_engaged_share:.0%} "
            f"({s.target_engaged_share * active / 60:.0f} min) in zones 3-4 next class.")))
    top_share = totals.zones_s[4] / active
    if top_share > s.max_top_zone_share:
        notes.append(Note(kind="unpaced_top_zone", value=round(top_share, 3), message=(
            f"{totals.zones_s[4] / 60:.0f} min ({top_share:.0%}) in zone 5; pace the first "
            "intervals a little lower so the last ones are as strong.")))
    if totals.recovery_bpm_60s is not None and totals.recovery_bpm_60s <= s.min_recovery_bpm:
        notes.append(Note(kind="slow_recovery", value=totals.recovery_bpm_60s, message=(
            f"Heart rate fell only {totals.recovery_bpm_60s:.0f} bpm in the minute after the "
            "last effort; keep moving gently in the cool-down, and mention it to your trainer "
            "if it stays this slow.")))
    gaps = totals.no_data_s / max(totals.elapsed_s, 1e-9)
    if gaps > s.max_no_data_share:
        notes.append(Note(kind="strap_signal", value=round(gaps, 3), message=(
            f"The strap lost signal for {totals.no_data_s / 60:.1f} min ({gaps:.0%}); moisten "
            "the electrodes and tighten the strap below the chest muscles.")))
    if totals.max_hr is not None and totals.max_hr > totals.hr_max_used + s.hr_max_margin_bpm:
        notes.append(Note(kind="hr_max_too_low", value=totals.max_hr, message=(
            f"Peak {totals.max_hr} bpm is above the HRmax used ({totals.hr_max_used}); update "
            "the profile so zones and points fit you.")))
    return notes


def summarize_class(class_session_id: str, members: list[MemberSummary], *,
                    started_at: float | None = None, ended_at: float | None = None
                    ) -> ClassSummary:
    """The class view over its members' summaries (aggregates are time-weighted)."""
    covered = sum(m.totals.duration_s for m in members)
    weighted = [(m.totals.avg_hr / m.totals.hr_max_used) * m.totals.duration_s
                for m in members if m.totals.avg_hr is not None]
    engaged = sum(m.totals.engaged_s for m in members)
    effort = sum(m.totals.effort_points for m in members)
    zones = [round(sum(m.totals.zones_s[i] for m in members), 1) for i in range(5)]
    attention = [m.member_id for m in members
                 if any(n.kind == "slow_recovery" for n in m.improvements)
                 or m.alerts_by_rule.get("spike") or m.alerts_by_rule.get("sustained_high")]
    return ClassSummary(
        class_session_id=class_session_id, started_at=started_at, ended_at=ended_at,
        members=members, member_count=len(members), total_effort_points=round(effort, 2),
        avg_effort_points=round(effort / len(members), 2) if members else None,
        avg_pct_hr_max=round(sum(weighted) / covered, 4) if covered > 0 else None,
        engagement=round(engaged / covered, 4) if covered > 0 else None,
        zones_s=zones,
        alerts_raised=sum(m.alerts_raised for m in members),
        alerts_acknowledged=sum(m.alerts_acknowledged for m in members),
        top_effort=[m.member_id for m in sorted(members, key=lambda m: -m.totals.effort_points)],
        needs_attention=attention,
    )


def summary_payload(summary: ClassSummary) -> dict[str, Any]:
    """JSON-ready dict of a class summary (what ``post_class_summaries`` stores)."""
    return summary.model_dump(mode="json")
