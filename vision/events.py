"""Analyzer output -> ``streams.records.FormEvent``: the only vision facts that leave the
edge box (never video, never landmarks)."""

from __future__ import annotations

from collections.abc import Iterable

from streams.records import FormEvent
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
        common = {"class_session_id": class_session_id, "member_id": member_id,
                  "station_id": station_id, "exercise": exercise,
                  "event_time": clock_origin + item.end_s, "faults": list(item.faults)}
        if isinstance(item, RepResult):
            events.append(FormEvent(rep_index=item.index, rom_deg=item.rom_deg,
                                    tempo_s=round(item.tempo_s, 3), **common))
        else:
            events.append(FormEvent(tempo_s=round(item.duration_s, 3), **common))
    return events
