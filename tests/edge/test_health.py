"""The local status endpoint: one snapshot, shown as JSON and as Prometheus metrics."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from contract.records import RosterEntry
from edge.agent import EdgeAgent
from edge.buffer import DiskBuffer, Entry
from edge.config import EdgeSettings
from edge.forwarder import StoreAndForward
from edge.health import serve_status, status_app, status_snapshot
from ingest.source import HeartRateMeasurement, StrapReading


class AcceptingBroker:
    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, window: Sequence[Entry]) -> list[bool]:
        return [True] * len(window)


class ListSource:
    """A fixed list of readings (what a radio would have delivered)."""

    def __init__(self, readings: list[StrapReading]) -> None:
        self._readings = readings
        self.closed = False

    async def readings(self):  # type: ignore[no-untyped-def]
        for reading in self._readings:
            if self.closed:
                return
            yield reading
            await asyncio.sleep(0)

    def statuses(self) -> dict:  # type: ignore[type-arg]
        return {}

    async def close(self) -> None:
        self.closed = True


def reading(strap: str, hr: int = 120) -> StrapReading:
    return StrapReading(strap, HeartRateMeasurement(hr_bpm=hr), 1.0, 1_700_000_000.0, "chest")


ROSTER = [RosterEntry(class_session_id="c1", member_id="ann", display_name="Ann",
                      strap_id="C0:FF:EE:00:00:01")]


async def running_agent(tmp_path: Path) -> tuple[EdgeAgent, StoreAndForward]:
    settings = EdgeSettings(health_enabled=False)
    buffer = DiskBuffer(tmp_path / "b.sqlite", 10**6, "NORMAL").open()
    forwarder = StoreAndForward(AcceptingBroker(), buffer, settings)
    await forwarder.start()
    source = ListSource([reading("c0:ff:ee:00:00:01"), reading("C0:FF:EE:00:00:01"),
                         reading("AA:BB:CC:DD:EE:FF")])
    agent = EdgeAgent("c1", source, forwarder, ROSTER)
    await agent.run()
    assert await forwarder.drain(5)
    return agent, forwarder


async def test_the_snapshot_counts_what_happened(tmp_path: Path) -> None:
    agent, forwarder = await running_agent(tmp_path)
    snap = status_snapshot(agent, forwarder)
    assert snap["broker"] == {"up": True, "last_error": None}
    assert snap["counts"]["samples_published"] == 2
    assert snap["counts"]["records_acknowledged"] == 4  # roster, class start, 2 samples
    assert snap["counts"]["unknown_strap_readings"] == 1
    assert snap["unknown_straps"] == ["AA:BB:CC:DD:EE:FF"]
    assert snap["straps"][0] | {"last_reading_age_s": None} == {
        "strap_id": "C0:FF:EE:00:00:01", "member_id": "ann", "state": "not heard",
        "last_reading_age_s": None, "last_seq": 1, "battery_pct": None}
    assert snap["buffer"]["disk_records"] == 0 and snap["publish"]["lag_s"] == 0.0
    await forwarder.close()


async def test_status_metrics_and_end_class_over_http(tmp_path: Path) -> None:
    agent, forwarder = await running_agent(tmp_path)
    ended: list[bool] = []

    async def end() -> None:
        ended.append(True)

    app = status_app(lambda: status_snapshot(agent, forwarder), end, token="secret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://edge") as client:
        assert (await client.get("/status")).json()["counts"]["samples_published"] == 2
        text = (await client.get("/metrics")).text
        metrics = {m.name: m for m in text_string_to_metric_families(text)}
        assert metrics["spotter_edge_published"].samples[0].value == 4
        assert metrics["spotter_edge_unknown_straps"].samples[0].value == 1
        assert metrics["spotter_edge_broker_up"].samples[0].value == 1
        assert {s.labels["quantile"] for s in
                metrics["spotter_edge_publish_latency_seconds"].samples} == {"0.5", "0.99"}
        assert (await client.post("/end-class")).status_code == 401 and not ended
        answer = await client.post("/end-class", headers={"Authorization": "Bearer secret"})
        assert answer.status_code == 200 and ended == [True]
    await forwarder.close()


async def test_a_taken_port_does_not_stop_the_agent(tmp_path: Path) -> None:
    agent, forwarder = await running_agent(tmp_path)

    async def end() -> None:
        return None

    app = status_app(lambda: status_snapshot(agent, forwarder), end, token=None)
    server = await serve_status(app, "127.0.0.1", 0)
    assert server is not None
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"http://127.0.0.1:{server.port}/status")
        assert answer.json()["class_session_id"] == "c1"
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        assert await serve_status(app, "127.0.0.1", blocker.getsockname()[1]) is None
    await server.stop()
    await forwarder.close()
