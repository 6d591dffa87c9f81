"""Accounts: who may log in, how, and what a session cookie or token lets them do."""

from __future__ import annotations

import uuid

import pytest

from api.accounts.bootstrap import create_token


def test_a_user_exchanges_a_password_for_a_bearer_token(api_world) -> None:
    me = api_world.client.get("/api/me", headers=api_world.auth("trainer")).json()
    assert me["role"] == "trainer" and me["trainer_id"] == "demo-trainer"


@pytest.mark.parametrize(("email", "password", "status"), [
    ("trainer@demo.spotter", "wrong-password", 401),
    ("nobody@demo.spotter", "demo-trainer-pass", 401),
    ("not-an-email", "x", 422),
])
def test_bad_logins_are_refused_with_a_reason(api_world, email, password, status) -> None:
    response = api_world.client.post("/api/auth/token",
                                     json={"email": email, "password": password})
    assert response.status_code == status
    assert response.json()["detail"]


def test_login_attempts_are_rate_limited_per_address(api_world) -> None:
    client = api_world.client
    client.headers["x-test"] = "rate"
    codes = [client.post("/api/auth/token", json={"email": "x@demo.spotter",
                                                   "password": "wrong"}).status_code
             for _ in range(12)]
    assert codes[:10] == [401] * 10 or set(codes[:10]) <= {401, 429}
    assert codes[-1] == 429


def test_a_bad_or_revoked_bearer_token_is_refused(api_world) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        response = api_world.client.get("/api/me", headers={"Authorization": header})
        assert response.status_code == 401


def test_anonymous_callers_get_401_and_pages_redirect_to_login(api_world) -> None:
    assert api_world.client.get("/api/classes").status_code == 401
    page = api_world.client.get("/trainer", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_a_browser_session_needs_its_csrf_token_to_write(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["trainer"]
    login = client.post("/login", data={"email": email, "password": password, "next": ""},
                        follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/trainer"
    cookie = login.cookies["spotter_session"]
    assert "httponly" in login.headers["set-cookie"].lower()
    assert "samesite=lax" in login.headers["set-cookie"].lower()
    assert client.get("/api/me", cookies={"spotter_session": cookie}).status_code == 200
    refused = client.post("/logout", cookies={"spotter_session": cookie},
                          follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    page = client.get("/trainer", cookies={"spotter_session": cookie})
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    out = client.post("/logout", data={"csrf_token": csrf},
                      cookies={"spotter_session": cookie}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/me", cookies={"spotter_session": cookie}).status_code == 401


def test_login_never_redirects_off_site(api_world) -> None:
    email, password = api_world.demo.accounts["member"]
    login = api_world.client.post("/login", data={"email": email, "password": password,
                                                  "next": "//evil.example/"},
                                  follow_redirects=False)
    assert login.headers["location"] == "/member"


@pytest.mark.parametrize(("role", "roster", "board"), [
    ("admin", 200, 200), ("trainer", 200, 200), ("device", 200, 200), ("member", 403, 403),
])
def test_who_may_read_a_class_roster_and_live_board(api_world, role, roster, board) -> None:
    headers = api_world.auth(role)
    assert api_world.client.get("/api/classes/demo-class/roster",
                                headers=headers).status_code == roster
    assert api_world.client.get("/api/classes/demo-class/board",
                                headers=headers).status_code == board


def test_a_device_token_only_sees_its_own_room(api_world) -> None:
    other_room = create_token(api_world.database_url, "other box", kind="device",
                              room_id=f"room-{uuid.uuid4().hex[:6]}")
    response = api_world.client.get("/api/classes/demo-class/roster",
                                    headers={"Authorization": f"Bearer {other_room}"})
    assert response.status_code == 404


def test_members_see_only_classes_they_booked(api_world) -> None:
    classes = api_world.client.get("/api/classes", headers=api_world.auth("member")).json()
    assert [c["id"] for c in classes] == ["demo-class"]
