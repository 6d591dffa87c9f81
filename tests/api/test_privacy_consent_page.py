"""The member's "Your data" card: shows each choice with its wording and version, says
what is off, saves in place (htmx) or with a redirect (plain form), refuses bad input
with the reason, and needs the CSRF token."""

from __future__ import annotations

import re

from tests.api.conftest import ApiWorld
from tests.api.test_privacy_consent import forget_choices, rows

CARD = "/member/data/choices"


def member_session(world: ApiWorld) -> str:
    email, password = world.demo.accounts["member"]
    login = world.client.post("/login", data={"email": email, "password": password},
                              follow_redirects=False)
    world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    page = world.client.get(CARD).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_card_shows_choices_and_saves_them_in_place(api_world: ApiWorld) -> None:
    forget_choices(api_world)
    csrf = member_session(api_world)
    card = api_world.client.get(CARD)
    assert card.status_code == 200
    assert "Camera form analysis" in card.text and "wording version 1" in card.text
    assert "Off now: <strong>Camera form analysis</strong>" in card.text  # the default
    saved = api_world.client.post(CARD, headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "hr_tracking": "off", "camera_form": "on", "suggestions": "on",
        "wall_screen": "anonymous", "nickname": ""})
    assert saved.status_code == 200, saved.text
    assert "Saved." in saved.text
    assert "Off now: <strong>Heart rate in class</strong>, <strong>Named on the wall " \
           "screen</strong>" in saved.text
    assert {(r.choice, r.granted) for r in rows(api_world)} == {
        ("hr_tracking", False), ("camera_form", True), ("suggestions", True),
        ("wall_screen", False)}
    assert 'data-testid="choices-history"' in saved.text
    page = api_world.client.get("/member")
    assert 'hx-get="/member/data/choices"' in page.text


def test_a_plain_post_redirects_and_bad_input_says_why(api_world: ApiWorld) -> None:
    csrf = member_session(api_world)
    plain = api_world.client.post(CARD, data={"csrf_token": csrf, "camera_form": "off"},
                                  follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].startswith("/member")
    bad = api_world.client.post(CARD, data={"csrf_token": csrf, "wall_screen": "nickname",
                                            "nickname": "<script>"})
    assert bad.status_code == 422 and "nickname" in bad.text
    odd = api_world.client.post(CARD, data={"csrf_token": csrf, "hr_tracking": "maybe"})
    assert odd.status_code == 422 and "choose on or off" in odd.text
    forged = api_world.client.post(CARD, data={"hr_tracking": "off"})
    assert forged.status_code == 403


def test_the_trainers_board_names_what_a_member_switched_off(api_world: ApiWorld) -> None:
    api_world.client.put("/api/members/me/consents", headers=api_world.auth("member"),
                         json={"hr_tracking": False, "camera_form": False})
    email, password = api_world.demo.accounts["trainer"]
    login = api_world.client.post("/login", data={"email": email, "password": password},
                                  follow_redirects=False)
    api_world.client.cookies.set("spotter_session", login.cookies["spotter_session"])
    board = api_world.client.get(f"/trainer/classes/{api_world.demo.class_session_id}")
    assert board.status_code == 200
    assert 'data-testid="opted-out"' in board.text
    assert "Ava (HR off, camera off)" in board.text
