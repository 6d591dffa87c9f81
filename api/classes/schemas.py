"""API shapes of class sessions and their rosters."""

from __future__ import annotations

from datetime import datetime

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
