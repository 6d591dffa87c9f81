"""The class clock's text, rendered by the server so a page (or a fragment swapped in over
the live stream) shows the elapsed time at once; live.js then ticks it every second.

Before, the page carried '--:--' until the first script tick, which a tablet reached
seconds after load (and again after each status fragment)."""

from __future__ import annotations

import time

NOT_STARTED = "not started"


def elapsed_text(start: float | str | None, end: float | str | None = None,
                 now: float | None = None) -> str:
    """'07:42' (or '1:02:05' past an hour) from the class start to its end or now."""
    try:
        begun = float(start) if start not in (None, "") else 0.0
        ended = float(end) if end not in (None, "") else 0.0
    except (TypeError, ValueError):
        return NOT_STARTED
    if begun <= 0:
        return NOT_STARTED
    seconds = int(max(0.0, (ended or (time.time() if now is None else now)) - begun))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
