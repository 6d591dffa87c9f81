"""API shapes of class sessions and their rosters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ClassSessionOut(BaseModel):
    id: str
    class_type: str
    room: str
    trainer: str
    starts_at: datetime
    ends_at: datetime
    status: str
    booked: int


class RosterMemberOut(BaseModel):
    """What the edge box needs to pair straps and the worker needs for intensity maths."""

    member_id: str
    display_name: str
    age: int | None
    sex: str | None
    weight_kg: float | None
    hr_max: int | None
    hr_rest: int | None
    strap_id: str | None
    hr_tracking: bool = True  # the member's choices (api.privacy.consent)
    camera_form: bool = True
    # who the member is on the topics (contract.pseudonyms): the box writes this instead
    # of member_id; None where the booking's id cannot make one
    wire_id: str | None = None


class EdgeCredentialsOut(BaseModel):
    """What a room's edge box needs to write into one class (contract.signing): the key
    its records of this class are signed with, and the roster as records the API signed
    (the box forwards them unchanged; only the API may write the roster)."""

    device_id: str
    room_id: str
    class_session_id: str
    key: str  # hex
    roster: list[dict[str, Any]]
