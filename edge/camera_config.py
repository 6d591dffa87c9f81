"""The camera file (configs/cameras.toml): the box's cameras, their stations, and how the
box shares its pose capacity between them.

A studio sets this up once per room; members change with every class, so a station
names a member only when one always trains there. Everyone else is given a station from
the class roster when the agent starts (:func:`assign_members`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from configs.toml_model import load_toml_model
from vision.config import EXERCISES
from vision.pacing import PacingRule

DEFAULT_CAMERAS = Path(__file__).resolve().parent.parent / "configs" / "cameras.toml"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@,:-]{0,99}$")


class CameraConfigError(ValueError):
    """The camera file cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StationConfig(_Strict):
    id: str
    # x, y, w, h: fractions of the image when all are <= 1, else pixels
    region: tuple[float, float, float, float]
    exercise: str | None = None  # None: the camera's exercise
    member: str | None = None  # None: given from the class roster

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"station id {value!r}: use letters, digits and - _ . @ , :")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: tuple[float, float, float, float]
                ) -> tuple[float, float, float, float]:
        x, y, w, h = value
        if w <= 0 or h <= 0 or x < 0 or y < 0:
            raise ValueError(f"region {list(value)} needs x, y >= 0 and w, h > 0")
        if max(value) <= 1 and (x + w > 1.0001 or y + h > 1.0001):
            raise ValueError(f"region {list(value)} reaches outside the image")
        return value


class CameraConfig(_Strict):
    id: str
    source: str  # device index ("0"), rtsp:// or http:// URL, or a video file
    width: Annotated[int, Field(ge=16)] | None = None  # asked of a device; None: its default
    height: Annotated[int, Field(ge=16)] | None = None
    fps: Annotated[float, Field(gt=0, le=120)] | None = None
    # Video files only: deliver frames at the file's own rate, as a camera would (a
    # recorded class standing in for a device). False reads as fast as pose keeps up.
    realtime: bool = True
    exercise: str | None = None
    station: list[StationConfig] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"camera id {value!r}: use letters, digits and - _ . @ , :")
        return value

    @model_validator(mode="after")
    def _exercises(self) -> CameraConfig:
        for station in self.station:
            exercise = station.exercise or self.exercise
            if exercise is None:
                raise ValueError(f"station {station.id!r} names no exercise and camera "
                                 f"{self.id!r} has no default exercise")
            if exercise not in EXERCISES:
                raise ValueError(f"station {station.id!r}: unknown exercise {exercise!r}; "
                                 f"choose one of {', '.join(EXERCISES)}")
        return self

    @property
    def is_file(self) -> bool:
        return not (self.source.isdigit() or "://" in self.source)

    def exercise_of(self, station: StationConfig) -> str:
        exercise = station.exercise or self.exercise
        assert exercise is not None  # checked by the validator
        return exercise


class PacingConfig(_Strict):
    idle_fps: Annotated[float, Field(gt=0, le=60)] = 5.0
    working_fps: Annotated[float, Field(gt=0, le=60)] = 12.0
    idle_after_s: Annotated[float, Field(ge=0)] = 8.0

    @model_validator(mode="after")
    def _order(self) -> PacingConfig:
        if self.idle_fps > self.working_fps:
            raise ValueError("pacing.idle_fps must not exceed pacing.working_fps")
        return self

    def rule(self) -> PacingRule:
        return PacingRule(self.idle_fps, self.working_fps, self.idle_after_s)


class PoolConfig(_Strict):
    workers: Annotated[int, Field(ge=0, le=64)] = 0  # 0: one per CPU core
    nice: Annotated[int, Field(ge=0, le=19)] = 10  # pose yields the CPU to the live path

    def resolved_workers(self) -> int:
        return self.workers or max(1, os.cpu_count() or 1)


class ReconnectConfig(_Strict):
    initial_s: Annotated[float, Field(gt=0)] = 0.5
    max_s: Annotated[float, Field(gt=0)] = 30.0
    max_attempts: Annotated[int, Field(ge=0)] = 0  # 0: keep trying while the class runs


class CamerasFile(_Strict):
    pacing: PacingConfig = PacingConfig()
    pool: PoolConfig = PoolConfig()
    reconnect: ReconnectConfig = ReconnectConfig()
    camera: list[CameraConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> CamerasFile:
        cameras = [c.id for c in self.camera]
        stations = [s.id for c in self.camera for s in c.station]
        for kind, ids in (("camera", cameras), ("station", stations)):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{kind} ids must be unique across the file: {dupes}")
        return self

    def camera_by_id(self, camera_id: str) -> CameraConfig:
        for camera in self.camera:
            if camera.id == camera_id:
                return camera
        raise CameraConfigError(f"no camera {camera_id!r} in the camera file")


def load_cameras(path: Path = DEFAULT_CAMERAS) -> CamerasFile:
    """Read and validate a camera file. Relative video-file sources are taken from the
    file's own folder, so a file and its recordings can move together."""
    cameras = load_toml_model(CamerasFile, path, CameraConfigError)
    resolved = []
    for camera in cameras.camera:
        if camera.is_file and not Path(camera.source).is_absolute():
            camera = camera.model_copy(update={"source": str(path.parent / camera.source)})
        resolved.append(camera)
    return cameras.model_copy(update={"camera": resolved})


@dataclass(frozen=True, slots=True)
class Assignment:
    station_to_member: dict[str, str]
    unassigned_stations: list[str]
    members_without_station: list[str]
    off_roster: list[str]  # stations fixed to a member who is not in this class
    opted_out: list[str] = field(default_factory=list)  # stations whose member said no


def assign_members(stations: Sequence[StationConfig], roster: Sequence[str],
                   chosen: Mapping[str, str] | None = None,
                   refused: Collection[str] = ()) -> Assignment:
    """Members to stations: a station's fixed ``member`` first, then what the admin chose
    on the station page (``chosen``, station id -> member id), then the rest of the
    roster in roster order onto the remaining stations in file order. A member in
    ``refused`` (camera form analysis switched off, their own choice) gets no station:
    a station fixed or chosen for them is not watched this class, nor given to anyone."""
    chosen = dict(chosen or {})
    refused = set(refused)
    roster = [m for m in roster if m not in refused]
    on_roster = set(roster)
    result: dict[str, str] = {}
    off: list[str] = []
    opted_out: list[str] = []
    for station in stations:
        member = station.member or chosen.get(station.id)
        if member is None:
            continue
        if member in refused:
            opted_out.append(station.id)
            continue
        if member not in on_roster:
            off.append(station.id)
            if station.member is None:
                continue  # an earlier class's choice: the station is free this time
        if member not in result.values():
            result[station.id] = member
    taken = set(result.values())
    free_members = [m for m in roster if m not in taken]
    free_stations = [s.id for s in stations if s.id not in result and s.id not in opted_out]
    for station_id, member in zip(free_stations, free_members, strict=False):
        result[station_id] = member
    return Assignment(result, [s.id for s in stations if s.id not in result],
                      [m for m in roster if m not in result.values()], off, opted_out)
