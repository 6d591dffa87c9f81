"""The post-class summary the worker stores: members' reports in, one document out.

Pure. At a class end every partition's owner reports its members' final totals
(``contract.records.PartitionReport``); the worker then adds what the database and Redis
know (alerts raised and acknowledged, each member's earlier classes, the chart buckets)
and calls this module, which calls ``streams.summary`` for the numbers, highlights and
areas for improvement. The same inputs always give the same document, so storing it
again (a redelivered class end) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from streams.form import fault_label
from streams.insight_config import InsightConfig
from streams.summary import (
    AlertSeen,
    MemberSummary,
    MemberTotals,
    Note,
    PastClass,
    summarize_class,
    summarize_member,
    summary_payload,
)

# A fault in at least this share of a member's reps is worth a line in the summary (our
# choice: a quarter of the reps is a habit, not a tired last rep); clean form over at
# least FORM_CLEAN_MIN_REPS reps is worth praise.
FORM_NOTE_MIN_SHARE = 0.25
FORM_CLEAN_MIN_REPS = 10

Series = Mapping[str, Mapping[float, tuple[float, int]]]


def class_series(series: Series, started_at: float | None, bucket_s: float) -> dict[str, Any]:
    """Average %HRmax of the members with data in each bucket (the summary chart).

    Each member counts once per bucket whatever their sample rate, so one chatty strap
    cannot pull the class line.
    """
    starts = sorted({start for buckets in series.values() for start in buckets})
    origin = started_at if started_at is not None else (starts[0] if starts else 0.0)
    t_s, average, members = [], [], []
    for start in starts:
        values = [b[start][0] for b in series.values() if start in b]
        t_s.append(round(start - origin, 1))
        average.append(round(sum(values) / len(values), 4))
        members.append(len(values))
    return {"bucket_s": bucket_s, "origin": origin, "t_s": t_s, "avg_pct_hr_max": average,
            "members": members}


def form_notes(form: Mapping[str, Any] | None) -> tuple[list[Note], list[Note]]:
    """Highlights and improvements from a member's form insights (camera stations)."""
    if not form or not form.get("reps"):
        return [], []
    reps, counts = int(form["reps"]), dict(form.get("fault_counts") or {})
    if not counts:
        if reps >= FORM_CLEAN_MIN_REPS:
            return [Note(kind="form_clean", value=reps,
                         message=f"{reps} reps on camera without a form fault.")], []
        return [], []
    fault, seen = max(counts.items(), key=lambda item: (item[1], item[0]))
    share = seen / reps
    if share < FORM_NOTE_MIN_SHARE:
        return [], []
    return [], [Note(kind="form_fault", value=round(share, 3), message=(
        f"{fault_label(fault).capitalize()} in {seen} of {reps} reps ({share:.0%}); "
        "slow the next sets down and ask your trainer for a cue."))]


def build_summary(class_session_id: str, reports: Iterable[Mapping[str, Any]], *,
                  alerts: Iterable[Mapping[str, Any]], history: Mapping[str, list[PastClass]],
                  series: Series, started_at: float | None, ended_at: float | None,
                  bucket_s: float, config: InsightConfig | None = None
                  ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The class document and one document per member (what each member may read).

    ``reports``: PartitionReport dicts; ``alerts``: stored alerts with ``member_id``,
    ``rule``, ``severity`` and ``acknowledged``.
    """
    alert_list = [dict(a) for a in alerts]
    by_member: dict[str, list[AlertSeen]] = {}
    for alert in alert_list:
        if alert.get("member_id"):
            by_member.setdefault(alert["member_id"], []).append(AlertSeen(
                alert_id=alert["alert_id"], rule=alert["rule"],
                severity=alert.get("severity", "info"),
                acknowledged=bool(alert.get("acknowledged"))))
    members: list[MemberSummary] = []
    forms: dict[str, Any] = {}
    for report in sorted((m for r in reports for m in r["members"]),
                         key=lambda m: m["member_id"]):
        member_id = report["member_id"]
        summary = summarize_member(
            MemberTotals.model_validate(report["totals"]), alerts=by_member.get(member_id),
            history=history.get(member_id), display_name=report.get("display_name"),
            config=config)
        highlights, improvements = form_notes(report.get("form"))
        summary = summary.model_copy(update={
            "highlights": summary.highlights + highlights,
            "improvements": summary.improvements + improvements})
        members.append(summary)
        if report.get("form"):
            forms[member_id] = report["form"]
    whole = summarize_class(class_session_id, members, started_at=started_at,
                            ended_at=ended_at)
    document = summary_payload(whole)
    document["series"] = class_series(series, started_at, bucket_s)
    document["form"] = forms
    document["alerts"] = sorted(alert_list, key=lambda a: a.get("event_time", 0.0))
    per_member = {}
    for member in members:
        part = member.model_dump(mode="json")
        part.update(class_session_id=class_session_id, started_at=started_at,
                    ended_at=ended_at, form=forms.get(member.member_id))
        per_member[member.member_id] = part
    return document, per_member
