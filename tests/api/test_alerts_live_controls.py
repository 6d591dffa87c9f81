"""Class start/end and 'mark resting' from the tablet, as every role. Without a broker
the start/end routes answer 503 with a reason (their Kafka path runs in tests/e2e)."""

from __future__ import annotations

import pytest
import redis

from streams.sink import resting_key


@pytest.mark.parametrize("action", ["start", "end"])
@pytest.mark.parametrize(("role", "status"), [
    ("trainer", 503), ("admin", 503), ("member", 403), ("device", 403), (None, 401)])
def test_starting_and_ending_a_class(api_world, action, role, status) -> None:
    headers = api_world.auth(role) if role else {}
    response = api_world.client.post(f"/api/classes/demo-class/{action}", headers=headers)
    assert response.status_code == status, response.text
    if status == 503:
        assert "Kafka" in response.json()["detail"]


@pytest.fixture
def resting_cleanup():
    yield
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.delete(resting_key("demo-class"))
    client.close()


def test_the_trainer_marks_a_member_resting(api_world, resting_cleanup) -> None:
    url = "/api/classes/demo-class/members/demo-member-02/resting"
    headers = api_world.auth("trainer")
    assert api_world.client.post(url, headers=headers).json() == {
        "member_id": "demo-member-02", "resting": True}
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        assert client.smembers(resting_key("demo-class")) == {b"demo-member-02"}
        api_world.client.post(url + "?resting=false", headers=headers)
        assert client.smembers(resting_key("demo-class")) == set()
    finally:
        client.close()


@pytest.mark.parametrize(("role", "member", "status"), [
    ("member", "demo-member-01", 403), ("device", "demo-member-01", 403),
    ("trainer", "not-booked", 404), (None, "demo-member-01", 401)])
def test_resting_needs_the_classs_trainer(api_world, resting_cleanup, role, member,
                                          status) -> None:
    headers = api_world.auth(role) if role else {}
    response = api_world.client.post(f"/api/classes/demo-class/members/{member}/resting",
                                     headers=headers)
    assert response.status_code == status, response.text
