"""Shapes of in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class NotificationOut(BaseModel):
    id: str
    event: str
    title: str
    url: str | None
    payload: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class MarkedOut(BaseModel):
    marked: int
