"""NaN, Infinity and numbers no field can hold are refused with 422 before any route runs;
every other body reaches the route untouched."""

from __future__ import annotations

import json
import math

import pytest

from api.security.json_guard import json_safe, nonstandard_numbers


@pytest.mark.parametrize(("body", "loc", "needle"), [
    (b'{"weight": NaN}', ["body", "weight"], "NaN is not valid JSON"),
    (b'{"a": {"b": [1, Infinity]}}', ["body", "a", "b", 1], "Infinity is not valid JSON"),
    (b'[-Infinity]', ["body", 0], "-Infinity is not valid JSON"),
    (b'{"revenue_weight": 1e400}', ["body", "revenue_weight"], "1e400 is out of range"),
    (b'{"n": 9223372036854775808}', ["body", "n"], "fit in 64 bits"),
    (b'{"n": -9223372036854775809}', ["body", "n"], "fit in 64 bits"),
    (b'{"n": ' + b"9" * 5000 + b"}", ["body", "n"], "fit in 64 bits"),
])
def test_nonstandard_numbers_are_found_with_their_place(body, loc, needle) -> None:
    errors = nonstandard_numbers(body)
    assert len(errors) == 1 and errors[0]["loc"] == loc and needle in errors[0]["msg"]
    json.dumps(errors)  # the error itself is plain JSON


@pytest.mark.parametrize("body", [
    b'{"name": "NaN", "note": "Infinity and beyond"}',  # words in strings are fine
    b'{"weight": 1e308, "n": 9223372036854775807, "x": -9223372036854775808}',
    b'{"x": 0.30000000000000004}',
    b'{"broken": ',  # not JSON at all: FastAPI's own 422 says so
    b"",
])
def test_standard_json_passes(body) -> None:
    assert nonstandard_numbers(body) == []


def test_every_bad_value_is_reported_at_once() -> None:
    errors = nonstandard_numbers(b'{"a": NaN, "b": [Infinity, 1e999]}')
    assert [e["loc"] for e in errors] == [["body", "a"], ["body", "b", 0], ["body", "b", 1]]


def test_json_safe_names_what_json_cannot_hold() -> None:
    value = {"input": [math.nan, math.inf, -math.inf, 1.5, "x"]}
    assert json_safe(value) == {"input": ["NaN", "Infinity", "-Infinity", 1.5, "x"]}


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/merge-patch+json"])
def test_the_api_answers_422_naming_the_value(api_world, content_type) -> None:
    response = api_world.client.post(
        "/api/plans", headers={**api_world.auth("trainer"), "content-type": content_type},
        content=b'{"member_id": "demo-member-01", "weeks": NaN}')
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [{"type": "json_number", "loc": ["body", "weeks"],
                       "msg": "NaN is not valid JSON: send a finite number", "input": "NaN"}]


def test_a_refused_body_is_refused_before_the_role_gate(api_world) -> None:
    """The guard runs first, so what an anonymous caller learns is only that NaN is bad."""
    response = api_world.client.patch("/api/admin/users/x", content=b'{"x": Infinity}',
                                      headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_good_bodies_still_reach_their_route(api_world) -> None:
    email, password = api_world.demo.accounts["member"]
    body = json.dumps({"email": email, "password": password}).encode()
    response = api_world.client.post("/api/auth/token", content=body,
                                     headers={"content-type": "application/json"})
    assert response.status_code == 200
    # "Infinity" inside a string makes the guard parse the body, which then passes on whole
    response = api_world.client.post("/api/auth/token", headers={
        "content-type": "application/json"}, content=json.dumps(
            {"email": email, "password": "Infinity-" + "1" * 20}).encode())
    assert response.status_code == 401  # reached the route: the password was checked
