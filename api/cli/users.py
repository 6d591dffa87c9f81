"""``spotter users|devices|tokens|notifications``: accounts and tokens from a shell.

Runs the same service functions as the admin API against SPOTTER_DATABASE_URL, so the
rules (unique email, existing member/trainer/room ids, password length) are the same.
JSON goes to stdout; a refused request prints one line to stderr and exits with 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, TypeVar

import typer

from api.cli.apps import devices_app, notifications_app, tokens_app, users_app
from api.cli.session import run_in_session

T = TypeVar("T")


class RoleChoice(StrEnum):
    admin = "admin"
    trainer = "trainer"
    member = "member"


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    return run_in_session(work)


def _user_json(user: Any) -> dict[str, Any]:
    from api.accounts.schemas import UserOut

    return UserOut.model_validate(user).model_dump(mode="json")


def _token_json(row: Any, secret: str | None = None) -> dict[str, Any]:
    from api.accounts.schemas import TokenInfo

    data = TokenInfo.model_validate(row).model_dump(mode="json")
    if secret:
        data["token"] = secret
    return data


@users_app.command("create")
def create(email: str = typer.Option(..., help="login email"),
           role: RoleChoice = typer.Option(..., help="admin, trainer or member"),
           password: str = typer.Option(..., prompt=True, hide_input=True,
                                        confirmation_prompt=True, help="at least 8 characters"),
           name: str | None = typer.Option(None, help="display name (default: from email)"),
           member_id: str | None = typer.Option(None, help="existing member (role member)"),
           trainer_id: str | None = typer.Option(None, help="existing trainer (role trainer)"),
           ) -> None:
    """Create an account. A member or trainer without an id gets a new profile record."""
    from api.accounts import users

    user = _run(lambda db: users.create_user(db, email=email, password=password,
                                             role=role.value, display_name=name,
                                             member_id=member_id, trainer_id=trainer_id))
    _emit(_user_json(user))


@users_app.command("list")
def list_users(role: RoleChoice | None = typer.Option(None)) -> None:
    """Every account (JSON)."""
    from api.accounts import users

    rows = _run(lambda db: users.list_users(db, role.value if role else None))
    _emit([_user_json(u) for u in rows])


def _update(email: str, **changes: Any) -> None:
    from api.accounts import users

    async def work(db: Any) -> Any:
        user = await users.user_by_email(db, email)
        return await users.update_user(db, user.id, **changes)

    _emit(_user_json(_run(work)))


@users_app.command("set-password")
def set_password(email: str = typer.Option(...),
                 password: str = typer.Option(..., prompt=True, hide_input=True,
                                              confirmation_prompt=True)) -> None:
    """Set a new password: ends the user's browser sessions and revokes their API tokens."""
    _update(email, password=password)


@users_app.command("deactivate")
def deactivate(email: str = typer.Option(...)) -> None:
    """Block logins, end sessions and revoke the user's API tokens."""
    _update(email, is_active=False)


@users_app.command("activate")
def activate(email: str = typer.Option(...)) -> None:
    _update(email, is_active=True)


def _lifetime(days: int | None) -> Any:
    from datetime import timedelta

    return timedelta(days=days) if days else None


_DAYS = typer.Option(None, "--days", min=1, max=365,
                     help="expire after this many days")


@users_app.command("token")
def user_token(email: str = typer.Option(...),
               name: str = typer.Option("cli", help="what the token is for"),
               days: int | None = _DAYS) -> None:
    """Issue an API token acting as this user (expires after --days, default
    SPOTTER_TOKEN_TTL_DAYS); the secret is printed once."""
    from api.accounts import users

    async def work(db: Any) -> Any:
        user = await users.user_by_email(db, email)
        return await users.issue_token(db, name=name, user_id=user.id,
                                       lifetime=_lifetime(days))

    row, secret = _run(work)
    _emit(_token_json(row, secret))


@devices_app.command("token")
def device_token(room: str = typer.Option(..., help="room id the device sits in"),
                 name: str = typer.Option("edge box"),
                 days: int | None = _DAYS) -> None:
    """Issue an edge device token that only sees classes in ROOM (SPOTTER_EDGE_TOKEN). It
    lasts until revoked unless --days is given: an unattended box must not lose its token
    mid-class."""
    from api.accounts import users

    row, secret = _run(lambda db: users.issue_token(db, name=name, room_id=room,
                                                    lifetime=_lifetime(days)))
    _emit(_token_json(row, secret))


@tokens_app.command("list")
def list_tokens(email: str | None = typer.Option(None), room: str | None = typer.Option(None),
                all_: bool = typer.Option(False, "--all",
                                          help="include revoked and expired tokens")
                ) -> None:
    """Tokens (never their secrets), newest first, each with its state (active, expired,
    revoked) and expiry."""
    from api.accounts import users

    async def work(db: Any) -> Any:
        user_id = (await users.user_by_email(db, email)).id if email else None
        return await users.list_tokens(db, user_id=user_id, room_id=room,
                                       include_revoked=all_)

    _emit([_token_json(t) for t in _run(work)])


@tokens_app.command("revoke")
def revoke(token_id: str | None = typer.Argument(None, help="the id from `spotter tokens list`"),
           email: str | None = typer.Option(None, help="every token of this user"),
           room: str | None = typer.Option(None, help="every device token of this room "
                                                      "(a lost or retired edge box)")) -> None:
    """Revoke a user or device token at once, or all of one user's or one room's."""
    from api.accounts import users

    if sum(x is not None for x in (token_id, email, room)) != 1:
        sys.stderr.write("error: name one token id, or --email, or --room\n")
        raise typer.Exit(2)
    if token_id is not None:
        _emit(_token_json(_run(lambda db: users.revoke_token(db, token_id))))
        return

    async def work(db: Any) -> Any:
        user_id = (await users.user_by_email(db, email)).id if email else None
        return await users.revoke_tokens(db, user_id=user_id, room_id=room)

    _emit([_token_json(t) for t in _run(work)])


@notifications_app.command("send")
def send(once: bool = typer.Option(False, "--once", help="one delivery round, then exit")
         ) -> None:
    """Deliver outbox notifications to SPOTTER_WEBHOOK_URL (the API also does this in the
    background when the variable is set)."""
    import httpx

    from api.notifications.webhook import WebhookSettings, deliver_round, run_sender
    from configs.logging import configure_logging

    configure_logging()
    settings = WebhookSettings()
    if not settings.url:
        sys.stderr.write("error: set SPOTTER_WEBHOOK_URL to the receiver's URL\n")
        raise typer.Exit(2)

    async def work(db: Any) -> Any:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        sessions = async_sessionmaker(db.bind, expire_on_commit=False)
        if not once:
            await run_sender(sessions, settings)
        async with httpx.AsyncClient() as client:
            return await deliver_round(sessions, settings, client)

    result = _run(work)
    _emit({"delivered": result.delivered, "failed": result.failed})
