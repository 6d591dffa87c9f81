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
