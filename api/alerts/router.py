"""Live alerts of a class and their acknowledgement from the trainer's tablet."""

from __future__ import annotations

from fastapi import APIRouter

from api.accounts.dependencies import CurrentPrincipal
from api.alerts import service
from api.alerts.schemas import AlertOut
from api.deps import RedisDep, SessionDep

router = APIRouter(tags=["alerts"])


@router.get("/api/classes/{class_session_id}/alerts")
async def class_alerts(class_session_id: str, db: SessionDep, principal: CurrentPrincipal
                       ) -> list[AlertOut]:
    """Every alert raised in the class, oldest first, with who acknowledged it.
    The class's trainer or an admin."""
    return await service.class_alerts(db, class_session_id, principal)


@router.post("/api/alerts/{alert_id}/ack")
async def acknowledge(alert_id: str, db: SessionDep, redis: RedisDep,
                      principal: CurrentPrincipal) -> AlertOut:
    """Acknowledge an alert: stored (who, when) and pushed to the class's tablets.
    The class's trainer or an admin; repeating it changes nothing."""
    return await service.acknowledge(db, redis, alert_id, principal)
