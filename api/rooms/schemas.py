"""What a room's edge box asks the API every few seconds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class RoomClassOut(BaseModel):
    id: str
    class_type: str
    starts_at: datetime
    ends_at: datetime
    status: str  # scheduled | live | ended


class RoomNowOut(BaseModel):
    """The class live in the room (if any), the rest of today, and the toggles the box
    must honour (cameras off means no camera station runs)."""

    room_id: str
    live: RoomClassOut | None
    today: list[RoomClassOut]
    vision: bool
    live_alerts: bool
