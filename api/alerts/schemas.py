"""API shapes of live alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AlertOut(BaseModel):
    id: str
    class_session_id: str
    member_id: str | None
    rule: str
    severity: str
    message: str
    event_time: float
    evidence: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
