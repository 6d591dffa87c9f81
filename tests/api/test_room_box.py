"""The room's edge box reports its cameras and station layout to the API (issue 19):
only its own device may, only states, frame rates and coordinates are taken (anything
else, like an image, is refused), the status expires when the box goes quiet, and the
trainer's board shows both."""

from __future__ import annotations

import json
import time
from typing import Any

from redis import Redis

from api.accounts.bootstrap import create_token
from api.live import fragments
from api.live.service import LiveView
from api.rooms.box import box_key
from tests.api.conftest import ApiWorld

ROOM = "demo-room"


def status(class_id: str, **extra: Any) -> dict[str, Any]:
    return {"class_session_id": class_id, "sent_at": time.time(), "every_s": 5.0,
            "cameras": [
                {"camera_id": "cam-a", "state": "streaming", "reconnects": 0,
                 "stations": [{"station_id": "cam-a-1", "member_id": "demo-member-01",
                               "fps": 11.8, "mode": "working"},
                              {"station_id": "cam-a-2", "member_id": None, "fps": 5.0,
                               "mode": "idle"}]},
                {"camera_id": "door", "state": "reconnecting", "reconnects": 3,
                 "stations": []}], **extra}


def layout(class_id: str | None) -> dict[str, Any]:
    return {"class_session_id": class_id, "camera_id": "cam-a", "confirmed_at": 1.0,
            "stations": [{"station_id": "cam-a-1", "region": [0.0, 0.1, 0.5, 0.9],
                          "member_id": "demo-member-01"},
                         {"station_id": "cam-a-2", "region": [0.5, 0.1, 0.5, 0.9],
                          "member_id": None}]}


def test_the_rooms_device_reports_its_cameras_and_staff_read_them(
        api_world: ApiWorld, redis_server_url: str) -> None:
    client, class_id = api_world.client, api_world.demo.class_session_id
    device = api_world.auth("device")
    response = client.put(f"/api/rooms/{ROOM}/box", json=status(class_id), headers=device)
    assert response.status_code == 200, response.text
    assert client.put(f"/api/rooms/{ROOM}/stations", json=layout(class_id),
                      headers=device).status_code == 200
    got = client.get(f"/api/rooms/{ROOM}/box", headers=api_world.auth("trainer")).json()
    assert [c["state"] for c in got["status"]["cameras"]] == ["streaming", "reconnecting"]
    assert got["stations"]["cam-a"]["stations"][0]["region"] == [0.0, 0.1, 0.5, 0.9]
    ttl = Redis.from_url(redis_server_url).ttl(box_key(ROOM))
    assert 0 < ttl <= 15, "kept for three of the box's 5 s reports"


def test_another_rooms_device_and_members_may_not(api_world: ApiWorld) -> None:
    client, class_id = api_world.client, api_world.demo.class_session_id
    other = create_token(api_world.database_url, "other box", kind="device",
                         room_id="another-room")
    for headers in ({"Authorization": f"Bearer {other}"}, api_world.auth("member")):
        assert client.put(f"/api/rooms/{ROOM}/box", json=status(class_id),
                          headers=headers).status_code == 403
        assert client.put(f"/api/rooms/{ROOM}/stations", json=layout(class_id),
                          headers=headers).status_code == 403
    assert client.get(f"/api/rooms/{ROOM}/box",
                      headers=api_world.auth("member")).status_code == 403


def test_only_states_rates_and_coordinates_are_taken(api_world: ApiWorld) -> None:
    client, class_id = api_world.client, api_world.demo.class_session_id
    device = api_world.auth("device")
    jpeg = "data:image/jpeg;base64,/9j/4AAQSkZJRg=="
    refused = [
        status(class_id, snapshot=jpeg),
        {**status(class_id), "cameras": [{"camera_id": "cam-a", "state": "streaming",
                                          "source": "rtsp://user:pw@10.0.0.5/stream"}]},
        {**status(class_id), "cameras": [{"camera_id": "cam-a", "state": "streaming",
                                          "stations": [{"station_id": "s", "image": jpeg}]}]},
    ]
    for body in refused:
        assert client.put(f"/api/rooms/{ROOM}/box", json=body,
                          headers=device).status_code == 422
    for body in ({**layout(class_id), "snapshot": jpeg},
                 {**layout(class_id), "stations": [{"station_id": "s", "region": [0, 0, 1, 1],
                                                    "crop": jpeg}]},
                 {**layout(class_id), "stations": [{"station_id": "s",
                                                    "region": [0.6, 0, 0.6, 1]}]}):
        assert client.put(f"/api/rooms/{ROOM}/stations", json=body,
                          headers=device).status_code == 422
    wrong_class = status("no-such-class")
    assert client.put(f"/api/rooms/{ROOM}/box", json=wrong_class,
                      headers=device).status_code == 422


def test_a_status_message_reaches_the_class_channel(api_world: ApiWorld,
                                                     redis_server_url: str) -> None:
    client, class_id = api_world.client, api_world.demo.class_session_id
    pubsub = Redis.from_url(redis_server_url).pubsub()
    pubsub.subscribe(f"spotter:live:{class_id}")
    pubsub.get_message(timeout=1)  # the subscription's confirmation
    client.put(f"/api/rooms/{ROOM}/box", json=status(class_id), headers=api_world.auth("device"))
    client.put(f"/api/rooms/{ROOM}/stations", json=layout(class_id),
               headers=api_world.auth("device"))
    kinds = []
    for _ in range(2):
        message = pubsub.get_message(timeout=2)
        assert message is not None
        kinds.append(json.loads(message["data"])["type"])
    assert kinds == ["box", "stations"]


def test_the_board_shows_camera_states_stations_and_the_layout(api_world: ApiWorld) -> None:
    client, class_id = api_world.client, api_world.demo.class_session_id
    client.put(f"/api/rooms/{ROOM}/box", json=status(class_id), headers=api_world.auth("device"))
    client.put(f"/api/rooms/{ROOM}/stations", json=layout(class_id),
               headers=api_world.auth("device"))
    trainer = api_world.token_for("trainer")
    page = client.get(f"/trainer/classes/{class_id}",
                      headers={"Authorization": f"Bearer {trainer}"})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-testid="box-status"' in html
    assert "reconnecting (attempt 3)" in html and "11.8 fps" in html
    assert 'data-testid="region-cam-a-1"' in html and 'data-region="0.0,0.1,0.5,0.9"' in html
    assert "<img" not in html.split('id="box-status"')[1].split("</section>")[0]


def test_live_changes_re_render_the_box_fragment() -> None:
    view = LiveView("c")
    view.apply({"type": "tile", "tile": {"member_id": "m1", "name": "Ann", "last_seen": 1.0}})
    what = view.apply({"type": "box", "box": {**status("c"), "at": 5.0}})
    assert what == "box"
    html = fragments.changes(view, [(what, {})], {"m1"}, "live")
    assert 'id="box-status"' in html and 'hx-swap-oob="true"' in html
    assert "reconnecting (attempt 3)" in html
    view.apply({"type": "stations", "stations": {"cam-a": {**layout(None), "at": 1.0}}})
    html = fragments.changes(view, [("box", {})], {"m1"}, "live")
    assert 'data-testid="layout-cam-a"' in html
