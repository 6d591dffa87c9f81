"""API tokens expire, can be listed and revoked, and a password change, reset or
deactivation ends every session and token of that user (device tokens of rooms live on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from api.accounts.bootstrap import create_token
from db.accounts import ApiToken, User


def user_id(database_url: str, email: str) -> str:
    engine = create_engine(database_url)
    with Session(engine) as db:
        found = db.scalar(select(User.id).where(User.email == email))
    engine.dispose()
    assert found
    return found


def browser_session(api_world, role: str) -> dict[str, str]:
    email, password = api_world.demo.accounts[role]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    assert login.status_code == 303
    api_world.client.cookies.clear()  # the cookie is sent per request below, never kept
    return {"spotter_session": login.cookies["spotter_session"]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_login_token_expires_after_the_configured_lifetime(api_world) -> None:
    email, password = api_world.demo.accounts["member"]
    before = datetime.now(UTC)
    issued = api_world.client.post("/api/auth/token",
                                   json={"email": email, "password": password}).json()
    expires = datetime.fromisoformat(issued["expires_at"])
    assert issued["expires_in"] == 30 * 86400  # SPOTTER_TOKEN_TTL_DAYS default
    assert before + timedelta(days=30) <= expires <= datetime.now(UTC) + timedelta(days=30)


def test_an_expired_token_is_refused(api_world) -> None:
    token = api_world.token_for("trainer")
    headers = bearer(token)
    assert api_world.client.get("/api/me", headers=headers).status_code == 200
    engine = create_engine(api_world.database_url)
    with Session(engine) as db, db.begin():
        db.execute(update(ApiToken).where(ApiToken.name == "api login")
                   .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    engine.dispose()
    refused = api_world.client.get("/api/me", headers=headers)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


@pytest.mark.parametrize("how", ["admin API reset", "own change", "deactivation"])
def test_revocation_a_password_reset_or_change_ends_every_token_and_session(api_world,
                                                                            how) -> None:
    """The issue's probe: after an admin reset the old bearer tokens kept working."""
    client, admin = api_world.client, api_world.auth("admin")
    trainer_id = user_id(api_world.database_url, "trainer@demo.spotter")
    old_tokens = [api_world.token_for("trainer"),
                  create_token(api_world.database_url, "script", kind="user",
                               user_id=trainer_id)]
    cookie = browser_session(api_world, "trainer")
    device = api_world.auth("device")
    for token in old_tokens:
        assert client.get("/api/me", headers=bearer(token)).status_code == 200

    if how == "admin API reset":
        done = client.patch(f"/api/admin/users/{trainer_id}", headers=admin,
                            json={"password": "a-brand-new-pass"})
    elif how == "own change":
        done = client.post("/api/me/password", headers=bearer(old_tokens[0]),
                           json={"current_password": "demo-trainer-pass",
                                 "new_password": "a-brand-new-pass"})
        assert done.json()["tokens_revoked"] == 2 and done.json()["sessions_ended"] == 1
    else:
        done = client.patch(f"/api/admin/users/{trainer_id}", headers=admin,
                            json={"is_active": False})
    assert done.status_code == 200, done.text

    for token in old_tokens:
        assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/me", cookies=cookie).status_code == 401
    listed = client.get("/api/admin/tokens", headers=admin,
                        params={"user_id": trainer_id, "include_revoked": True}).json()
    assert {t["state"] for t in listed} == {"revoked"}
    assert client.get("/api/classes/demo-class/roster", headers=device).status_code == 200
    if how != "deactivation":
        fresh = client.post("/api/auth/token", json={"email": "trainer@demo.spotter",
                                                     "password": "a-brand-new-pass"})
        assert fresh.status_code == 200


def test_changing_your_own_password_needs_the_current_one(api_world) -> None:
    client, headers = api_world.client, api_world.auth("member")
    wrong = client.post("/api/me/password", headers=headers,
                        json={"current_password": "not-it", "new_password": "long-enough-1"})
    assert wrong.status_code == 401 and "current password" in wrong.json()["detail"]
    short = client.post("/api/me/password", headers=headers,
                        json={"current_password": "demo-member-pass", "new_password": "short"})
    assert short.status_code == 422
    assert client.get("/api/me", headers=headers).status_code == 200  # nothing was revoked
    device = client.post("/api/me/password", headers=api_world.auth("device"),
                         json={"current_password": "x", "new_password": "long-enough-1"})
    assert device.status_code == 403


def test_a_user_lists_and_revokes_their_own_tokens_only(api_world) -> None:
    client = api_world.client
    first, second = api_world.token_for("member"), api_world.token_for("member")
    mine = client.get("/api/me/tokens", headers=bearer(first)).json()
    assert len(mine) == 2 and {t["state"] for t in mine} == {"active"}
    assert all("token" not in t and t["expires_at"] for t in mine)
    revoked = client.delete(f"/api/me/tokens/{mine[0]['id']}", headers=bearer(first))
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    still = [t for t in (first, second)
             if client.get("/api/me", headers=bearer(t)).status_code == 200]
    assert len(still) == 1
    trainers = client.get("/api/me/tokens", headers=api_world.auth("trainer")).json()
    theirs = client.delete(f"/api/me/tokens/{trainers[0]['id']}", headers=bearer(still[0]))
    assert theirs.status_code == 404
    everything = client.get("/api/me/tokens", headers=bearer(still[0]),
                            params={"include_revoked": True}).json()
    assert sorted(t["state"] for t in everything) == ["active", "revoked"]


def test_device_tokens_last_until_revoked_unless_given_a_lifetime(api_world) -> None:
    admin = api_world.auth("admin")
    issued = api_world.client.post("/api/admin/tokens", headers=admin,
                                   json={"name": "box 2", "room_id": "demo-room"}).json()
    assert issued["kind"] == "device" and issued["expires_at"] is None
    assert issued["state"] == "active"
    short = create_token(api_world.database_url, "rotating box", kind="device",
                         room_id="demo-room", lifetime=timedelta(days=7))
    listed = api_world.client.get("/api/admin/tokens", headers=admin,
                                  params={"room_id": "demo-room"}).json()
    rotating = next(t for t in listed if t["name"] == "rotating box")
    assert rotating["expires_at"] is not None
    assert api_world.client.get("/api/me", headers=bearer(short)).json()["role"] == "device"


@pytest.mark.parametrize("body", [{"display_name": None}, {"role": None},
                                  {"is_active": None}, {"password": None}])
def test_explicit_nulls_in_an_account_change_are_refused(api_world, body) -> None:
    trainer_id = user_id(api_world.database_url, "trainer@demo.spotter")
    response = api_world.client.patch(f"/api/admin/users/{trainer_id}", json=body,
                                      headers=api_world.auth("admin"))
    assert response.status_code == 422
    assert f"{next(iter(body))} may not be null" in response.text
    user = api_world.client.get(f"/api/admin/users/{trainer_id}",
                                headers=api_world.auth("admin")).json()
    assert user["display_name"] == "Sam Coach" and user["is_active"] is True


def test_tokens_from_before_expiry_existed_get_the_default_lifetime(tmp_path) -> None:
    """Migration 0006: a forgotten user token from long ago stops working; a room's device
    token does not."""
    from sqlalchemy import text

    from db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005_timetable_feedback_leave")
    engine = create_engine(url)
    long_ago, lately = datetime(2025, 1, 1), datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as db:
        db.execute(text("INSERT INTO users (id, email, display_name, password_hash, role, "
                        "is_active, created_at) VALUES ('u1', 'old@x.example', 'Old', 'h', "
                        "'admin', 1, :at)"), {"at": long_ago})
        db.execute(text("INSERT INTO rooms (id, name, capacity, features) "
                        "VALUES ('r1', 'Studio', 10, '[]')"))
        for token_id, kind, at in (("old", "user", long_ago), ("new", "user", lately),
                                   ("box", "device", long_ago)):
            db.execute(text("INSERT INTO api_tokens (id, token_hash, name, kind, user_id, "
                            "room_id, created_at) VALUES (:id, :id, 't', :kind, :user, :room, "
                            ":at)"), {"id": token_id, "kind": kind, "at": at,
                                      "user": "u1" if kind == "user" else None,
                                      "room": "r1" if kind == "device" else None})
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as db:
        expiry = {t.id: t.expires_at for t in db.scalars(select(ApiToken))}
    engine.dispose()
    assert expiry["old"] == long_ago + timedelta(days=30)
    assert expiry["new"] == lately + timedelta(days=30)
    assert expiry["box"] is None
