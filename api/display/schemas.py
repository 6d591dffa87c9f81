"""API shapes of display tokens and a member's wall-screen name."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DisplayTokenIn(BaseModel):
    room_id: str = Field(min_length=1, max_length=64)
    name: str = Field(default="wall screen", min_length=1, max_length=120)


class DisplayTokenOut(BaseModel):
    id: str
    room_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class IssuedDisplayToken(DisplayTokenOut):
    token: str = Field(description="shown once; only its SHA-256 is stored")
    path: str = Field(description="open this on the room's TV: /display/{room}?token=...")


class WallNameIn(BaseModel):
    nickname: str | None = Field(default=None, max_length=100,
                                 description="empty: the first name of the account")
    on_wall: bool = Field(default=True, description="false: shown as 'Member N'")


class WallNameOut(BaseModel):
    nickname: str | None
    on_wall: bool
    shown_as: str
