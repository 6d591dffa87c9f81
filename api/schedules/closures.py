"""Studio closures and holidays: dates on which no class runs.

One admin settings document (``app_settings`` key ``studio_closures``, default in
``configs/admin.toml``), read and saved through ``api.admin.service`` like the other
settings. Publishing skips these dates; the lookahead never moves a class onto one.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from api.admin import service as admin_settings
from api.admin.schemas import _Doc
from api.dates import StudioDate

MAX_DATES = 400  # more than a year of single days: a longer list is a typo, not a calendar


class StudioClosures(_Doc):
    """Dates the studio is closed (public holidays, maintenance), with an optional label."""

    KEY: ClassVar[str] = "studio_closures"

    dates: list[StudioDate] = Field(default_factory=list, max_length=MAX_DATES)
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="ISO date: what it is, e.g. 'Easter Monday'")

    @field_validator("dates")
    @classmethod
    def _sorted_unique(cls, dates: list[date]) -> list[date]:
        return sorted(set(dates))


async def closures(db: AsyncSession) -> StudioClosures:
    return await admin_settings.load(db, StudioClosures)


async def closed_dates(db: AsyncSession) -> set[date]:
    return set((await closures(db)).dates)


async def save(db: AsyncSession, value: StudioClosures) -> StudioClosures:
    await admin_settings.save(db, value)
    return value
