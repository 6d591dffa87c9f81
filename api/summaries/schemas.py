"""API shapes of post-class summaries (the documents themselves are the worker's JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ClassSummaryOut(BaseModel):
    class_session_id: str
    created_at: datetime
    updated_at: datetime
    summary: dict[str, Any] = Field(description="streams.summary.ClassSummary as JSON plus "
                                    "series (chart), form and alerts")


class MemberSummaryOut(BaseModel):
    class_session_id: str
    ended_at: float | None
    summary: dict[str, Any] = Field(description="the member's own part: totals, highlights, "
                                    "areas for improvement, form")


class InsightOut(BaseModel):
    """One real-time insight: a member's minute of class, or an alert as it was raised."""

    member_id: str | None
    at: float = Field(description="Unix seconds: the minute's start, or the alert's time")
    kind: str = Field(description="minute | alert")
    data: dict[str, Any] = Field(description="minute: zone_s (below zone 1, zones 1-5), "
                                 "effort_points, trimp, seconds, pct_hr_max_mean, "
                                 "pct_hr_max_max, reps, faulty_reps; alert: the alert")
