"""Each tablet's queue keeps only the newest tile per member, so it cannot grow."""

from __future__ import annotations

import asyncio

from api.live.hub import ClientQueue


def tile(member: str, hr: int) -> dict:
    return {"type": "tile", "tile": {"member_id": member, "hr": hr}}


async def test_a_slow_client_gets_only_the_latest_tile_per_member() -> None:
    queue = ClientQueue()
    for hr in range(100, 200):
        queue.offer(tile("ann", hr))
    queue.offer(tile("bo", 90))
    batch = await asyncio.wait_for(queue.drain(), 1)
    assert sorted((m["tile"]["member_id"], m["tile"]["hr"]) for m in batch) == [
        ("ann", 199), ("bo", 90)]


async def test_drain_waits_for_news() -> None:
    queue = ClientQueue()
    waiter = asyncio.create_task(queue.drain())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    queue.offer(tile("ann", 120))
    assert [m["tile"]["hr"] for m in await asyncio.wait_for(waiter, 1)] == [120]


def test_a_class_that_ended_takes_no_more_tiles_and_says_so_once() -> None:
    from api.live.service import LiveView

    view = LiveView("c1")
    assert view.apply({"type": "tile", "tile": {"member_id": "m1", "hr": 120}}) == "tile"
    assert view.apply({"type": "class", "status": "ended", "end": 1.0}) == "ended"
    assert view.apply({"type": "tile", "tile": {"member_id": "m1", "hr": 190}}) is None
    assert view.tiles["m1"]["hr"] == 120  # frozen as it was at the end
    assert view.apply({"type": "class", "status": "ended", "end": 1.0}) == "class"
