"""API shapes of the exercise library."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.patching import refuse_nulls
from planner.models import Exercise
from planner.vocab import (
    Category,
    Direction,
    Equipment,
    Force,
    InjuryArea,
    Kit,
    Level,
    Mechanic,
    Muscle,
    Pattern,
    Position,
)


class ExerciseOut(BaseModel):
    exercise: Exercise
    source: str = Field(description="library (imported) or admin (added/edited by an admin)")


class ExerciseIn(BaseModel):
    """A new exercise: the facts; the planner derives the rest unless given.

    Movement pattern, joint positions, fixtures, contraindications and difficulty come from
    the same rules the importer uses (``planner.derive``); pass ``pattern``, ``positions``
    or ``needs`` to override them (contraindications then follow from the positions).
    Links to easier/harder variants are always derived again."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[0-9A-Za-z_\-]+$", max_length=128,
                           description="default: from the name")
    name: str = Field(min_length=1, max_length=200)
    primary_muscles: list[Muscle] = Field(min_length=1)
    secondary_muscles: list[Muscle] = Field(default_factory=list)
    equipment: Equipment = "body only"
    level: Level
    category: Category = "strength"
    mechanic: Mechanic | None = None
    force: Force | None = None
    pattern: Pattern | None = None
    positions: list[Position] | None = Field(
        default=None, description="joint positions and loads; contraindications follow "
        "from them and configs/injury_rules.toml")
    needs: list[list[Kit]] | None = Field(
        default=None, description="fixtures besides the equipment: groups, one item each")
    contraindications: list[InjuryArea] | None = Field(
        default=None, description="override the areas the rules derive (prefer positions)")
    staple: bool = False
    specialty: bool = False


class ExercisePatch(BaseModel):
    """Fields to change; links are derived again after the change. ``null`` empties only
    what an exercise may lack (mechanic, force); elsewhere it is refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        return refuse_nulls(data, may_be_null=("mechanic", "force"))

    name: str | None = Field(default=None, min_length=1, max_length=200)
    primary_muscles: list[Muscle] | None = Field(default=None, min_length=1)
    secondary_muscles: list[Muscle] | None = None
    equipment: Equipment | None = None
    level: Level | None = None
    category: Category | None = None
    mechanic: Mechanic | None = None
    force: Force | None = None
    pattern: Pattern | None = None
    positions: list[Position] | None = None
    needs: list[list[Kit]] | None = None
    contraindications: list[InjuryArea] | None = None
    staple: bool | None = None
    specialty: bool | None = None


class RejectedOut(BaseModel):
    index: int
    id: str | None
    reason: str


class ImportOut(BaseModel):
    imported: int
    written: int = Field(description="rows added or changed (links included)")
    kept_admin: int = Field(description="admin-curated entries the import left alone")
    rejected: list[RejectedOut]


class AlternativeOut(BaseModel):
    exercise_id: str
    direction: Direction
    alternative: Exercise | None
    reason: str
