"""Request and response shapes of accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.security import MIN_PASSWORD_LENGTH


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


class MeOut(BaseModel):
    role: str
    user_id: str | None
    display_name: str
    member_id: str | None
    trainer_id: str | None
    room_id: str | None


Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                             description="login email (case-insensitive)")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)]
Name = Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
Ref = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class UserIn(BaseModel):
    """A new account. Members and trainers without an id get a new profile record."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    role: Literal["admin", "trainer", "member"]
    display_name: Name | None = None
    member_id: Ref | None = None
    trainer_id: Ref | None = None


class UserPatch(BaseModel):
    """Fields to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    role: Literal["admin", "trainer", "member"] | None = None
    member_id: Ref | None = None
    trainer_id: Ref | None = None
    is_active: bool | None = None
    password: Password | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    role: str
    member_id: str | None
    trainer_id: str | None
    is_active: bool
    created_at: datetime


class TokenIn(BaseModel):
    """A bearer token for one user (API client) or for one room's edge devices."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    user_id: Ref | None = None
    room_id: Ref | None = None


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    user_id: str | None
    room_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class IssuedToken(TokenInfo):
    token: str = Field(description="the secret; shown once, only its hash is stored")
