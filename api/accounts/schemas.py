"""Request and response shapes of accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from api.accounts.security import MIN_PASSWORD_LENGTH
from api.patching import refuse_nulls


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    expires_at: datetime
    expires_in: int = Field(description="seconds until the token expires (RFC 6749 §5.1)")


class PasswordChangeIn(BaseModel):
    """A user's own password change; every session and token they have ends with it."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class LockedOut(BaseModel):
    sessions_ended: int
    tokens_revoked: int
    detail: str


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
    """Fields to change; omitted fields stay as they are. ``null`` is refused: no field of
    an account can be emptied (leave a field out to keep it)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        return refuse_nulls(data)

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


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    user_id: str | None
    room_id: str | None
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = Field(description="null: a device token that lasts until "
                                                    "revoked")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        expires = _utc(self.expires_at)
        return "expired" if expires and expires <= datetime.now(UTC) else "active"


class IssuedToken(TokenInfo):
    token: str = Field(description="the secret; shown once, only its hash is stored")
