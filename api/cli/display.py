"""``spotter display ...``: tokens for a room's wall screen (``/display/{room}``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import typer

from api.cli.apps import app

display_app = typer.Typer(help="The studio's wall screen: a display token per room.",
                          no_args_is_help=True)
app.add_typer(display_app, name="display")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _row(row: Any) -> dict[str, Any]:
    return {"id": row.id, "room_id": row.room_id, "name": row.name,
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}


@display_app.command("token")
def issue(room: str = typer.Option(..., help="room id whose wall screen it opens"),
          name: str = typer.Option("wall screen", help="what the token is for")) -> None:
    """Issue a token that opens ROOM's wall screen and nothing else (no account). Prints
    JSON with the address to open once on the TV; the token is shown only now."""
    from api.display import tokens
    from configs.settings import get_settings

    settings = get_settings()
    try:
        token_id, token = tokens.issue(settings.resolved_database_url(), room, name)
    except tokens.DisplayTokenError as exc:
        raise _fail(str(exc)) from exc
    url = f"{settings.resolved_api_url()}/display/{quote(room)}?token={token}"
    typer.echo(json.dumps({"id": token_id, "room_id": room, "name": name, "token": token,
                           "url": url}, indent=2))


@display_app.command("list")
def list_tokens(room: str | None = typer.Option(None, help="only this room's")) -> None:
    """Wall-screen tokens (never the tokens themselves), oldest first, as JSON."""
    from api.display import tokens
    from configs.settings import get_settings

    rows = tokens.list_tokens(get_settings().resolved_database_url(), room)
    typer.echo(json.dumps([_row(r) for r in rows], indent=2))


@display_app.command("revoke")
def revoke(token_id: str = typer.Argument(..., help="the token's id (spotter display list)")
           ) -> None:
    """Revoke a wall-screen token; the screen shows nothing more from its next request."""
    from api.display import tokens
    from configs.settings import get_settings

    try:
        row = tokens.revoke(get_settings().resolved_database_url(), token_id)
    except tokens.DisplayTokenError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(_row(row), indent=2))
