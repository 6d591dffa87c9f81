"""``spotter edge run`` with each heart-rate source, against the real stack: the roster
comes from the API with the room's device token, samples go through the disk buffer to
Tansu, and the class is ended from the CLI through the running agent."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contract.kafka import bootstrap_servers
from contract.topics import TOPIC_CLASS_EVENTS, TOPIC_HR_SAMPLES
from edge.config import EdgeSettings
from edge.runner import SourceSpec, agent_file, run_edge
from ingest.replay import read_recording
from ingest.sim_backend import SimRadio, SimStrap
from tests.e2e.wire import wire_ids

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]

# Polar H7 notifications captured with gatttool (cal-id/Polar-H7-Pi README), and a packet
# whose flags promise RR intervals it does not carry.
PACKETS = [bytes.fromhex(h) for h in ("16 3c 11 04", "16 3c f5 03", "06 3c", "16 34 e4 04")]
GARBAGE = bytes.fromhex("10 3c 11")


async def read_class(live_stack: Any, topic: str, class_id: str, since_ms: int,
                     wanted: int, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    """Records of ``class_id`` on ``topic`` written after ``since_ms``."""
    consumer = AIOKafkaConsumer(topic, group_id=None, auto_offset_reset="earliest",
                                bootstrap_servers=bootstrap_servers(live_stack.settings.kafka_url))
    await consumer.start()
    out: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(out) < wanted and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                out += [json.loads(m.value) for m in messages if m.timestamp >= since_ms
                        and json.loads(m.value).get("class_session_id") == class_id]
    finally:
        await consumer.stop()
    return out


def by_strap(samples: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sample in samples:
        grouped[sample["strap_id"]].append(sample)
    return grouped


async def test_recordings_replay_as_members_of_the_class(live_stack: Any, shared_data: Path
                                                         ) -> None:
    demo = live_stack.demo(members=3)
    files = [shared_data / "hr-recordings" / "garmin-fenix-5-run.fit",
             shared_data / "hr-recordings" / "garmin-fenix-5-run-records.csv"]
    expected = {f"REPLAY:{f.stem.upper()}": len(read_recording(f)) for f in files}
    since = int(time.time() * 1000) - 1000
    agent = await run_edge(live_stack.edge_settings(demo), demo.class_session_id,
                           live_stack.api_url, spec=SourceSpec(replay=files, speed=0),
                           edge_settings=EdgeSettings(health_port=0))
    assert agent.published == sum(expected.values()) and agent.ended
    samples = await read_class(live_stack, TOPIC_HR_SAMPLES, demo.class_session_id, since,
                               sum(expected.values()))
    straps = by_strap([s for s in samples if s["strap_id"].startswith("REPLAY:")])
    assert {s: len(v) for s, v in straps.items()} == expected
    wires = wire_ids(live_stack.settings.resolved_database_url(), demo.class_session_id)
    members = {v[0]["member_id"] for v in straps.values()}  # under their bookings
    assert members == {wires["demo-member-01"], wires["demo-member-02"]}, \
        "paired in roster order"
    fit = straps["REPLAY:GARMIN-FENIX-5-RUN"]
    assert sum(len(s["rr_intervals_ms"]) for s in fit) == 113, "every RR interval travels"
    events = await read_class(live_stack, TOPIC_CLASS_EVENTS, demo.class_session_id, since, 2)
    assert [e["event"] for e in events][-1] == "end", "a finished replay ends the class"


async def wait_for(check: Any, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


async def test_ble_straps_stream_until_the_cli_ends_the_class(live_stack: Any) -> None:
    demo = live_stack.demo(members=3)
    settings = live_stack.edge_settings(demo)
    # The demo roster pairs straps sim-01.., so the simulated radio uses those addresses;
    # sim-02 sends a broken packet now and then, and a neighbour's strap is in range.
    radio = SimRadio.with_straps([
        SimStrap("sim-01", "Polar H7 01", PACKETS, interval_s=0.05),
        SimStrap("sim-02", "Polar H10 02", PACKETS + [GARBAGE], interval_s=0.05),
        SimStrap("C0:FF:EE:00:00:99", "Polar H9 stranger", PACKETS, interval_s=0.05),
    ], {"hci0": 5})
    spec = SourceSpec(ble=True, ble_backends=(radio.client_backend(), radio.scanner_backend()))
    since = int(time.time() * 1000) - 1000
    run = asyncio.create_task(run_edge(settings, demo.class_session_id, live_stack.api_url,
                                       spec=spec, edge_settings=EdgeSettings(health_port=0)))
    status_url = (await wait_for(lambda: agent_file(settings).exists()
                                 and json.loads(agent_file(settings).read_text())))["status_url"]

    async def status() -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{status_url}/status")).json()

    async def enough() -> dict[str, Any] | None:
        snap = await status()
        return snap if snap["counts"]["samples_published"] >= 40 \
            and snap["counts"]["malformed_packets"] >= 1 else None

    deadline = time.monotonic() + 20
    while (snap := await enough()) is None:
        assert time.monotonic() < deadline, "BLE samples did not flow"
        await asyncio.sleep(0.2)
    assert snap["unknown_straps"] == ["C0:FF:EE:00:00:99"]
    states = {s["strap_id"]: s["state"] for s in snap["straps"]}
    assert states["SIM-01"] == states["SIM-02"] == "streaming"
    assert states["SIM-03"] == "not heard"

    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "edge", "end-class", "--class-session",
        demo.class_session_id, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "SPOTTER_DATA_DIR": str(settings.data_dir),
             "SPOTTER_EDGE_TOKEN": demo.device_token})
    out, _ = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0 and json.loads(out)["via"] == "agent"
    agent = await asyncio.wait_for(run, 30)
    assert agent.ended and not agent_file(settings).exists()

    samples = await read_class(live_stack, TOPIC_HR_SAMPLES, demo.class_session_id, since,
                               agent.published)
    straps = by_strap([s for s in samples if s["strap_id"] in ("SIM-01", "SIM-02")])
    for strap, got in straps.items():
        assert [s["seq"] for s in got] == list(range(got[0]["seq"], got[0]["seq"] + len(got))), \
            f"{strap}: consecutive sequence numbers"
    assert {s["source"] for s in straps["SIM-01"]} == {"chest"}
    assert {s["hr_bpm"] for s in straps["SIM-01"]} <= {60, 52}  # 0x3c and 0x34 from PACKETS
    events = await read_class(live_stack, TOPIC_CLASS_EVENTS, demo.class_session_id, since, 2)
    assert events[-1]["event"] == "end"
