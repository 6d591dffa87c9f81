"""API shapes of workout plans: generation, review, edits, approval, adaptation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.adapt import Adjustment
from planner.editing import ItemEdit
from planner.models import MemberProfile
from planner.readiness import LiveFeedback, MemberStatus, Modification, ReadinessCheckIn

PlanStatus = Literal["draft", "active", "archived"]


class PlanCreate(BaseModel):
    """Generate a draft plan for a member from their stored profile, or from ``profile``."""

    model_config = ConfigDict(extra="forbid")

    member_id: str = Field(min_length=1, max_length=64)
    weeks: int = Field(default=12, ge=1, le=52)
    profile: MemberProfile | None = Field(
        default=None, description="use this profile instead of the stored one")
    save_profile: bool = Field(default=False,
                               description="also store ``profile`` as the member's profile")
    trainer_id: str | None = Field(default=None, max_length=64,
                                   description="assigned trainer (admins; trainers get themselves)")


class PlanSummary(BaseModel):
    id: str
    member_id: str
    member_name: str | None
    trainer_id: str | None
    status: PlanStatus
    split: str | None
    progression_model: str | None
    weeks: int
    warnings: int
    created_at: datetime
    approved_at: datetime | None


class PlanOut(PlanSummary):
    plan: dict[str, Any]
    profile: dict[str, Any]
    adaptations: list[dict[str, Any]]


class PlanEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[ItemEdit] = Field(min_length=1, max_length=200)
    repair: bool = Field(default=False, description="let the validator fix what it safely "
                         "can (clamp doses, trim sets) instead of refusing")


class AdaptOut(BaseModel):
    plan_id: str
    applied_logs: int
    adjustments: list[Adjustment]
    warnings: list[str]
    performance: list[str] = Field(default_factory=list, description="what the member's "
                                   "performance summary changed (or could not), with its numbers")


class SessionModsIn(BaseModel):
    """Live inputs as plain data: today's check-in (else the stored one of today) and what
    the session has shown so far (HR alerts, form faults, pain, easy sets, missing kit)."""

    model_config = ConfigDict(extra="forbid")

    check_in: ReadinessCheckIn | None = None
    live_feedback: LiveFeedback = Field(default_factory=LiveFeedback)


class SessionModsOut(BaseModel):
    plan_id: str
    week: int
    day: int
    member_status: MemberStatus
    modifications: list[Modification]
    session: dict[str, Any] = Field(description="today's session with the changes applied")
