"""Reading and saving admin settings. Other domains read them ONLY through here:

    from api.admin import service as admin_settings
    features = await admin_settings.ai_features(db)          # AsyncSession
    if features.planner: ...; features.vision_for(room_id)
    policy = await admin_settings.scheduler_policy(db)       # .weights, .constraints
    features = admin_settings.load_sync(session, AiFeatures)  # sync Session (CLI, worker)

A missing row means "the shipped default"; a row that no longer validates (hand-edited,
older shape) is logged and replaced by the default rather than breaking a live class.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.admin.schemas import AiFeatures, RetentionPolicy, SchedulerPolicy, _Doc
from api.exceptions import InvalidInput
from db.models import Room
from db.platform import AppSetting

log = structlog.get_logger(__name__)
DocT = TypeVar("DocT", bound=_Doc)


def _parse(model: type[DocT], row: AppSetting | None) -> DocT:
    if row is None:
        return model.default()  # type: ignore[return-value]
    try:
        return model.model_validate(row.value)
    except ValidationError as exc:
        log.warning("stored settings invalid; using defaults", key=model.KEY,
                    errors=exc.error_count())
        return model.default()  # type: ignore[return-value]


async def load(db: AsyncSession, model: type[DocT]) -> DocT:
    return _parse(model, await db.get(AppSetting, model.KEY))


def load_sync(db: Session, model: type[DocT]) -> DocT:
    return _parse(model, db.get(AppSetting, model.KEY))


async def ai_features(db: AsyncSession) -> AiFeatures:
    return await load(db, AiFeatures)


async def scheduler_policy(db: AsyncSession) -> SchedulerPolicy:
    return await load(db, SchedulerPolicy)


async def retention(db: AsyncSession) -> RetentionPolicy:
    return await load(db, RetentionPolicy)


async def _check_references(db: AsyncSession, value: _Doc) -> None:
    if isinstance(value, AiFeatures) and value.vision_rooms:
        known = set(await db.scalars(select(Room.id).where(
            Room.id.in_(list(value.vision_rooms)))))
        unknown = sorted(set(value.vision_rooms) - known)
        if unknown:
            raise InvalidInput(f"unknown room id(s) in vision_rooms: {', '.join(unknown)}")


async def save(db: AsyncSession, value: _Doc) -> _Doc:
    """Validate references, then store the whole document (last write wins)."""
    await _check_references(db, value)
    row = await db.get(AppSetting, value.KEY)
    document: dict[str, Any] = value.model_dump(mode="json")
    if row is None:
        db.add(AppSetting(key=value.KEY, value=document))
    else:
        row.value, row.updated_at = document, datetime.now(UTC)
    await db.commit()
    log.info("settings saved", key=value.KEY)
    return value


async def reset(db: AsyncSession, model: type[DocT]) -> DocT:
    row = await db.get(AppSetting, model.KEY)
    if row is not None:
        await db.delete(row)
        await db.commit()
    return model.default()  # type: ignore[return-value]
