"""HTML fragments of the trainer tablet, rendered from a :class:`LiveView`.

Everything live on the page arrives as out-of-band fragments with stable ids over the
page's one SSE stream: a tile per member (``tile-{member}``), the class numbers
(``class-stats``), the alert banner (``alert-banner``) and the class status and clock
(``class-status``), and the room's edge box: its cameras and stations (``box-status``).
A snapshot replaces the whole tile grid; a change re-renders only
what it touched.
"""

from __future__ import annotations

import time
from typing import Any

from api.live.service import LiveView
from api.templating import render_fragment


def page_context(view: LiveView | None, class_id: str | None, db_status: str) -> dict[str, Any]:
    """What trainer.html needs besides the class session and principal."""
    view = view or LiveView(class_id or "")
    return {"tiles": view.ordered_tiles(), "class_id": class_id, "resting": view.resting,
            "stats": view.stats(), "alerts": view.open_alerts(), "names": names(view),
            "status": view.status, "summary_ready": view.summary_ready,
            "db_status": db_status, "box": view.box, "stations": view.stations}


def names(view: LiveView) -> dict[str, str]:
    return {m: str(t.get("name") or m) for m, t in view.tiles.items()}


def tile(view: LiveView, member_id: str, oob: str) -> str:
    data = view.tiles[member_id]
    html = render_fragment("_tile.html", tile=data, class_id=view.class_session_id,
                           is_resting=member_id in view.resting, oob=oob)
    if oob == "true":
        return html
    # a member the page has not shown yet: append it and drop the 'waiting' note
    return (f'<div hx-swap-oob="beforeend:#tiles">{html}</div>'
            '<p id="tiles-empty" hx-swap-oob="delete"></p>')


def stats(view: LiveView, now: float | None = None) -> str:
    return render_fragment("live_stats.html", stats=view.stats(now), oob=True)


def alerts(view: LiveView) -> str:
    return render_fragment("live_alerts.html", alerts=view.open_alerts(), names=names(view),
                           oob=True)


def class_status(view: LiveView, db_status: str) -> str:
    return render_fragment("live_class.html", class_id=view.class_session_id,
                           status=view.status, db_status=db_status,
                           summary_ready=view.summary_ready, oob=True)


def box(view: LiveView) -> str:
    return render_fragment("_box_status.html", box=view.box, stations=view.stations,
                           names=names(view), oob=True)


def snapshot(view: LiveView, db_status: str) -> str:
    grid = render_fragment("_tiles.html", tiles=view.ordered_tiles(),
                           class_id=view.class_session_id, resting=view.resting)
    return (f'<div id="tiles" hx-swap-oob="innerHTML">{grid}</div>' + stats(view)
            + alerts(view) + class_status(view, db_status) + box(view))


def changes(view: LiveView, items: list[tuple[str, dict[str, Any]]], shown: set[str],
            db_status: str) -> str:
    """Fragments for one batch of changes; ``shown`` (tiles on the page) is updated."""
    members: list[str] = []
    kinds = {what for what, _ in items}
    for what, message in items:
        if what == "tile":
            members.append(message["tile"]["member_id"])
        elif what == "resting" and message.get("member_id") in view.tiles:
            members.append(message["member_id"])
    parts = []
    for member_id in dict.fromkeys(members):
        parts.append(tile(view, member_id, "true" if member_id in shown else "new"))
        shown.add(member_id)
    if kinds & {"tile", "resting"}:
        parts.append(stats(view, time.time()))
    if "alerts" in kinds:
        parts.append(alerts(view))
    if kinds & {"class", "ended", "summary"}:
        parts.append(class_status(view, db_status))
    if "box" in kinds:
        parts.append(box(view))
    return "".join(parts)
