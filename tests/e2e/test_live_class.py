"""End to end: straps -> edge agent -> Kafka -> worker -> Redis -> SSE, all real."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from edge.runner import run_edge

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


async def sse_events(client: httpx.AsyncClient, url: str) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs from a Server-Sent Events stream."""
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        event, data = "message", []
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                yield event, "\n".join(data)
                event, data = "message", []


async def test_a_simulated_class_reaches_the_live_stream(live_stack) -> None:
    demo = live_stack.demo(members=3)
    class_id = demo.class_session_id
    edge = asyncio.create_task(run_edge(live_stack.edge_settings(demo), class_id,
                                        live_stack.api_url, simulate=3, speed=5.0))
    seen: dict[str, dict] = {}
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=30),
                                     headers=live_stack.headers()) as client:
            async with asyncio.timeout(60):
                async for event, data in sse_events(
                        client, f"{live_stack.api_url}/api/classes/{class_id}/live"):
                    if event == "tile":
                        tile = json.loads(data)
                        seen[tile["member_id"]] = tile
                        if len(seen) == 3:
                            break
    finally:
        edge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await edge
    elapsed = time.monotonic() - started
    assert set(seen) == {"demo-member-01", "demo-member-02", "demo-member-03"}
    for tile in seen.values():
        assert 40 <= tile["hr"] <= 220
        assert 0 <= tile["zone"] <= 5
        assert tile["name"] != tile["member_id"], "names come from the roster"
    assert elapsed < 60
    # the box started the class (nobody pressed Start): the database says live too, so the
    # trainer's page offers no "Start class"
    async with asyncio.timeout(15):
        while class_status(live_stack.settings.resolved_database_url(), class_id) != "live":
            await asyncio.sleep(0.5)


def class_status(database_url: str, class_id: str) -> str | None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from db.models import ClassSession

    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            found = db.get(ClassSession, class_id)
            return found.status if found else None
    finally:
        engine.dispose()


async def test_the_board_snapshot_comes_first_on_the_stream(live_stack) -> None:
    class_id = live_stack.demo(members=2).class_session_id
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=10),
                                 headers=live_stack.headers()) as client:
        async with asyncio.timeout(20):
            async for event, data in sse_events(
                    client, f"{live_stack.api_url}/api/classes/{class_id}/live"):
                assert event == "snapshot"
                assert isinstance(json.loads(data), list)
                break


async def test_the_live_stream_needs_credentials(live_stack) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        anonymous = await client.get(f"{live_stack.api_url}/api/classes/demo-class/live")
        assert anonymous.status_code == 401
