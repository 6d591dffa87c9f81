"""What a room's edge box may send about its cameras: states, frame rates, coordinates.

Every model forbids extra fields, so a box (or anything holding its token) cannot park
an image, a snapshot or a camera address in the API's Redis: the request is refused
(422). Video and snapshots never leave the box (DESIGN.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][\w.@,:-]*$")]
MemberId = Annotated[str, Field(min_length=1, max_length=200)]
Fraction = Annotated[float, Field(ge=0, le=1)]
CameraState = Literal["starting", "streaming", "reconnecting", "finished", "failed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StationStatusIn(_Strict):
    station_id: Id
    member_id: MemberId | None = None
    fps: Annotated[float, Field(ge=0, le=240)] = 0.0
    mode: Literal["idle", "working"] | None = None


class CameraStatusIn(_Strict):
    camera_id: Id
    state: CameraState
    reconnects: Annotated[int, Field(ge=0)] = 0
    stations: Annotated[list[StationStatusIn], Field(max_length=40)] = []


class BoxStatusIn(_Strict):
    """``PUT /api/rooms/{room}/box``: the box's cameras now (edge.box_report)."""

    class_session_id: Id
    sent_at: float
    cameras: Annotated[list[CameraStatusIn], Field(max_length=16)]
    every_s: Annotated[float, Field(gt=0, le=60)] = 5.0  # how often the box sends this


class LayoutStationIn(_Strict):
    station_id: Id
    region: tuple[Fraction, Fraction, Fraction, Fraction]  # x, y, w, h of the image
    member_id: MemberId | None = None

    @field_validator("region")
    @classmethod
    def _inside(cls, value: tuple[float, float, float, float]
                ) -> tuple[float, float, float, float]:
        x, y, w, h = value
        if x + w > 1.0001 or y + h > 1.0001:
            raise ValueError("a region must lie inside the image")
        return value


class StationLayoutIn(_Strict):
    """``PUT /api/rooms/{room}/stations``: one camera's stations as coordinates only."""

    class_session_id: Id | None = None  # the class whose board shows it at once
    camera_id: Id
    confirmed_at: float | None = None  # None: the camera file's stations, never confirmed
    stations: Annotated[list[LayoutStationIn], Field(max_length=40)]


class BoxOut(BaseModel):
    """``GET /api/rooms/{room}/box``: the last status (None once the box went quiet) and
    the room's station layout by camera."""

    room_id: str
    status: dict[str, object] | None
    stations: dict[str, dict[str, object]]
