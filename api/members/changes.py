"""Changes to a member's planned sessions accepted in a live class, as the member's plan
shows them: each change with its evidence, and the session as changed.

Members see only the accepted changes on their own plan; their trainer and admins see
every suggestion with its status (``api.live.suggestion_routes`` for a class's list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.exercises.service import current_library
from api.plans import access
from db.session_changes import PlanSessionChange
from db.training import WorkoutPlan
from planner.config import default_config
from planner.models import Plan
from planner.readiness import Modification, apply_modifications


def suggestion_out(row: PlanSessionChange, member_name: str | None = None) -> dict[str, Any]:
    return {"id": row.id, "class_session_id": row.class_session_id,
            "member_id": row.member_id, "member_name": member_name, "plan_id": row.plan_id,
            "week": row.week, "day": row.day, "session_on": row.session_on.isoformat(),
            "rule": row.rule, "exercise_id": row.exercise_id,
            "exercise_name": row.exercise_name, "headline": row.headline,
            "modifications": row.modifications, "evidence": row.evidence,
            "status": row.status, "created_at": row.created_at.isoformat(),
            "decided_at": row.decided_at.isoformat() if row.decided_at else None}


async def session_changes(db: AsyncSession, principal: Principal, member_id: str, *,
                          plan_id: str | None = None, week: int | None = None
                          ) -> list[dict[str, Any]]:
    """The member's suggested changes, newest first (members: accepted ones only)."""
    member = await access.ensure_member_access(db, principal, member_id)
    query = select(PlanSessionChange).where(PlanSessionChange.member_id == member.id)
    if principal.role == "member":
        query = query.where(PlanSessionChange.status == "accepted")
    if plan_id:
        query = query.where(PlanSessionChange.plan_id == plan_id)
    if week is not None:
        query = query.where(PlanSessionChange.week == week)
    rows = await db.scalars(query.order_by(PlanSessionChange.created_at.desc()))
    return [suggestion_out(r, member.display_name) for r in rows]


@dataclass(frozen=True)
class ChangedSession:
    """One planned session with the changes accepted on it, and the session after them."""

    week: int
    day: int
    session_on: str
    focus: str
    in_class: bool
    changes: list[dict[str, Any]]
    items: list[dict[str, Any]]  # the session's items as changed (empty for a class)


async def changed_sessions(db: AsyncSession, plan: WorkoutPlan, changes: list[dict[str, Any]]
                           ) -> list[ChangedSession]:
    """Accepted changes grouped by session, each session with the changes applied."""
    body = Plan.model_validate(plan.plan)
    library = await current_library(db)
    out = []
    keys = sorted({(c["week"], c["day"]) for c in changes if c["status"] == "accepted"})
    for week, day in keys:
        mine = sorted((c for c in changes if (c["week"], c["day"]) == (week, day)
                       and c["status"] == "accepted"), key=lambda c: c["created_at"])
        session = next((s for w in body.weeks if w.week == week for s in w.sessions
                        if s.day == day), None)
        if session is None:
            continue
        mods = [Modification.model_validate(m) for c in mine for m in c["modifications"]]
        changed = apply_modifications(session, mods, library, default_config())
        out.append(ChangedSession(week=week, day=day, session_on=mine[0]["session_on"],
                                  focus=session.focus, in_class=session.in_class,
                                  changes=mine, items=[i.model_dump(mode="json")
                                                       for i in changed.exercises]))
    return out
