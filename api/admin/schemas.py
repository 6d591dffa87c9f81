"""Admin-editable studio settings: shapes, limits and defaults (``configs/admin.toml``).

Each settings document is one row of ``app_settings`` (key = ``KEY`` of its model); every
read validates it again, so a hand-edited row can never hand a domain a nonsense value.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from configs.features import AiFeatures as BaseAiFeatures
from configs.features import admin_defaults
from configs.retention import Retention
from scheduler.config import ObjectiveWeights, load_settings

DEFAULTS_PATH = Path(__file__).resolve().parents[2] / "configs" / "admin.toml"
RoomRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return admin_defaults()


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    KEY: ClassVar[str]

    @classmethod
    def default(cls) -> _Doc:
        """The shipped default, from configs/admin.toml."""
        return cls.model_validate(_defaults().get(cls.KEY, {}))


class AiFeatures(_Doc, BaseAiFeatures):
    """Which AI helpers run (``configs.features``: the worker and edge read it too)."""

    KEY: ClassVar[str] = "ai_features"


# The scheduler's own model: one definition of the weights' names, bounds and words.
SchedulerWeights = ObjectiveWeights


class SchedulerConstraints(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # 80 h/week: beyond that no labour regime we know of lets a trainer teach.
    max_trainer_hours: float = Field(default=40.0, gt=0, le=80)
    changeover_minutes: int = Field(default=15, ge=0, le=240,
                                    description="minimum gap between a trainer's classes")
    max_classes_per_trainer_day: int | None = Field(default=4, ge=1, le=12)
    opens: str = Field(default="06:00", description="first class start, HH:MM")
    closes: str = Field(default="22:00", description="last class end, HH:MM")

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use 24-hour HH:MM, e.g. 06:30")
        return value

    @model_validator(mode="after")
    def _order(self) -> SchedulerConstraints:
        if self.opens >= self.closes:
            raise ValueError(f"the studio must open before it closes ({self.opens} ≥ "
                             f"{self.closes})")
        return self


class SchedulerPolicy(_Doc):
    """What the timetable optimises and must respect. Read with
    :func:`api.admin.service.scheduler_policy`."""

    KEY: ClassVar[str] = "scheduler_policy"

    weights: SchedulerWeights = SchedulerWeights()
    constraints: SchedulerConstraints = SchedulerConstraints()

    @classmethod
    def default(cls) -> SchedulerPolicy:
        """The weights configs/scheduler.toml ships (defined there only), the constraints
        from configs/admin.toml."""
        shipped = dict(_defaults().get(cls.KEY, {}))
        shipped["weights"] = load_settings().weights.model_dump()
        return cls.model_validate(shipped)


class RetentionPolicy(_Doc, Retention):
    """Days each kind of member data is kept (``configs.retention``: ``spotter db prune``
    and topic creation read it too)."""

    KEY: ClassVar[str] = "retention"


DOCUMENTS: dict[str, type[_Doc]] = {"ai-features": AiFeatures,
                                    "scheduler-policy": SchedulerPolicy,
                                    "retention": RetentionPolicy}
