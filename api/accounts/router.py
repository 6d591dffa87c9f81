"""Bearer tokens for API clients, who-am-I, and a user's own tokens and password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request

from api.accounts import service, users
from api.accounts.dependencies import CurrentPrincipal, UserPrincipal
from api.accounts.ratelimit import allow_login_attempt
from api.accounts.schemas import LockedOut, LoginIn, MeOut, PasswordChangeIn, TokenInfo, TokenOut
from api.deps import RedisDep, SessionDep, SettingsDep
from api.exceptions import AuthenticationRequired, TooManyRequests

router = APIRouter(prefix="/api", tags=["accounts"])


def client_address(request: Request) -> str:
    """The caller's address as the server saw it: the socket's peer, or what a proxy in
    SPOTTER_TRUSTED_PROXIES forwarded (``spotter api`` believes no one else)."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/token")
async def login_for_token(body: LoginIn, request: Request, db: SessionDep,
                          redis: RedisDep, settings: SettingsDep) -> TokenOut:
    """Exchange email and password for a bearer token (rate limited per address). The
    token expires after SPOTTER_TOKEN_TTL_DAYS (``expires_at``)."""
    if not await allow_login_attempt(redis, client_address(request),
                                     settings.login_attempts_per_minute):
        raise TooManyRequests("too many login attempts; wait a minute and try again")
    user = await service.authenticate(db, body.email, body.password)
    if user is None:
        raise AuthenticationRequired("wrong email or password")
    lifetime = timedelta(days=settings.token_ttl_days)
    token, expires_at = await service.issue_user_token(db, user, "api login", lifetime)
    return TokenOut(access_token=token, role=user.role, expires_at=expires_at,
                    expires_in=int(lifetime.total_seconds()))


@router.get("/me")
async def me(principal: CurrentPrincipal) -> MeOut:
    """The caller as the API sees them."""
    return MeOut(role=principal.role, user_id=principal.user_id,
                 display_name=principal.display_name, member_id=principal.member_id,
                 trainer_id=principal.trainer_id, room_id=principal.room_id)


@router.get("/me/tokens")
async def my_tokens(principal: UserPrincipal, db: SessionDep,
                    include_revoked: bool = False) -> list[TokenInfo]:
    """The caller's own API tokens (never their secrets), newest first; with
    ``include_revoked`` also the revoked and expired ones."""
    rows = await users.list_tokens(db, user_id=principal.user_id,
                                   include_revoked=include_revoked)
    return [TokenInfo.model_validate(r) for r in rows]


@router.delete("/me/tokens/{token_id}")
async def revoke_my_token(token_id: str, principal: UserPrincipal, db: SessionDep
                          ) -> TokenInfo:
    """Revoke one of the caller's own tokens at once (404 for anyone else's)."""
    row = await users.revoke_token(db, token_id, owner_id=principal.user_id)
    return TokenInfo.model_validate(row)


@router.post("/me/password")
async def change_my_password(body: PasswordChangeIn, request: Request, principal: UserPrincipal,
                             db: SessionDep, redis: RedisDep, settings: SettingsDep
                             ) -> LockedOut:
    """Change the caller's password (the current one is checked, rate limited like a
    login). Every browser session and API token of the account ends, this one included:
    log in again with the new password."""
    if not await allow_login_attempt(redis, client_address(request),
                                     settings.login_attempts_per_minute):
        raise TooManyRequests("too many password attempts; wait a minute and try again")
    assert principal.user_id is not None  # UserPrincipal: people only, never devices
    sessions, tokens = await users.change_own_password(
        db, principal.user_id, body.current_password, body.new_password)
    return LockedOut(sessions_ended=sessions, tokens_revoked=tokens,
                     detail=f"password changed at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
                            "log in again")
