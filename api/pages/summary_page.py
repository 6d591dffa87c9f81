"""What the post-class summary page shows to whom.

The class's trainer and admins: the whole stored summary, the class's average line, and
every alert with who acknowledged it and when (read from the alerts table, so an
acknowledgement made after the summary was built still shows). A member who attended:
their own row, their own line (from their minutes in ``real_time_class_insights``) and
their own highlights; never another member's name or numbers, and no class average (in a
small class it gives the others away).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.classes import service as classes
from api.live.service import ensure_trainer_access
from db.access_log import record_access_many, summary_member_ids
from db.accounts import User
from db.live import AlertRow, MemberClassSummary, PostClassSummary, RealTimeInsight
from db.models import Member

WHOLE_CLASS = "Whole class"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def context(db: AsyncSession, class_session_id: str, principal: Principal
                  ) -> dict[str, Any]:
    session = await classes.get_session(db, class_session_id, principal)  # 404 if not theirs
    if principal.role == "member":
        own = await member_context(db, class_session_id, str(principal.member_id))
    else:
        ensure_trainer_access(principal, session)
        own = await class_context(db, class_session_id)
        await record_access_many(db, principal, summary_member_ids(own["summary"]), "view",
                                 "class_summary", f"class {class_session_id}")
    return {"class_session": await classes.session_out(db, class_session_id, principal),
            **own}


async def class_context(db: AsyncSession, class_session_id: str) -> dict[str, Any]:
    row = await db.get(PostClassSummary, class_session_id)
    summary = row.payload if row else None
    chart = None
    if summary and summary.get("series"):
        series = summary["series"]
        chart = {"x": [round(t / 60, 2) for t in series.get("t_s") or []],
                 "y": [round(v * 100, 1) for v in series.get("avg_pct_hr_max") or []],
                 "label": "class average, % of max heart rate"}
    return {"summary": summary, "view": "class", "chart": chart,
            "alerts": await alerts(db, class_session_id) if summary else []}


async def alerts(db: AsyncSession, class_session_id: str) -> list[dict[str, Any]]:
    """Every alert of the class, oldest first, with the member's name and who
    acknowledged it when."""
    acker = User.__table__.alias("acker")
    rows = (await db.execute(
        select(AlertRow, Member.display_name, acker.c.display_name)
        .outerjoin(Member, Member.id == AlertRow.member_id)
        .outerjoin(acker, acker.c.id == AlertRow.acknowledged_by)
        .where(AlertRow.class_session_id == class_session_id)
        .order_by(AlertRow.event_time))).all()
    return [{"id": a.id, "who": name or (WHOLE_CLASS if a.member_id is None else "Member"),
             "rule": a.rule, "severity": a.severity, "message": a.message,
             "at": datetime.fromtimestamp(a.event_time, UTC),
             "acknowledged_at": _aware(a.acknowledged_at), "acknowledged_by": by}
            for a, name, by in rows]


async def member_context(db: AsyncSession, class_session_id: str, member_id: str
                         ) -> dict[str, Any]:
    part = await db.get(MemberClassSummary, (class_session_id, member_id))
    whole = await db.get(PostClassSummary, class_session_id)
    if part is None or whole is None:
        return {"summary": None, "view": "member", "chart": None, "alerts": []}
    doc = whole.payload
    summary = {"members": [part.payload], "member_count": None,
               "form": {member_id: part.payload["form"]} if part.payload.get("form") else {},
               "started_at": doc.get("started_at"), "ended_at": doc.get("ended_at")}
    minutes = list(await db.scalars(select(RealTimeInsight).where(
        RealTimeInsight.class_session_id == class_session_id,
        RealTimeInsight.member_id == member_id, RealTimeInsight.kind == "minute")
        .order_by(RealTimeInsight.at)))
    origin = doc.get("started_at") or (minutes[0].at if minutes else 0.0)
    chart = None
    points = [(m.at, m.data["pct_hr_max_mean"]) for m in minutes
              if m.data.get("pct_hr_max_mean") is not None]
    if points:
        chart = {"x": [round((at - origin) / 60, 2) for at, _ in points],
                 "y": [round(v, 1) for _, v in points],
                 "label": "your heart rate, % of your maximum (minute by minute)"}
    return {"summary": summary, "view": "member", "chart": chart, "alerts": []}
