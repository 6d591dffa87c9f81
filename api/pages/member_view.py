"""What the member portal says about a check-in and about past classes, in words.

Pure functions over stored records and the planner's own thresholds (configs/planner.toml
[readiness], [live]), so the page explains the same rule the planner applies rather than
a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from planner.config import PlannerConfig

STATUS_WORDS = {"train": "Train as planned", "reduce": "Go lighter today",
                "recover": "Make it a recovery day"}
# Each answer as the planner scores it: (label, 1-5 answer -> 0..1 where 1 is best).
ANSWERS = (("sleep", "sleep"), ("energy", "energy"), ("stress", "stress"),
           ("soreness", "soreness"), ("pain", "pain"))
_BEST_HIGH = {"sleep", "energy"}


@dataclass(frozen=True)
class ReadinessView:
    score: int
    status: str
    headline: str
    advice: str
    rule: str
    pulled_down: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _goodness(name: str, answer: int) -> float:
    return (answer - 1) / 4 if name in _BEST_HIGH else (5 - answer) / 4


def readiness_view(answers: dict[str, Any], status: dict[str, Any], config: PlannerConfig
                   ) -> ReadinessView:
    """The check-in's score, what to do about it, the rule behind it, and which answers
    pulled it down (those under the middle of their scale)."""
    rules, live = config.readiness, config.live
    cut = live.fatigue_intensity_cut_percent
    dropped = round(100 * live.fatigue_volume_cut_fraction)
    advice = {
        "train": "Do the session as your coach planned it.",
        "reduce": f"Use about {cut:g} % less weight (or effort) and do about {dropped} % "
                  "fewer sets than planned.",
        "recover": f"Keep it easy: about {2 * cut:g} % less weight (or effort) and half "
                   "the sets, or rest.",
    }[status["status"]]
    rule = (f"{rules.train_at:g} or more: train as planned; {rules.reduce_at:g} up to "
            f"{rules.train_at:g}: go lighter; under {rules.reduce_at:g}: recovery day. "
            f"Pain of {rules.pain_stop} or more out of 5 means no load on the painful area.")
    low = [f"{label} {answers[name]} of 5" for name, label in ANSWERS
           if name in answers and _goodness(name, int(answers[name])) < 0.5]
    return ReadinessView(score=round(float(status["readiness"])), status=status["status"],
                         headline=STATUS_WORDS.get(status["status"], status["status"]),
                         advice=advice, rule=rule, pulled_down=low,
                         notes=list(status.get("notes") or []))


@dataclass(frozen=True)
class PastClass:
    class_name: str
    ended_iso: str  # for <time datetime>; the browser shows it in the device's time zone
    ended_text: str  # the same moment in the studio's time zone, for pages without script
    effort_points: float | None
    avg_hr: float | None
    max_hr: float | None
    minutes: float | None
    highlights: list[str]
    improvements: list[str]


def when(unix_seconds: float | None, zone: str) -> tuple[str, str]:
    """(ISO 8601 in UTC, 'Mon 7 Dec 18:30' in the studio's zone) for a class end."""
    if unix_seconds is None:
        return "", "-"
    moment = datetime.fromtimestamp(unix_seconds, UTC)
    local = moment.astimezone(ZoneInfo(zone))
    return moment.isoformat(), f"{local:%a} {local.day} {local:%b %H:%M}"


def past_class(summary: dict[str, Any], ended_at: float | None, class_name: str,
               zone: str) -> PastClass:
    totals = summary.get("totals") or {}
    iso, text = when(ended_at, zone)
    duration = totals.get("duration_s")
    return PastClass(class_name=class_name, ended_iso=iso, ended_text=text,
                     effort_points=totals.get("effort_points"), avg_hr=totals.get("avg_hr"),
                     max_hr=totals.get("max_hr"),
                     minutes=duration / 60 if duration else None,
                     highlights=[n["message"] for n in summary.get("highlights") or []],
                     improvements=[n["message"] for n in summary.get("improvements") or []])


def history_series(classes: list[tuple[float | None, PastClass]]) -> dict[str, list[Any]]:
    """Oldest first, for the chart: class end (Unix s), effort points, average HR."""
    rows = sorted(((t, c) for t, c in classes if t is not None), key=lambda row: row[0])
    return {"t": [t for t, _ in rows],
            "effort_points": [round(c.effort_points, 1) if c.effort_points is not None
                              else None for _, c in rows],
            "avg_hr": [round(c.avg_hr) if c.avg_hr is not None else None for _, c in rows],
            "names": [c.class_name for _, c in rows]}
