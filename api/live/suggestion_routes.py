"""Suggested session changes on the trainer tablet: list, accept, dismiss, and a stream.

The tablet shows pending suggestions next to the alert list (``_suggestions.html``) and a
short line on the member's tile (``_tile_suggestions.html``, a placeholder the tile keeps
across its own re-renders with ``hx-preserve``). Both arrive as out-of-band fragments over
this module's own Server-Sent Events stream, re-read from the database whenever a
``suggestion`` message passes on the class channel, so the board's stream is untouched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.dependencies import CurrentPrincipal, TrainerPage
from api.accounts.principal import Principal
from api.classes import service as classes
from api.deps import RedisDep, SessionDep
from api.exceptions import ConflictError, NotFoundError
from api.live import service as live
from api.live.hub import HubDep
from api.live.suggestions import MESSAGE, announce
from api.members.changes import suggestion_out
from api.templating import render_fragment
from db.models import ClassSession, Member
from db.session_changes import PlanSessionChange

router = APIRouter(tags=["live"])
pages = APIRouter(tags=["pages"], include_in_schema=False)
Decision = Literal["accepted", "dismissed"]


async def class_suggestions(db: AsyncSession, class_session_id: str) -> list[dict[str, Any]]:
    """Every suggestion of the class, newest first, with member names."""
    rows = await db.execute(select(PlanSessionChange, Member.display_name).join(
        Member, Member.id == PlanSessionChange.member_id).where(
        PlanSessionChange.class_session_id == class_session_id)
        .order_by(PlanSessionChange.created_at.desc()))
    return [suggestion_out(row, name) for row, name in rows.all()]


async def _trainer_class(db: AsyncSession, principal: Principal, class_session_id: str
                         ) -> ClassSession:
    session = await classes.get_session(db, class_session_id, principal)
    live.ensure_trainer_access(principal, session)
    return session


@router.get("/api/classes/{class_session_id}/suggestions")
async def list_suggestions(class_session_id: str, db: SessionDep,
                           principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """Suggested changes to members' planned sessions in this class, each with the
    evidence (alert or insight, with its numbers) and its status. The class's trainer or
    an admin."""
    await _trainer_class(db, principal, class_session_id)
    return await class_suggestions(db, class_session_id)


async def decide(db: AsyncSession, redis: Any, principal: Principal, class_session_id: str,
                 suggestion_id: str, decision: Decision) -> dict[str, Any]:
    await _trainer_class(db, principal, class_session_id)
    row = await db.get(PlanSessionChange, suggestion_id)
    if row is None or row.class_session_id != class_session_id:
        raise NotFoundError(f"suggestion {suggestion_id!r} is not one of this class's")
    if row.status == decision:
        return suggestion_out(row)
    if row.status != "pending":
        raise ConflictError(f"this suggestion was already {row.status}; it can be decided "
                            "once")
    row.status, row.decided_at, row.decided_by = decision, datetime.now(UTC), principal.user_id
    await db.commit()
    out = suggestion_out(row)
    await announce(redis, class_session_id, out)
    return out


@router.post("/api/classes/{class_session_id}/suggestions/{suggestion_id}/accept")
async def accept(class_session_id: str, suggestion_id: str, db: SessionDep, redis: RedisDep,
                 principal: CurrentPrincipal) -> dict[str, Any]:
    """Accept: the change is stored on the member's plan session with its evidence and
    the member sees it on their plan. Once per suggestion (409 after a dismissal)."""
    return await decide(db, redis, principal, class_session_id, suggestion_id, "accepted")


@router.post("/api/classes/{class_session_id}/suggestions/{suggestion_id}/dismiss")
async def dismiss(class_session_id: str, suggestion_id: str, db: SessionDep, redis: RedisDep,
                  principal: CurrentPrincipal) -> dict[str, Any]:
    """Dismiss: the plan stays as it is; a later episode may suggest again."""
    return await decide(db, redis, principal, class_session_id, suggestion_id, "dismissed")


def fragments(class_session_id: str, items: list[dict[str, Any]], shown: set[str]) -> str:
    """The panel and every tile line that changed (``shown``: members with a line)."""
    pending = [s for s in items if s["status"] == "pending"]
    decided = [s for s in items if s["status"] != "pending"]
    html = [render_fragment("_suggestions.html", class_id=class_session_id,
                            suggestions=pending, decided=decided, oob=True)]
    by_member: dict[str, list[dict[str, Any]]] = {}
    for s in pending:
        by_member.setdefault(s["member_id"], []).append(s)
    for member_id in sorted(set(by_member) | shown):
        html.append(render_fragment("_tile_suggestions.html", member_id=member_id,
                                    suggestions=by_member.get(member_id, []), oob=True))
    shown.clear()
    shown.update(by_member)
    return "".join(html)


async def streamable(class_session_id: str, db: SessionDep, principal: TrainerPage
                     ) -> ClassSession:
    return await _trainer_class(db, principal, class_session_id)


@pages.get("/trainer/classes/{class_session_id}/suggestions/stream",
           response_class=EventSourceResponse)
async def stream(class_session_id: str, hub: HubDep, db: SessionDep,
                 session: Annotated[ClassSession, Depends(streamable)]
                 ) -> AsyncIterator[ServerSentEvent]:
    """The suggestions panel and tile lines now, then again after each change."""
    shown: set[str] = set()
    async with hub.subscribe(class_session_id) as queue:
        html = fragments(class_session_id, await class_suggestions(db, class_session_id),
                         shown)
        await db.rollback()  # end the read so a long stream holds no transaction open
        yield ServerSentEvent(event="suggestions", raw_data=html.replace("\n", " "))
        while True:
            batch = await queue.drain()
            if not (queue.resync or any(m.get("type") == MESSAGE for m in batch)):
                continue
            queue.resync = False
            html = fragments(class_session_id, await class_suggestions(db, class_session_id),
                             shown)
            await db.rollback()
            yield ServerSentEvent(event="suggestions", raw_data=html.replace("\n", " "))
