"""A tablet's live view: queue coalescing per thing, resync after overflow, alerts and
acks folded in, and the out-of-band fragments the trainer page receives."""

from __future__ import annotations

import asyncio

from api.live import fragments
from api.live.hub import MAX_PENDING, ClientQueue
from api.live.service import LiveView


def tile(member: str, hr: int, zone: int = 3, pct: float = 0.75) -> dict:
    return {"member_id": member, "name": member.title(), "hr": hr, "zone": zone,
            "pct_hr_max": pct, "last_seen": 1.0, "effort_points": 12.4, "covered_s": 60.0,
            "engaged_s": 30.0, "status": "live"}


def alert(alert_id: str, severity: str, t: float) -> dict:
    return {"alert_id": alert_id, "class_session_id": "c", "member_id": "ann",
            "rule": "spike", "severity": severity, "message": "check", "event_time": t}


async def test_a_batch_of_tiles_coalesces_per_member_with_other_news() -> None:
    queue = ClientQueue()
    queue.offer({"type": "tiles", "tiles": [tile("ann", 100), tile("bo", 90)]})
    queue.offer({"type": "tiles", "tiles": [tile("ann", 101)]})
    queue.offer({"type": "alert", "alert": alert("a1", "info", 1.0)})
    queue.offer({"type": "ack", "alert_id": "a1", "by": "Sam", "at": 2.0})
    queue.offer({"type": "class", "status": "live", "start": 5.0})
    batch = await asyncio.wait_for(queue.drain(), 1)
    kinds = [(m["type"], m.get("tile", {}).get("hr")) for m in batch]
    assert kinds == [("tile", 90), ("tile", 101), ("alert", None), ("ack", None),
                     ("class", None)]


async def test_a_stalled_client_is_resynced_instead_of_growing() -> None:
    queue = ClientQueue()
    queue.offer({"type": "tiles", "tiles": [tile(f"m{i}", 90) for i in range(MAX_PENDING + 1)]})
    assert queue.resync
    assert await asyncio.wait_for(queue.drain(), 1) == []


def test_the_view_keeps_open_alerts_most_urgent_first_until_acknowledged() -> None:
    view = LiveView("c")
    for a in (alert("a1", "info", 1.0), alert("a2", "critical", 2.0),
              alert("a3", "warning", 3.0), alert("a4", "warning", 4.0)):
        assert view.apply({"type": "alert", "alert": a}) == "alerts"
    assert [a["alert_id"] for a in view.open_alerts()] == ["a2", "a4", "a3", "a1"]
    view.apply({"type": "ack", "alert_id": "a2", "by": "Sam", "at": 9.0})
    assert [a["alert_id"] for a in view.open_alerts()] == ["a4", "a3", "a1"]
    assert view.alert("a2")["acknowledged"] is True
    view.apply({"type": "alert", "alert": alert("a2", "critical", 5.0)})  # grown episode
    assert "a2" not in [a["alert_id"] for a in view.open_alerts()]  # ack survives


def test_fragments_carry_stable_ids_and_only_what_changed() -> None:
    view = LiveView("c")
    view.apply({"type": "tile", "tile": tile("ann", 150, zone=4)})
    shown: set[str] = set()
    html = fragments.changes(view, [("tile", {"tile": view.tiles["ann"]})], shown, "live")
    assert 'hx-swap-oob="beforeend:#tiles"' in html and 'id="tile-ann"' in html
    assert 'id="tiles-empty" hx-swap-oob="delete"' in html
    assert 'id="class-stats"' in html and 'id="alert-banner"' not in html
    view.apply({"type": "tile", "tile": tile("ann", 152, zone=4)})
    again = fragments.changes(view, [("tile", {"tile": view.tiles["ann"]})], shown, "live")
    assert 'id="tile-ann"' in again and 'hx-swap-oob="true"' in again
    assert ">152<" in again and "Z4" in again and "75%" in again
    view.apply({"type": "resting", "member_id": "ann", "resting": True})
    rest = fragments.changes(view, [("resting", {"member_id": "ann"})], shown, "live")
    assert "resting" in rest and "resting=false" in rest
    snap = fragments.snapshot(view, "live")
    for stable_id in ("tiles", "class-stats", "alert-banner", "class-status"):
        assert f'id="{stable_id}"' in snap
