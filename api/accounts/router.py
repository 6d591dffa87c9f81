"""Bearer tokens for API clients, and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.accounts import service
from api.accounts.dependencies import CurrentPrincipal
from api.accounts.ratelimit import allow_login_attempt
from api.accounts.schemas import LoginIn, MeOut, TokenOut
from api.deps import RedisDep, SessionDep
from api.exceptions import AuthenticationRequired, TooManyRequests

router = APIRouter(prefix="/api", tags=["accounts"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/token")
async def login_for_token(body: LoginIn, request: Request, db: SessionDep,
                          redis: RedisDep) -> TokenOut:
    """Exchange email and password for a bearer token (rate limited per address)."""
    if not await allow_login_attempt(redis, client_address(request)):
        raise TooManyRequests("too many login attempts; wait a minute and try again")
    user = await service.authenticate(db, body.email, body.password)
    if user is None:
        raise AuthenticationRequired("wrong email or password")
    token = await service.issue_user_token(db, user, name="api login")
    return TokenOut(access_token=token, role=user.role)


@router.get("/me")
async def me(principal: CurrentPrincipal) -> MeOut:
    """The caller as the API sees them."""
    return MeOut(role=principal.role, user_id=principal.user_id,
                 display_name=principal.display_name, member_id=principal.member_id,
                 trainer_id=principal.trainer_id, room_id=principal.room_id)
