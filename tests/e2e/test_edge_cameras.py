"""``spotter edge run --cameras FILE``: a box with two cameras (recorded clips standing in
for the devices) and a third that is unplugged, against the real stack. Members come to
stations from the class roster; each camera's reps reach Kafka keyed by its member; the
box's status shows every camera, the dead one too; the agent ends when the recordings do.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.topics import TOPIC_FORM_EVENTS
from edge.runner import agent_file
from tests.e2e.test_edge_sources import read_class
from tests.e2e.wire import wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def camera_file(folder: Path, clips: Path, dead_port: int) -> Path:
    path = folder / "cameras.toml"
    path.write_text(f"""
[pacing]
idle_fps = 5
working_fps = 12

[pool]
workers = 2

[reconnect]
initial_s = 0.5
max_s = 2.0
max_attempts = 4  # then given up, so the camera-only class ends with the recordings

[[camera]]
id = "left"
source = "{clips / 's05_jumping_jacks_front.mp4'}"
# every frame offered (not paced to the clip's clock): counts must not depend on how busy
# the test machine is (the station-page test and the capacity bench play clips in real time)
realtime = false
exercise = "jumping-jack"

[[camera.station]]
id = "left-1"
region = [0, 0, 1, 1]

[[camera]]
id = "right"
source = "{clips / 's01_squat_front_band.mp4'}"
realtime = false
exercise = "squat"

[[camera.station]]
id = "right-1"
region = [0, 0, 1, 1]

[[camera]]
id = "door"
source = "rtsp://studio:secret@127.0.0.1:{dead_port}/stream"
exercise = "squat"

[[camera.station]]
id = "door-1"
region = [0, 0, 1, 1]
""")
    return path


async def test_two_cameras_publish_reps_for_roster_members(live_stack: Any, shared_data: Path,
                                                           tmp_path: Path) -> None:
    demo = live_stack.demo(members=3)
    roster = httpx.get(f"{live_stack.api_url}/api/classes/{demo.class_session_id}/roster",
                       headers={"Authorization": f"Bearer {demo.device_token}"}).json()
    members = [row["member_id"] for row in roster]
    data_dir = tmp_path / "box"
    cameras = camera_file(tmp_path, shared_data / "exercise-clips", dead_port=9)
    since = int(time.time() * 1000) - 1000
    agent = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "edge", "run", "--class-session",
        demo.class_session_id, "--cameras", str(cameras),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SPOTTER_DATA_DIR": str(data_dir),
             "SPOTTER_EDGE_TOKEN": demo.device_token,
             "SPOTTER_KAFKA_URL": live_stack.settings.kafka_url,
             "SPOTTER_API_URL": live_stack.api_url, "SPOTTER_EDGE_HEALTH_PORT": "0"})
    settings = live_stack.settings.model_copy(update={"data_dir": data_dir})
    try:
        status: dict[str, Any] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            if not agent_file(settings).exists():
                continue
            url = json.loads(agent_file(settings).read_text())["status_url"]
            with_cameras = httpx.get(f"{url}/status", timeout=5).json()
            states = {c["camera_id"]: c["state"] for c in with_cameras["cameras"]}
            if states.get("left") in ("streaming", "finished") and states.get("door") in (
                    "reconnecting", "failed"):
                status = with_cameras
                break
        assert status, "the cameras did not come up"
        out, _ = await asyncio.wait_for(agent.communicate(), 120)
    finally:
        if agent.returncode is None:
            agent.terminate()
            await agent.wait()
    assert agent.returncode == 0, out.decode()[-3000:]

    by_id = {c["camera_id"]: c for c in status["cameras"]}
    assert by_id["door"]["reconnects"] >= 1 and "secret" not in by_id["door"]["source"]
    stations = {s["station_id"]: s for c in status["cameras"] for s in c["stations"]}
    # members in roster order onto stations in file order
    assert [stations[s]["member_id"] for s in ("left-1", "right-1", "door-1")] == members[:3]

    events = await read_class(live_stack, TOPIC_FORM_EVENTS, demo.class_session_id, since, 12)
    jacks = [e for e in events if e["station_id"] == "left-1"]
    squats = [e for e in events if e["station_id"] == "right-1"]
    assert 9 <= len(jacks) <= 11, "s05: 10 jumping jacks (within one rep)"
    assert 1 <= len(squats) <= 3, "s01: 2 squats (2-3 acceptable)"
    # members travel under their bookings (contract.pseudonyms)
    wires = wire_ids(live_stack.settings.resolved_database_url(), demo.class_session_id)
    assert {e["member_id"] for e in jacks} == {wires[members[0]]}
    assert {e["member_id"] for e in squats} == {wires[members[1]]}
    assert not [e for e in events if e["station_id"] == "door-1"]
    for event in events:
        assert not set(event) & {"image", "frame", "landmarks", "pose"}, "facts only"
