"""Analyzer output -> ``contract.records.FormEvent``: the only vision facts that leave the
edge box (never video, never landmarks)."""

from __future__ import annotations

from collections.abc import Iterable

from contract.records import FormEvent
from vision.analyzer import RepResult
from vision.plank import Hold


def form_events(items: Iterable[RepResult | Hold], *, exercise: str, class_session_id: str,
                member_id: str, station_id: str, clock_origin: float) -> list[FormEvent]:
    """One event per rep or hold, stamped when it ended.

    ``clock_origin``: Unix time of the source clock's zero (for a camera frame,
    ``frame.wall_time - frame.t``), so event time is where the rep happened, not when
    the event was sent.
    """
    events = []
    for item in items:
        # a rep's duration, or how long a plank was held
        duration = item.tempo_s if isinstance(item, RepResult) else item.duration_s
        events.append(FormEvent(
            class_session_id=class_session_id, member_id=member_id, station_id=station_id,
            exercise=exercise, event_time=clock_origin + item.end_s, faults=list(item.faults),
            rep_index=item.index if isinstance(item, RepResult) else None,
            rom_deg=item.rom_deg if isinstance(item, RepResult) else None,
            tempo_s=round(duration, 3)))
    return events
