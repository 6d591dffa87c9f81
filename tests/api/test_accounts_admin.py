"""Managing accounts and tokens through the admin API and the admin pages."""

from __future__ import annotations

import pytest


def test_an_admin_creates_a_member_who_can_then_log_in(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    created = client.post("/api/admin/users", headers=admin, json={
        "email": "New.Member@Studio.example", "password": "a-long-password",
        "role": "member", "display_name": "Nia"})
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "new.member@studio.example"
    assert user["member_id"]  # a member profile was created with the account
    token = client.post("/api/auth/token", json={"email": "new.member@studio.example",
                                                 "password": "a-long-password"})
    assert token.status_code == 200
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["member_id"] == user["member_id"]
    again = client.post("/api/admin/users", headers=admin, json={
        "email": "new.member@studio.example", "password": "a-long-password", "role": "member"})
    assert again.status_code == 409 and "already has an account" in again.json()["detail"]


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"email": "x@y.example", "password": "short", "role": "member"}, 422, "at least 8"),
    ({"email": "not-an-email", "password": "long-enough", "role": "member"}, 422, "pattern"),
    ({"email": "x@y.example", "password": "long-enough", "role": "owner"}, 422, "admin"),
    ({"email": "x@y.example", "password": "long-enough", "role": "member",
      "member_id": "ghost"}, 422, "no member 'ghost'"),
    ({"email": "x@y.example", "password": "long-enough", "role": "admin",
      "trainer_id": "demo-trainer"}, 422, "only applies to role 'trainer'"),
    ({"email": "x@y.example", "password": "long-enough", "role": "member", "is_god": True},
     422, "Extra inputs"),
])
def test_bad_accounts_are_refused_with_a_reason(api_world, body, status, needle) -> None:
    response = api_world.client.post("/api/admin/users", json=body,
                                     headers=api_world.auth("admin"))
    assert response.status_code == status
    assert needle in response.text


def test_an_admin_cannot_lock_themselves_out(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    me = client.get("/api/me", headers=admin).json()
    for change in ({"is_active": False}, {"role": "member"}):
        refused = client.patch(f"/api/admin/users/{me['user_id']}", json=change,
                               headers=admin)
        assert refused.status_code == 422 and "your own account" in refused.text


def test_device_tokens_are_scoped_to_an_existing_room_and_revocable(api_world) -> None:
    client, admin = api_world.client, api_world.auth("admin")
    nowhere = client.post("/api/admin/tokens", headers=admin,
                          json={"name": "box", "room_id": "no-such-room"})
    assert nowhere.status_code == 422 and "no room" in nowhere.json()["detail"]
    both = client.post("/api/admin/tokens", headers=admin,
                       json={"name": "box", "room_id": "demo-room", "user_id": "x"})
    assert both.status_code == 422
    issued = client.post("/api/admin/tokens", headers=admin,
                         json={"name": "studio 1 box", "room_id": "demo-room"})
    assert issued.status_code == 201
    secret, token_id = issued.json()["token"], issued.json()["id"]
    device = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/me", headers=device).json() == {
        "role": "device", "user_id": None, "display_name": "studio 1 box", "member_id": None,
        "trainer_id": None, "room_id": "demo-room"}
    listed = client.get("/api/admin/tokens?room_id=demo-room", headers=admin).json()
    assert token_id in {t["id"] for t in listed} and all("token" not in t for t in listed)
    assert client.delete(f"/api/admin/tokens/{token_id}", headers=admin).status_code == 200
    assert client.get("/api/me", headers=device).status_code == 401
    assert client.delete("/api/admin/tokens/nope", headers=admin).status_code == 404


def test_a_new_password_ends_browser_sessions(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["trainer"]
    login = client.post("/login", data={"email": email, "password": password},
                        follow_redirects=False)
    cookie = login.cookies["spotter_session"]
    client.cookies.clear()
    me = client.get("/api/me", cookies={"spotter_session": cookie}).json()
    changed = client.patch(f"/api/admin/users/{me['user_id']}", headers=api_world.auth("admin"),
                           json={"password": "another-long-one"})
    assert changed.status_code == 200
    assert client.get("/api/me", cookies={"spotter_session": cookie}).status_code == 401


def test_the_accounts_page_creates_users_and_shows_errors(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["admin"]
    client.post("/login", data={"email": email, "password": password})
    page = client.get("/admin/users")
    assert page.status_code == 200 and "ava@demo.spotter" in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post("/admin/users", data={"csrf_token": csrf, "email": "c@d.example",
                                            "password": "short", "role": "trainer"})
    assert bad.status_code == 422 and "password" in bad.text
    assert 'value="c@d.example"' in bad.text  # what was typed is kept
    good = client.post("/admin/users", follow_redirects=False, data={
        "csrf_token": csrf, "email": "c@d.example", "password": "long-enough-pass",
        "role": "trainer", "display_name": "Cleo"})
    assert good.status_code == 303
    assert "c@d.example" in client.get("/admin/users").text


def test_the_devices_page_shows_a_new_token_once(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["admin"]
    client.post("/login", data={"email": email, "password": password})
    page = client.get("/admin/devices")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    issued = client.post("/admin/devices", data={"csrf_token": csrf, "room_id": "demo-room",
                                                 "name": "cam box"})
    assert issued.status_code == 201
    secret = issued.text.split('<code class="secret">')[1].split("<")[0]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me["room_id"] == "demo-room"
    assert secret not in client.get("/admin/devices").text


def test_missing_form_fields_get_a_readable_422_in_the_browser(api_world) -> None:
    client = api_world.client
    page = client.post("/login", data={"email": "a@b.example"},
                       headers={"accept": "text/html"})
    assert page.status_code == 422
    assert "password: Field required" in page.text and "Traceback" not in page.text
    api = client.post("/api/admin/users", json={"role": "member"},
                      headers=api_world.auth("admin"))
    assert api.status_code == 422
    assert {tuple(e["loc"]) for e in api.json()["detail"]} >= {("body", "email"),
                                                               ("body", "password")}
