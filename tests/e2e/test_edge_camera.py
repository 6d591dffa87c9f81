"""A camera station on the edge box: a real clip through OpenCV and MediaPipe, reps out as
form events keyed by the member, through the same buffer and broker as heart rate."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from contract.kafka import bootstrap_servers
from contract.topics import TOPIC_FORM_EVENTS
from edge.cameras import parse_station
from edge.config import EdgeSettings
from edge.runner import SourceSpec, run_edge
from tests.e2e.wire import wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]


async def form_events(live_stack: Any, since_ms: int, wanted: int, class_session_id: str
                      ) -> list[dict[str, Any]]:
    """The class's form events on the shared stack (an earlier test's box may have sent
    events whose time, from a recording read faster than real time, is after ``since``)."""
    consumer = AIOKafkaConsumer(TOPIC_FORM_EVENTS, group_id=None, auto_offset_reset="earliest",
                                bootstrap_servers=bootstrap_servers(live_stack.settings.kafka_url))
    await consumer.start()
    out: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 15
        while len(out) < wanted and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                out += [e for e in (json.loads(m.value) for m in messages
                                    if m.timestamp >= since_ms)
                        if e.get("class_session_id") == class_session_id]
    finally:
        await consumer.stop()
    return out


async def test_a_squat_station_publishes_reps_for_its_member(live_stack: Any,
                                                             shared_data: Path) -> None:
    demo = live_stack.demo(members=3)
    clip = shared_data / "exercise-clips" / "s01_squat_front_band.mp4"  # 2 reps (2-3 ok)
    since = int(time.time() * 1000) - 1000
    spec = SourceSpec(camera=str(clip),
                      stations=[parse_station("demo-member-02::squat", None)])
    agent = await run_edge(live_stack.edge_settings(demo), demo.class_session_id,
                           live_stack.api_url, spec=spec,
                           edge_settings=EdgeSettings(health_port=0))
    assert agent.published == 0  # a camera-only box: no heart rate
    events = await form_events(live_stack, since, 2, demo.class_session_id)
    assert 1 <= len(events) <= 3  # counting accuracy itself is tested in tests/vision
    wires = wire_ids(live_stack.settings.resolved_database_url(), demo.class_session_id)
    for event in events:  # the member travels under their booking (contract.pseudonyms)
        assert event["member_id"] == wires["demo-member-02"]
        assert event["class_session_id"] == demo.class_session_id
        assert (event["exercise"], event["station_id"]) == ("squat", "demo-member-02@full")
        assert event["rom_deg"] > 20 and event["tempo_s"] > 0
        assert set(event) >= {"rep_index", "faults", "event_time"}
        assert not set(event) & {"image", "frame", "landmarks", "pose"}, "facts only, no video"
    assert [e["rep_index"] for e in events] == sorted(e["rep_index"] for e in events)
