"""``spotter users|devices|tokens`` against a real migrated database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from configs.settings import get_settings


@pytest.fixture
def cli_db(tmp_path: Path, seeded_database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    template, _demo = seeded_database
    path = tmp_path / "cli.db"
    shutil.copyfile(template, path)
    monkeypatch.setenv("SPOTTER_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield f"sqlite:///{path}"
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_list_token_and_revoke(cli_db: str) -> None:
    code, out, _ = run("users", "create", "--email", "Kim@Studio.example", "--role", "trainer",
                       "--password", "long-password", "--name", "Kim")
    assert code == 0
    user = json.loads(out)
    assert user["email"] == "kim@studio.example" and user["trainer_id"]
    code, out, _ = run("users", "list", "--role", "trainer")
    assert "kim@studio.example" in {u["email"] for u in json.loads(out)}
    code, out, _ = run("users", "token", "--email", "kim@studio.example")
    token = json.loads(out)
    assert code == 0 and len(token["token"]) > 30 and token["kind"] == "user"
    code, out, _ = run("devices", "token", "--room", "demo-room", "--name", "box 2")
    device = json.loads(out)
    assert device["room_id"] == "demo-room" and device["kind"] == "device"
    code, out, _ = run("tokens", "list", "--room", "demo-room")
    assert device["id"] in {t["id"] for t in json.loads(out)}
    assert all("token" not in t for t in json.loads(out))
    code, out, _ = run("tokens", "revoke", device["id"])
    assert code == 0 and json.loads(out)["revoked_at"]
    code, out, _ = run("tokens", "list", "--room", "demo-room")
    assert device["id"] not in {t["id"] for t in json.loads(out)}


@pytest.mark.parametrize(("args", "needle"), [
    (("users", "create", "--email", "ava@demo.spotter", "--role", "member",
      "--password", "long-password"), "already has an account"),
    (("users", "create", "--email", "x@y.example", "--role", "member",
      "--password", "short"), "at least 8"),
    (("users", "create", "--email", "nope", "--role", "member",
      "--password", "long-password"), "not an email"),
    (("users", "create", "--email", "x@y.example", "--role", "member",
      "--password", "long-password", "--member-id", "ghost"), "no member 'ghost'"),
    (("devices", "token", "--room", "attic"), "no room 'attic'"),
    (("users", "token", "--email", "ghost@demo.spotter"), "no user"),
    (("tokens", "revoke", "nope"), "no token"),
])
def test_refusals_are_one_line_with_exit_2(cli_db: str, args, needle) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err


def test_bad_role_is_a_usage_error(cli_db: str) -> None:
    code, _out, err = run("users", "create", "--email", "x@y.example", "--role", "owner",
                          "--password", "long-password")
    assert code == 2 and "owner" in err


def test_deactivate_blocks_logins(cli_db: str) -> None:
    code, out, _ = run("users", "deactivate", "--email", "ava@demo.spotter")
    assert code == 0 and json.loads(out)["is_active"] is False
    code, out, _ = run("users", "token", "--email", "ava@demo.spotter")
    assert code == 2


def test_tokens_show_their_expiry_and_state(cli_db: str) -> None:
    code, out, _ = run("users", "token", "--email", "ava@demo.spotter", "--days", "7")
    user_token = json.loads(out)
    assert code == 0 and user_token["state"] == "active"
    expires = datetime.fromisoformat(user_token["expires_at"])
    assert timedelta(days=6.9) < expires - datetime.now(UTC) <= timedelta(days=7)
    code, out, _ = run("users", "token", "--email", "ava@demo.spotter")
    assert datetime.fromisoformat(json.loads(out)["expires_at"]) - datetime.now(UTC) > \
        timedelta(days=29)  # SPOTTER_TOKEN_TTL_DAYS
    code, out, _ = run("devices", "token", "--room", "demo-room")
    assert json.loads(out)["expires_at"] is None  # a room's box: until revoked
    code, _out, err = run("users", "token", "--email", "ava@demo.spotter", "--days", "400")
    assert code == 2 and "365" in err


def test_revoke_every_token_of_a_user_or_a_room(cli_db: str) -> None:
    for _ in range(2):
        run("users", "token", "--email", "ava@demo.spotter")
    code, out, _ = run("tokens", "revoke", "--email", "ava@demo.spotter")
    assert code == 0 and len(json.loads(out)) == 2
    assert all(t["state"] == "revoked" for t in json.loads(out))
    code, out, _ = run("tokens", "list", "--email", "ava@demo.spotter")
    assert json.loads(out) == []
    code, out, _ = run("tokens", "list", "--email", "ava@demo.spotter", "--all")
    assert {t["state"] for t in json.loads(out)} == {"revoked"}
    code, out, _ = run("tokens", "revoke", "--room", "demo-room")  # the demo box's token
    assert code == 0 and {t["kind"] for t in json.loads(out)} == {"device"}
    code, out, err = run("tokens", "revoke")
    assert code == 2 and out == "" and "name one token id, or --email, or --room" in err


def test_set_password_revokes_the_users_tokens(cli_db: str) -> None:
    run("users", "token", "--email", "trainer@demo.spotter")
    code, _out, _ = run("users", "set-password", "--email", "trainer@demo.spotter",
                        "--password", "another-long-pass")
    assert code == 0
    code, out, _ = run("tokens", "list", "--email", "trainer@demo.spotter")
    assert json.loads(out) == []
