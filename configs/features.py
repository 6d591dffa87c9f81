"""Which AI helpers run: the admin's toggles (stored in ``app_settings``, key
``ai_features``; defaults in ``configs/admin.toml`` [ai_features]).

Kept at the bottom layer because every process honours them: the API (planner), the
worker (live alerts, form events) and the edge box (camera stations), each reading the
same stored document.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from configs.toml_model import read_toml

ADMIN_TOML = Path(__file__).resolve().parent / "admin.toml"
RoomRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@lru_cache(maxsize=1)
def admin_defaults() -> dict[str, Any]:
    """configs/admin.toml: the shipped defaults of the admin's stored documents (the AI
    toggles, the scheduler's constraints, closures), read once."""
    return read_toml(ADMIN_TOML)


class AiFeatures(BaseModel):
    """Which AI helpers run; a change takes effect in a running stack within 30 s."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    KEY: ClassVar[str] = "ai_features"

    planner: bool = Field(default=True, description="generate workout plans for members")
    live_alerts: bool = Field(default=True, description="live alerts on the trainer tablet")
    vision_default: bool = Field(default=True, description="camera analysis in rooms not listed")
    vision_rooms: dict[RoomRef, bool] = Field(default_factory=dict,
                                              description="camera analysis per room id")

    @classmethod
    def default(cls) -> AiFeatures:
        """The shipped default, from configs/admin.toml."""
        return cls.model_validate(admin_defaults().get(cls.KEY, {}))

    def vision_for(self, room_id: str | None) -> bool:
        if room_id is None:
            return self.vision_default
        return self.vision_rooms.get(room_id, self.vision_default)
