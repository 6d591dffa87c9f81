"""Logging in, sessions and bearer tokens on the request path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.accounts.security import (
    DUMMY_HASH,
    new_token,
    token_digest,
    verify_password,
)
from db.accounts import ApiToken, AuthSession, User

# A class day is long; a week means trainers rarely re-login on the studio tablet.
SESSION_LIFETIME = timedelta(days=7)


def principal_for(user: User, via: str = "bearer", csrf: str | None = None) -> Principal:
    return Principal(role=user.role, user_id=user.id,  # type: ignore[arg-type]
                     display_name=user.display_name, member_id=user.member_id,
                     trainer_id=user.trainer_id, via=via, csrf_token=csrf)  # type: ignore[arg-type]


async def authenticate(db: AsyncSession, email: str, password: str) -> User | None:
    user = await db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        verify_password(password, DUMMY_HASH)  # same cost either way
        return None
    return user if verify_password(password, user.password_hash) else None


async def start_session(db: AsyncSession, user: User) -> tuple[str, str]:
    """A new browser session; returns (cookie token, CSRF token)."""
    token, csrf = new_token(), new_token()
    db.add(AuthSession(token_hash=token_digest(token), user_id=user.id, csrf_token=csrf,
                       expires_at=datetime.now(UTC) + SESSION_LIFETIME))
    await db.commit()
    return token, csrf


async def end_session(db: AsyncSession, token: str) -> None:
    await db.execute(delete(AuthSession).where(AuthSession.token_hash == token_digest(token)))
    await db.commit()


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def principal_from_cookie(db: AsyncSession, token: str) -> Principal | None:
    found = await db.get(AuthSession, token_digest(token))
    if found is None or _aware(found.expires_at) < datetime.now(UTC):
        return None
    user = await db.get(User, found.user_id)
    if user is None or not user.is_active:
        return None
    return principal_for(user, via="cookie", csrf=found.csrf_token)


def token_usable(row: ApiToken, now: datetime | None = None) -> bool:
    """Not revoked and not past its expiry (device tokens may have none)."""
    now = now or datetime.now(UTC)
    return row.revoked_at is None and (row.expires_at is None
                                       or _aware(row.expires_at) > now)


async def principal_from_bearer(db: AsyncSession, token: str) -> Principal | None:
    row = await db.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or not token_usable(row):
        return None
    if row.kind == "device":
        return Principal(role="device", room_id=row.room_id, display_name=row.name,
                         device_id=row.id)
    user = await db.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active:
        return None
    return principal_for(user)


async def issue_user_token(db: AsyncSession, user: User, name: str, lifetime: timedelta
                           ) -> tuple[str, datetime]:
    """A login's bearer token; returns (secret, expiry)."""
    token = new_token()
    expires_at = datetime.now(UTC) + lifetime
    db.add(ApiToken(token_hash=token_digest(token), name=name, kind="user", user_id=user.id,
                    expires_at=expires_at))
    await db.commit()
    return token, expires_at
