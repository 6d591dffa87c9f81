"""How long each kind of member data is kept (issue 20, item 4): the admin's retention
settings (stored in ``app_settings``, key ``retention``; defaults in
``configs/admin.toml`` [retention]).

Kept at the bottom layer because the API (settings page), ``spotter db prune`` (the
database) and topic creation (Kafka ``retention.ms``) all read the same document.

The bounds are a data-protection officer's: raw heart-rate and form samples are only
needed until the worker has turned them into insights, so they go within a month at the
latest; finer data may not outlive the coarser data made from it (samples <= insights <=
summaries); the access log is kept at least a year, long enough to answer a member who
asks who looked at their data.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from configs.features import admin_defaults

DAY_MS = 86_400_000


class Retention(BaseModel):
    """Days each kind of data is kept; ``spotter db prune`` deletes what is older."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    KEY: ClassVar[str] = "retention"

    raw_samples_days: int = Field(
        default=7, ge=1, le=30, title="Raw samples on topics",
        description="heart-rate samples, form events, live insights, alerts and rosters on "
                    "Kafka topics (retention.ms)")
    insights_days: int = Field(
        default=180, ge=1, le=3650, title="Real-time insights and alerts",
        description="each member's minute-by-minute class data and the alerts raised")
    summaries_days: int = Field(
        default=730, ge=7, le=3650, title="Class summaries",
        description="post-class summaries, the class's and each member's part")
    notifications_days: int = Field(
        default=90, ge=1, le=3650, title="Notifications",
        description="in-app notifications and the webhook outbox, read or not")
    sessions_days: int = Field(
        default=30, ge=1, le=365, title="Expired sessions and tokens",
        description="days after expiry or revocation that login sessions and API tokens "
                    "are deleted")
    checkins_days: int = Field(
        default=365, ge=7, le=3650, title="Readiness check-ins",
        description="members' pre-session check-ins (sleep, soreness, pain areas)")
    access_log_days: int = Field(
        default=730, ge=365, le=3650, title="Data access log",
        description="who viewed or changed a member's data; at least a year")

    @model_validator(mode="after")
    def _coarser_lives_longer(self) -> Retention:
        if self.raw_samples_days > self.insights_days:
            raise ValueError(f"raw samples ({self.raw_samples_days} days) may not be kept "
                             f"longer than the insights made from them "
                             f"({self.insights_days} days)")
        if self.insights_days > self.summaries_days:
            raise ValueError(f"real-time insights ({self.insights_days} days) may not be "
                             f"kept longer than class summaries ({self.summaries_days} days)")
        return self

    @classmethod
    def default(cls) -> Retention:
        """The shipped default, from configs/admin.toml."""
        return cls.model_validate(admin_defaults().get(cls.KEY, {}))

    @property
    def raw_samples_ms(self) -> int:
        return self.raw_samples_days * DAY_MS

    def with_insights_override(self, days: int | None) -> Retention:
        """The policy with ``SPOTTER_INSIGHTS_RETENTION_DAYS`` (or ``--insights-days``)
        in force: the operator's value wins over the admin's, within the same bounds."""
        if days is None:
            return self
        return Retention.model_validate({
            **self.model_dump(), "insights_days": days,
            "raw_samples_days": min(self.raw_samples_days, days),
            "summaries_days": max(self.summaries_days, days)})


FIELDS: tuple[str, ...] = tuple(Retention.model_fields)
