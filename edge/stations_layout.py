"""Station layouts confirmed on the box's station page, kept on the box.

A layout is region coordinates (fractions of the image) and, where the admin chose one,
the member at each station: never the snapshot it was drawn on. It replaces the camera
file's stations for its camera, for this and every later class, until confirmed again.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from edge.camera_config import CameraConfig, CamerasFile, StationConfig
from vision.config import EXERCISES


class LayoutError(ValueError):
    """A layout that cannot be used; the message says which station and why."""


Fraction = Annotated[float, Field(ge=0, le=1)]


class LayoutStation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][\w.@,:-]*$")]
    region: tuple[Fraction, Fraction, Fraction, Fraction]
    member: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    exercise: str | None = None

    @field_validator("region")
    @classmethod
    def _inside(cls, value: tuple[float, float, float, float]
                ) -> tuple[float, float, float, float]:
        x, y, w, h = value
        if w < 0.02 or h < 0.02:
            raise ValueError("a region must be at least 2 % of the image wide and high")
        if x + w > 1.0001 or y + h > 1.0001:
            raise ValueError("a region must lie inside the image")
        return value

    @field_validator("exercise")
    @classmethod
    def _exercise(cls, value: str | None) -> str | None:
        if value is not None and value not in EXERCISES:
            raise ValueError(f"unknown exercise {value!r}; choose one of {', '.join(EXERCISES)}")
        return value


class CameraLayout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: str
    stations: Annotated[list[LayoutStation], Field(max_length=40)]
    confirmed_at: float = Field(default_factory=time.time)

    @field_validator("stations")
    @classmethod
    def _unique(cls, value: list[LayoutStation]) -> list[LayoutStation]:
        ids = [s.id for s in value]
        if len(set(ids)) != len(ids):
            raise ValueError("station ids must be unique")
        members = [s.member for s in value if s.member]
        if len(set(members)) != len(members):
            raise ValueError("a member can be at one station only")
        return value

    def coordinates(self) -> dict[str, Any]:
        """What may leave the box: ids, regions and members, no image."""
        return {"camera_id": self.camera_id, "confirmed_at": self.confirmed_at,
                "stations": [{"station_id": s.id, "region": list(s.region),
                              "member_id": s.member} for s in self.stations]}


def parse_layout(camera_id: str, body: Any) -> CameraLayout:
    """The station page's JSON -> a checked layout (errors name the station)."""
    try:
        return CameraLayout.model_validate({"camera_id": camera_id, **body}
                                           if isinstance(body, dict) else body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        raise LayoutError(problems) from exc


class LayoutStore:
    """Confirmed layouts by camera id, in one JSON file in the box's data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, CameraLayout]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise LayoutError(f"{self.path} is not a readable layout file ({exc}); remove "
                              "it and confirm the stations again") from exc
        try:
            return {k: CameraLayout.model_validate(v) for k, v in data.items()}
        except ValidationError as exc:
            raise LayoutError(f"{self.path}: {exc}") from exc

    def save(self, layout: CameraLayout) -> None:
        layouts = self.load()
        layouts[layout.camera_id] = layout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: v.model_dump() for k, v in layouts.items()}, indent=1),
                       encoding="utf-8")
        os.replace(tmp, self.path)


def layout_store(data_dir: Path) -> LayoutStore:
    return LayoutStore(data_dir / "edge" / "stations.json")


def apply_layout(camera: CameraConfig, layout: CameraLayout) -> CameraConfig:
    """The camera with the layout's stations in place of the file's (a station keeps its
    exercise from the file when the layout names none)."""
    exercises = {s.id: s.exercise for s in camera.station}
    stations = [StationConfig(id=s.id, region=s.region,
                              exercise=s.exercise or exercises.get(s.id) or camera.exercise)
                for s in layout.stations]
    return camera.model_copy(update={"station": stations})


def apply_layouts(cameras: CamerasFile, layouts: dict[str, CameraLayout]) -> CamerasFile:
    return cameras.model_copy(update={"camera": [
        apply_layout(c, layouts[c.id]) if c.id in layouts else c for c in cameras.camera]})


def chosen_members(layouts: dict[str, CameraLayout]) -> dict[str, str]:
    """Station id -> member the admin put there (used before roster order)."""
    return {s.id: s.member for layout in layouts.values() for s in layout.stations
            if s.member}
