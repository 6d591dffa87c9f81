"""Creating accounts and device tokens outside a request: CLI, demo seed, tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.accounts.security import hash_password, new_token, token_digest
from configs.settings import get_settings
from db.accounts import ApiToken, User

ROLES = ("admin", "trainer", "member")


def create_user(database_url: str, email: str, password: str, role: str, *,
                display_name: str | None = None, member_id: str | None = None,
                trainer_id: str | None = None) -> str:
    """Create or update a user (idempotent by email); returns the user id."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    email = email.strip().lower()
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            user = db.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email)
                db.add(user)
            user.display_name = display_name or email.split("@")[0]
            user.password_hash = hash_password(password)
            user.role, user.member_id, user.trainer_id = role, member_id, trainer_id
            user.is_active = True
            db.flush()
            return user.id
    finally:
        engine.dispose()


def create_token(database_url: str, name: str, *, kind: str = "device",
                 room_id: str | None = None, user_id: str | None = None,
                 lifetime: timedelta | None = None) -> str:
    """A new bearer token (shown once; only its hash is stored). User tokens expire after
    ``lifetime`` (default SPOTTER_TOKEN_TTL_DAYS); device tokens only when one is given."""
    if kind == "device" and not room_id:
        raise ValueError("a device token must be scoped to a room")
    if kind == "user" and not user_id:
        raise ValueError("a user token needs the user it acts for")
    if kind == "user" and lifetime is None:
        lifetime = timedelta(days=get_settings().token_ttl_days)
    expires_at = datetime.now(UTC) + lifetime if lifetime is not None else None
    token = new_token()
    engine = create_engine(database_url)
    try:
        with Session(engine) as db, db.begin():
            db.add(ApiToken(token_hash=token_digest(token), name=name, kind=kind,
                            room_id=room_id, user_id=user_id, expires_at=expires_at))
    finally:
        engine.dispose()
    return token
