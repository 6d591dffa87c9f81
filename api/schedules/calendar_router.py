"""``/api/schedules`` calendar side: studio closures, trainers' leave, and the lookahead's
proposals for the classes a leave hits (admins apply or dismiss each with one call)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from api.accounts.dependencies import AdminPrincipal, StaffPrincipal
from api.deps import SessionDep
from api.schedules import closures, leave, lookahead

router = APIRouter(prefix="/api/schedules", tags=["schedules"])


@router.get("/closures")
async def get_closures(db: SessionDep, principal: StaffPrincipal) -> closures.StudioClosures:
    """Dates the studio is closed: published timetables create no class on them."""
    return await closures.closures(db)


@router.put("/closures")
async def put_closures(body: closures.StudioClosures, db: SessionDep,
                       principal: AdminPrincipal) -> closures.StudioClosures:
    """Replace the closure dates (admins). Timetables published from now on skip them."""
    return await closures.save(db, body)


@router.get("/leave")
async def list_leave(db: SessionDep, principal: StaffPrincipal) -> list[leave.LeaveOut]:
    """Trainers' leave that has not ended yet, soonest first."""
    return await leave.upcoming(db)


@router.post("/leave", status_code=201)
async def add_leave(body: leave.LeaveIn, db: SessionDep, principal: StaffPrincipal
                    ) -> leave.LeaveOut:
    """Record time off (trainers their own, admins anyone's). The lookahead runs at once:
    published classes of the next days that the leave hits get proposals for the admins."""
    return await leave.add(db, principal, body)


@router.delete("/leave/{leave_id}", status_code=204)
async def delete_leave(leave_id: str, db: SessionDep, principal: StaffPrincipal) -> Response:
    """Remove a leave; its open proposals are withdrawn."""
    await leave.remove(db, principal, leave_id)
    return Response(status_code=204)


@router.get("/proposals")
async def list_proposals(db: SessionDep, principal: StaffPrincipal,
                         status: Literal["open", "applied", "dismissed", "stale",
                                         "withdrawn"] | None = "open"
                         ) -> list[lookahead.ProposalOut]:
    """Lookahead proposals (open by default), newest first, each with its reason."""
    return await lookahead.list_proposals(db, status)


@router.post("/lookahead", status_code=201)
async def run_lookahead(db: SessionDep, principal: AdminPrincipal
                        ) -> list[lookahead.ProposalOut]:
    """Check the next days now (also runs on new leave and on publishing)."""
    return [lookahead.view(p) for p in await lookahead.scan(db)]


@router.post("/proposals/{proposal_id}/apply")
async def apply_proposal(proposal_id: str, db: SessionDep, principal: AdminPrincipal
                         ) -> lookahead.ProposalOut:
    """Apply it to the dated class: new trainer, new time, or cancelled with notice to
    the members who booked."""
    return await lookahead.apply(db, proposal_id, principal)


@router.post("/proposals/{proposal_id}/dismiss")
async def dismiss_proposal(proposal_id: str, db: SessionDep, principal: AdminPrincipal
                           ) -> lookahead.ProposalOut:
    return await lookahead.dismiss(db, proposal_id, principal)
