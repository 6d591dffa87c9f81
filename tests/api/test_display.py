"""The wall screen: a room display token opens ``/display/{room}`` and nothing else; it
names members as they chose (first name, nickname, or "Member N"), and shows only zone,
%HRmax and effort points."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.display.names import WallPreference, check_nickname, first_name, wall_labels
from api.display.service import WallClass, wall_tiles
from api.display.tokens import issue
from api.templating import render_fragment


@pytest.mark.parametrize(("display_name", "first"), [
    ("Ava", "Ava"), ("Ava Smith", "Ava"), ("  Jean-Luc  Picard ", "Jean-Luc"), ("", "")])
def test_the_wall_uses_the_first_name(display_name, first) -> None:
    assert first_name(display_name) == first


@pytest.mark.parametrize(("nickname", "kept"), [
    ("Rocket", "Rocket"), ("  Big  Ben ", "Big Ben"), ("", None), (None, None),
    ("O'Neil", "O'Neil"), ("Zoë", "Zoë")])
def test_a_nickname_is_kept_cleaned(nickname, kept) -> None:
    assert check_nickname(nickname) == kept


@pytest.mark.parametrize("nickname", ["<b>x</b>", "http://x.y/z", "a" * 25, "-dash", "a_b"])
def test_a_nickname_that_is_not_a_name_is_refused_with_the_reason(nickname) -> None:
    with pytest.raises(ValueError, match="nickname"):
        check_nickname(nickname)


def test_members_are_named_as_they_chose_and_numbered_when_off_the_wall() -> None:
    names = {"m-a": "Ava Smith", "m-b": "Ben Jones", "m-c": "Chloe Park"}
    labels = wall_labels(names, names, {"m-b": WallPreference(on_wall=False),
                                        "m-c": WallPreference(nickname="Rocket")})
    assert labels == {"m-a": "Ava", "m-b": "Member 2", "m-c": "Rocket"}
    off = wall_labels(names, names, {m: WallPreference(on_wall=False) for m in names})
    assert sorted(off.values()) == ["Member 1", "Member 2", "Member 3"]
    assert not set(off.values()) & {"Ava", "Ben", "Chloe", "m-a", "m-b", "m-c"}


def test_a_wall_tile_carries_zone_pct_and_effort_only() -> None:
    wall = WallClass("c1", "HIIT 45", {"m-a": "Ava", "m-b": "Member 2"},
                     {"m-a": "wall-1", "m-b": "wall-2"})
    board = {
        "m-a": {"member_id": "m-a", "name": "Ava Smith", "hr": 181, "pct_hr_max": 0.957,
                "zone": 5, "effort_points": 12.6, "status": "live",
                "form": {"last_fault": "knees caving", "set_reps": 4}},
        "m-b": {"member_id": "m-b", "name": "Ben Jones", "hr": 97, "pct_hr_max": 0.52,
                "zone": 0, "effort_points": 0.2, "status": "dropped"},
        "stranger": {"member_id": "stranger", "name": "Walk In", "hr": 120,
                     "pct_hr_max": 0.6, "zone": 1, "effort_points": 1},
    }
    tiles = wall_tiles(board, wall)
    assert tiles == [{"slot": "wall-1", "label": "Ava", "zone": 5, "pct": 96, "effort": 13},
                     {"slot": "wall-2", "label": "Member 2", "zone": 0, "pct": 52,
                      "effort": 0}]
    html = "".join(render_fragment("_wall_tile.html", tile=t, oob=False) for t in tiles)
    for private in ("181", "bpm", "knees", "Smith", "Ben", "m-a", "dropped", "Walk In"):
        assert private not in html, private
    assert "Ava" in html and "96" in html and "zone-5" in html


def display_token(database_url: str, room: str = "demo-room") -> str:
    return issue(database_url, room)[1]


def test_the_link_opens_the_screen_and_moves_the_token_into_a_cookie(api_world) -> None:
    token = display_token(api_world.database_url)
    client = api_world.client
    first = client.get(f"/display/demo-room?token={token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/display/demo-room"
    cookie = first.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "path=/display/demo-room" in cookie.lower()
    page = client.get("/display/demo-room", cookies={"spotter_display": token})
    assert page.status_code == 200
    assert "Studio 1" in page.text and 'sse-connect="/display/demo-room/stream"' in page.text
    assert "<script>" not in page.text  # no inline script under the pages' CSP


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("member", 403), ("trainer", 403), ("device", 403), ("admin", 200)])
def test_without_the_rooms_display_token_only_an_admin_opens_it(api_world, who, status
                                                               ) -> None:
    headers = {} if who == "anonymous" else api_world.auth(who)
    answer = api_world.client.get("/display/demo-room", headers=headers)
    assert answer.status_code == status


def test_a_token_opens_its_own_room_only_and_stops_when_revoked(api_world) -> None:
    client = api_world.client
    token = display_token(api_world.database_url)
    other = client.post("/api/admin/display-tokens", json={"room_id": "demo-room"},
                        headers=api_world.auth("admin"))
    assert other.status_code == 201, other.text
    body = other.json()
    assert body["path"] == f"/display/demo-room?token={body['token']}"
    assert client.get(f"/display/elsewhere?token={token}").status_code == 401
    # a display token is not a bearer token: it opens no API
    assert client.get("/api/classes", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    revoked = client.delete(f"/api/admin/display-tokens/{body['id']}",
                            headers=api_world.auth("admin"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/display/demo-room",
                      cookies={"spotter_display": body["token"]}).status_code == 401
    listed = client.get("/api/admin/display-tokens", headers=api_world.auth("admin")).json()
    assert {t["id"] for t in listed} >= {body["id"]} and "token" not in listed[0]


def test_issuing_for_an_unknown_room_is_refused_with_the_reason(api_world) -> None:
    answer = api_world.client.post("/api/admin/display-tokens", json={"room_id": "nope"},
                                   headers=api_world.auth("admin"))
    assert answer.status_code == 422 and "no room 'nope'" in answer.json()["detail"]


def test_the_cli_issues_lists_and_revokes_display_tokens(api_world, monkeypatch) -> None:
    monkeypatch.setenv("SPOTTER_DATABASE_URL", api_world.database_url)
    from configs.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(app, ["display", "token", "--room", "demo-room"])
        assert made.exit_code == 0, made.output
        issued = json.loads(made.stdout)
        assert issued["url"].endswith(f"/display/demo-room?token={issued['token']}")
        assert api_world.client.get(f"/display/demo-room?token={issued['token']}",
                                    follow_redirects=False).status_code == 303
        listed = runner.invoke(app, ["display", "list"])
        assert issued["id"] in listed.stdout and issued["token"] not in listed.stdout
        gone = runner.invoke(app, ["display", "revoke", issued["id"]])
        assert gone.exit_code == 0 and json.loads(gone.stdout)["revoked_at"]
        bad = runner.invoke(app, ["display", "token", "--room", "no-such-room"])
        assert bad.exit_code == 2 and "no room 'no-such-room'" in bad.output
    finally:
        get_settings.cache_clear()


def test_the_display_command_is_registered_with_spotter() -> None:
    help_text = subprocess.run([sys.executable, "-m", "api.cli", "display", "--help"],
                               capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "token" in help_text.stdout


def test_a_member_chooses_a_nickname_or_to_stay_off_the_wall(api_world) -> None:
    client, member = api_world.client, api_world.auth("member")
    assert client.get("/api/members/me/wall-name", headers=member).json() == {
        "nickname": None, "on_wall": True, "shown_as": "Ava"}
    set_nick = client.put("/api/members/me/wall-name", json={"nickname": " Rocket "},
                          headers=member)
    assert set_nick.status_code == 200 and set_nick.json()["shown_as"] == "Rocket"
    off = client.put("/api/members/me/wall-name", json={"nickname": "Rocket",
                                                        "on_wall": False}, headers=member)
    assert off.json()["on_wall"] is False and "Member N" in off.json()["shown_as"]
    bad = client.put("/api/members/me/wall-name", json={"nickname": "<script>"},
                     headers=member)
    assert bad.status_code == 422 and "nickname" in bad.json()["detail"]
    assert client.get("/api/members/me/wall-name",
                      headers=api_world.auth("trainer")).status_code == 403


def test_the_member_page_saves_the_choice(api_world) -> None:
    client = api_world.client
    email, password = api_world.demo.accounts["member"]
    login = client.post("/login", data={"email": email, "password": password},
                        follow_redirects=False)
    assert login.status_code == 303
    page = client.get("/member/wall-name")
    assert page.status_code == 200 and 'name="nickname"' in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    saved = client.post("/member/wall-name", data={"csrf_token": csrf, "nickname": "Ace",
                                                   "show": "name"}, follow_redirects=False)
    assert saved.status_code == 303
    assert "Ace" in client.get("/member/wall-name?saved=true").text
    refused = client.post("/member/wall-name", data={"csrf_token": csrf,
                                                     "nickname": "<b>", "show": "name"})
    assert refused.status_code == 422 and "nickname" in refused.text
