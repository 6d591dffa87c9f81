"""Writing the data access log (issue 20, item 5): who viewed, changed, exported or erased
which member's data, and when.

It lives in ``db`` (like the notification writer) because the routes of every package
that shows members' data write it: plans, members, summaries and the privacy package
itself; a home inside ``api.privacy`` would tie those packages in a circle.

A member is entitled to know who looked at their health data, and a studio must be able
to show it (GDPR Art. 15). Every read by a trainer or an admin of a member's plans,
summaries, profile, performance or check-ins is one row, and so is every change, export
and erasure. A member reading their own data is not logged: it says nothing they do not
already know and would bury the entries that matter. A member's own export or erasure is
logged, since those are events the studio must be able to prove.

Rows go into the caller's session. By default the session is committed, which suits
routes that only read; a route that changes data calls this after its own commit, or
passes ``commit=False`` so the entry lands in the same transaction as the change.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.privacy import DataAccess

log = structlog.get_logger(__name__)


class Principal(Protocol):
    """Who acts: ``api.accounts.principal.Principal`` fits (the database layer does not
    import the web layer)."""

    @property
    def role(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def member_id(self) -> str | None: ...


Action = Literal["view", "change", "export", "erase"]
ACTIONS: tuple[str, ...] = ("view", "change", "export", "erase")
DETAIL_MAX = 200
T = TypeVar("T")


def is_logged(principal: Principal | None, member_id: str, action: str) -> bool:
    """Whether this access is worth an entry: everything except a member viewing their
    own data."""
    return not (principal is not None and principal.role == "member"
                and principal.member_id == member_id and action == "view")


def build_entry(principal: Principal | None, member_id: str, action: str, resource: str,
                detail: str | None = None) -> DataAccess:
    """The row for one access; ``principal`` None means the system (CLI, a job)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}; expected one of {ACTIONS}")
    return DataAccess(
        actor_user_id=principal.user_id if principal is not None else None,
        actor_role=principal.role if principal is not None else "system",
        member_id=member_id, action=action, resource=resource[:40],
        detail=detail[:DETAIL_MAX] if detail else None)


async def record_access(db: AsyncSession, principal: Principal | None, member_id: str,
                        action: str, resource: str, detail: str | None = None, *,
                        commit: bool = True) -> None:
    """Record that ``principal`` did ``action`` on ``member_id``'s ``resource``."""
    if not is_logged(principal, member_id, action):
        return
    db.add(build_entry(principal, member_id, action, resource, detail))
    if commit:
        await db.commit()
    else:
        await db.flush()
    log.info("data_access", member_id=member_id, action=action, resource=resource,
             actor_role=principal.role if principal is not None else "system")


async def record_access_many(db: AsyncSession, principal: Principal | None,
                             member_ids: list[str], action: str, resource: str,
                             detail: str | None = None) -> None:
    """One entry per member shown, e.g. for a whole-class summary: each member can see
    that their part of the class was looked at."""
    entries = [build_entry(principal, member_id, action, resource, detail)
               for member_id in dict.fromkeys(member_ids)
               if is_logged(principal, member_id, action)]
    if not entries:
        return
    db.add_all(entries)
    await db.commit()


def record_access_sync(db: Session, principal: Principal | None, member_id: str,
                       action: str, resource: str, detail: str | None = None, *,
                       commit: bool = True) -> None:
    """The same for synchronous sessions (the ``spotter`` CLI)."""
    if not is_logged(principal, member_id, action):
        return
    db.add(build_entry(principal, member_id, action, resource, detail))
    if commit:
        db.commit()
    else:
        db.flush()
    log.info("data_access", member_id=member_id, action=action, resource=resource,
             actor_role=principal.role if principal is not None else "system")


async def logged(db: AsyncSession, principal: Principal | None, member_id: str | None,
                 resource: str, result: T, *, action: str = "view",
                 detail: str | None = None) -> T:
    """Record the access and hand ``result`` back, so a route logs in the line that
    returns. Called after the work succeeded: a refused request (403, 404) logs nothing.
    ``member_id`` None (e.g. an unfiltered list) logs nothing."""
    if member_id is not None:
        await record_access(db, principal, member_id, action, resource, detail)
    return result


async def logged_many(db: AsyncSession, principal: Principal | None, member_ids: list[str],
                      resource: str, result: T, *, action: str = "view",
                      detail: str | None = None) -> T:
    """:func:`logged` for a read that shows several members (a class's summary)."""
    await record_access_many(db, principal, member_ids, action, resource, detail)
    return result


def summary_member_ids(summary: dict[str, Any] | None) -> list[str]:
    """The members a stored class summary shows (its ``members`` rows)."""
    rows = (summary or {}).get("members") or []
    return [str(r["member_id"]) for r in rows if isinstance(r, dict) and r.get("member_id")]
