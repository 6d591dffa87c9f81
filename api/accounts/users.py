"""Managing accounts and tokens: the admin API, the admin pages and the CLI share these.

Every rule that needs the database (an email is taken, a member id does not exist) is
checked here and raised as a domain error with advice, so the API answers 409/422 and the
CLI prints one line instead of a traceback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from api.exceptions import AuthenticationRequired, ConflictError, InvalidInput, NotFoundError
from configs.settings import get_settings
from db.accounts import ApiToken, AuthSession, User
from db.models import Member, Room, Trainer

USER_ROLES = ("admin", "trainer", "member")
# A year: long enough for a scheduled integration, short enough that a forgotten token dies.
MAX_TOKEN_LIFETIME = timedelta(days=365)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> None:
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{email!r} is not an email address (name@example.com)")


def check_role_links(role: str, member_id: str | None, trainer_id: str | None) -> None:
    """Pure rules of which profile a role may point at (shared with the sync bootstrap)."""
    if role not in USER_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    if member_id and role != "member":
        raise InvalidInput("a member id only applies to role 'member'")
    if trainer_id and role != "trainer":
        raise InvalidInput("a trainer id only applies to role 'trainer'")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


async def get_user(db: AsyncSession, user_id: str) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id!r}")
    return user


async def user_by_email(db: AsyncSession, email: str) -> User:
    user = await db.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFoundError(f"no user with email {normalise_email(email)!r}; "
                            "see `spotter users list`")
    return user


async def list_users(db: AsyncSession, role: str | None = None) -> list[User]:
    query = select(User).order_by(User.role, User.email)
    if role:
        query = query.where(User.role == role)
    return list(await db.scalars(query))


async def _link_profile(db: AsyncSession, user: User, role: str, member_id: str | None,
                        trainer_id: str | None) -> None:
    """Point the user at their member/trainer record; create one when none is named, so a
    new member or trainer account can see its own data straight away."""
    check_role_links(role, member_id, trainer_id)
    if role == "member":
        if member_id:
            if await db.get(Member, member_id) is None:
                raise InvalidInput(f"no member {member_id!r}: create it first (admin → "
                                   "database) or leave the member id out to create one")
        elif user.member_id is None:
            member = Member(display_name=user.display_name, email=None)
            db.add(member)
            await db.flush()
            member_id = member.id
        else:
            member_id = user.member_id
    if role == "trainer":
        if trainer_id:
            if await db.get(Trainer, trainer_id) is None:
                raise InvalidInput(f"no trainer {trainer_id!r}: create it first or leave "
                                   "the trainer id out to create one")
        elif user.trainer_id is None:
            trainer = Trainer(display_name=user.display_name)
            db.add(trainer)
            await db.flush()
            trainer_id = trainer.id
        else:
            trainer_id = user.trainer_id
    user.role = role
    user.member_id = member_id if role == "member" else None
    user.trainer_id = trainer_id if role == "trainer" else None


async def create_user(db: AsyncSession, *, email: str, password: str, role: str,
                      display_name: str | None = None, member_id: str | None = None,
                      trainer_id: str | None = None) -> User:
    email = normalise_email(email)
    check_email(email)
    check_role_links(role, member_id, trainer_id)
    check_password(password)
    if await db.scalar(select(User.id).where(User.email == email)):
        raise ConflictError(f"{email} already has an account; change it instead")
    user = User(email=email, display_name=(display_name or email.split("@")[0]).strip(),
                password_hash=hash_password(password), role=role, is_active=True)
    db.add(user)
    await _link_profile(db, user, role, member_id, trainer_id)
    await db.commit()
    return user


async def end_all_sessions(db: AsyncSession, user_id: str) -> int:
    result = await db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    return _count(result)


async def revoke_user_tokens(db: AsyncSession, user_id: str) -> int:
    """Revoke every unrevoked API token of one user (not committed); returns how many."""
    result = await db.execute(update(ApiToken).where(ApiToken.user_id == user_id,
                                                     ApiToken.revoked_at.is_(None))
                              .values(revoked_at=datetime.now(UTC)))
    return _count(result)


async def lock_out(db: AsyncSession, user_id: str) -> tuple[int, int]:
    """End a user's browser sessions and revoke their API tokens: whoever held the old
    password, or a token made with it, is out. Returns (sessions, tokens)."""
    return await end_all_sessions(db, user_id), await revoke_user_tokens(db, user_id)


def _count(result: object) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


async def update_user(db: AsyncSession, user_id: str, *, display_name: str | None = None,
                      role: str | None = None, member_id: str | None = None,
                      trainer_id: str | None = None, is_active: bool | None = None,
                      password: str | None = None, acting_user_id: str | None = None) -> User:
    """Change a user; deactivating or a new password ends their browser sessions and
    revokes their API tokens."""
    user = await get_user(db, user_id)
    if acting_user_id == user_id and (is_active is False or (role and role != "admin")):
        raise InvalidInput("you cannot deactivate or demote your own account; "
                           "ask another admin")
    if display_name is not None:
        user.display_name = display_name.strip()
    if role is not None or member_id is not None or trainer_id is not None:
        await _link_profile(db, user, role or user.role, member_id, trainer_id)
    if password is not None:
        check_password(password)
        user.password_hash = hash_password(password)
        await lock_out(db, user.id)
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            await lock_out(db, user.id)
    await db.commit()
    return user


async def change_own_password(db: AsyncSession, user_id: str, current: str, new: str
                              ) -> tuple[int, int]:
    """A user changes their password, proving the current one; every session and token
    they had ends (this request's included). Returns (sessions ended, tokens revoked)."""
    user = await get_user(db, user_id)
    if not verify_password(current, user.password_hash):
        raise AuthenticationRequired("the current password is wrong")
    if current == new:
        raise InvalidInput("the new password must differ from the current one")
    check_password(new)
    user.password_hash = hash_password(new)
    ended = await lock_out(db, user.id)
    await db.commit()
    return ended


def default_token_lifetime() -> timedelta:
    return timedelta(days=get_settings().token_ttl_days)


def check_lifetime(lifetime: timedelta | None) -> None:
    if lifetime is not None and not timedelta(hours=1) <= lifetime <= MAX_TOKEN_LIFETIME:
        raise InvalidInput(f"a token lives between 1 hour and {MAX_TOKEN_LIFETIME.days} days")


async def issue_token(db: AsyncSession, *, name: str, user_id: str | None = None,
                      room_id: str | None = None, lifetime: timedelta | None = None
                      ) -> tuple[ApiToken, str]:
    """A user's API token or a device token for one room; the secret is returned once.

    A user token expires after ``lifetime`` (default ``SPOTTER_TOKEN_TTL_DAYS``); a device
    token only when a lifetime is given (see ``db.accounts.ApiToken``)."""
    if (user_id is None) == (room_id is None):
        raise InvalidInput("a token acts for either one user or one room's devices")
    check_lifetime(lifetime)
    if user_id is not None:
        user = await get_user(db, user_id)
        if not user.is_active:
            raise InvalidInput(f"{user.email} is deactivated; activate the account first")
    if room_id is not None and await db.get(Room, room_id) is None:
        raise InvalidInput(f"no room {room_id!r}; device tokens are scoped to an existing "
                           "room (create it in admin → database → rooms)")
    secret = new_token()
    if user_id is not None:
        lifetime = lifetime or default_token_lifetime()
    row = ApiToken(token_hash=token_digest(secret), name=name.strip() or "token",
                   kind="user" if user_id else "device", user_id=user_id, room_id=room_id,
                   expires_at=datetime.now(UTC) + lifetime if lifetime else None)
    db.add(row)
    await db.commit()
    return row, secret


async def list_tokens(db: AsyncSession, *, user_id: str | None = None,
                      room_id: str | None = None, include_revoked: bool = False
                      ) -> list[ApiToken]:
    """Tokens newest first: those still usable, or with ``include_revoked`` also the
    revoked and expired ones."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc())
    if user_id:
        query = query.where(ApiToken.user_id == user_id)
    if room_id:
        query = query.where(ApiToken.room_id == room_id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None),
                            or_(ApiToken.expires_at.is_(None),
                                ApiToken.expires_at > datetime.now(UTC)))
    return list(await db.scalars(query))


async def revoke_tokens(db: AsyncSession, *, user_id: str | None = None,
                        room_id: str | None = None) -> list[ApiToken]:
    """Revoke all unrevoked tokens of one user or of one room's devices (a lost or
    retired edge box); returns them."""
    if (user_id is None) == (room_id is None):
        raise InvalidInput("name either one user or one room")
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    query = query.where(ApiToken.user_id == user_id if user_id else ApiToken.room_id == room_id)
    rows = list(await db.scalars(query))
    now = datetime.now(UTC)
    for row in rows:
        row.revoked_at = now
    await db.commit()
    return rows


async def revoke_token(db: AsyncSession, token_id: str, *, owner_id: str | None = None
                       ) -> ApiToken:
    """Revoke one token (idempotent); with ``owner_id`` only that user's own."""
    row = await db.get(ApiToken, token_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        raise NotFoundError(f"no token {token_id!r}; see `spotter tokens list`")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await db.commit()
    return row
