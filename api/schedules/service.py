"""Timetable drafts, scenarios, publishing, repair and suggestions over ``class_schedules``.

Who does what, the way a studio works: trainers propose (generate drafts, compare them,
discard their own); admins publish, repair, pin and discard any draft; members see only
the published timetable. A trainer's draft notifies the admins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.principal import Principal
from api.admin import service as admin_settings
from api.exceptions import ConflictError, Forbidden, InvalidInput, NotFoundError
from api.feedback import service as class_feedback
from api.schedules import closures, compute, lookahead, publishing
from api.schedules import studio as studio_db
from api.schedules.exceptions import NoTimetable, input_error
from api.schedules.render import out, pinned_classes, summary
from api.schedules.schemas import (
    AdjustmentsOut,
    CompareOut,
    GenerateIn,
    PinIn,
    PublishOut,
    RepairIn,
    RepairOut,
    ScheduleOut,
    ScheduleSummary,
    TimetableOut,
)
from db.accounts import User
from db.notify import notify, notify_trainer
from db.platform import ClassSchedule
from scheduler.config import load_settings
from scheduler.dates import DateRange, date_range
from scheduler.diff import diff_schedules
from scheduler.errors import SchedulerInputError
from scheduler.schemas import Instance, ScheduledClass
from scheduler.scoring import reweigh
from scheduler.validation import parse_instance

log = structlog.get_logger(__name__)


async def get_row(db: AsyncSession, schedule_id: str) -> ClassSchedule:
    row = await db.get(ClassSchedule, schedule_id)
    if row is None:
        raise NotFoundError(f"schedule {schedule_id!r} does not exist")
    return row


async def published_row(db: AsyncSession) -> ClassSchedule | None:
    return await db.scalar(select(ClassSchedule).where(ClassSchedule.status == "published")
                           .order_by(ClassSchedule.published_at.desc()).limit(1))


async def list_schedules(db: AsyncSession, status: str | None = None) -> list[ScheduleSummary]:
    query = select(ClassSchedule).order_by(ClassSchedule.created_at.desc()).limit(100)
    if status:
        query = query.where(ClassSchedule.status == status)
    return [summary(row) for row in await db.scalars(query)]


async def get_schedule(db: AsyncSession, schedule_id: str) -> ScheduleOut:
    return out(await get_row(db, schedule_id))


async def _history(db: AsyncSession, source: str) -> tuple[list[Any], int]:
    """Class history for studio-planned weeks; an instance file brings its own demand."""
    if source == "instance":
        return [], 0
    return await studio_db.history(db, load_settings().studio)


def _time_limit(asked: float | None) -> float:
    cfg = load_settings().studio
    return min(asked or cfg.time_limit_s, cfg.max_time_limit_s)


def _span(body: GenerateIn) -> DateRange:
    week = body.week_start or studio_db.next_monday(datetime.now(UTC).date())
    if week.weekday() != 0:
        raise InvalidInput(f"week_start {week} is a {week.strftime('%A')}: give a Monday")
    try:
        return date_range(week, body.end_date, body.weeks)
    except SchedulerInputError as exc:
        raise input_error(exc) from exc


def _default_name(span: DateRange, scenario: str) -> str:
    if span.weeks == 1 and span.end == span.start + timedelta(days=6):
        return f"Week of {span.start:%d %b %Y} ({scenario})"
    return f"{span.start:%d %b} – {span.end:%d %b %Y}, {span.weeks} weeks ({scenario})"


async def _admin_users(db: AsyncSession) -> list[str]:
    return list(await db.scalars(select(User.id).where(User.role == "admin",
                                                       User.is_active.is_(True))))


async def notify_admins(db: AsyncSession, event: str, payload: dict[str, Any]) -> None:
    """One in-app message per active admin (the caller commits)."""
    for uid in await _admin_users(db):
        notify(db, event, uid, payload)


async def _instance(db: AsyncSession, body: GenerateIn, name: str,
                    published: ClassSchedule | None) -> tuple[Instance, list[str], str]:
    policy = await admin_settings.scheduler_policy(db)
    overrides = body.weights.model_dump(exclude_none=True) if body.weights else {}
    weights = {**policy.weights.model_dump(), **overrides}
    if body.instance is not None:
        try:
            given = parse_instance(body.instance)
        except SchedulerInputError as exc:
            raise input_error(exc) from exc
        if given.weights is None or overrides:
            base = given.weights.model_dump() if given.weights else policy.weights.model_dump()
            given = parse_instance({**given.model_dump(exclude_none=True),
                                    "weights": {**base, **overrides}})
        return given, [], "instance"
    rows = await studio_db.load_rows(db)
    empty = [what for what, items in (("rooms", rows.rooms), ("trainers", rows.trainers),
                                      ("class types", rows.class_types)) if not items]
    if empty:
        raise InvalidInput(f"the studio has no {' and no '.join(empty)} yet: add them under "
                           "admin → database, then generate again")
    bounds = {k: (v.min, v.max) for k, v in body.sessions.items()}
    pins = pinned_classes(published) if published is not None else []
    try:
        built = studio_db.build_instance(rows, policy, load_settings().studio, bounds, pins,
                                         name)
        instance = parse_instance({**built.instance.model_dump(exclude_none=True),
                                   "weights": weights})
    except SchedulerInputError as exc:
        raise input_error(exc) from exc
    return instance, built.notes, "studio"


async def generate(db: AsyncSession, principal: Principal, body: GenerateIn) -> ScheduleOut:
    """Plan a draft week with the admin's weights (plus the request's scenario overrides)."""
    span = _span(body)
    week = span.start
    scenario = "custom weights" if body.weights else "admin weights"
    name = body.name or _default_name(span, scenario)
    proposer = principal.display_name or "a trainer" if principal.role == "trainer" else None
    if proposer and not body.name:
        name += f", proposed by {proposer}"
    published = await published_row(db)
    instance, notes, source = await _instance(db, body, name, published)
    records, unmarked = await _history(db, source)
    if unmarked:
        notes.append(f"{unmarked} past classes have no check-in marks: their bookings were "
                     "counted as attendance")
    old = ([ScheduledClass.model_validate(c) for c in published.result["solve"]["classes"]]
           if published is not None and source == "studio" else None)
    planned = await compute.off_loop(partial(
        compute.plan, instance, records, old, _time_limit(body.time_limit_s), body.seed))
    result = planned.result
    if not result.classes:
        raise NoTimetable(result.status, result.explanation)
    rows = await studio_db.load_rows(db)
    row = ClassSchedule(name=name, status="draft", week_start=week,
                        instance=instance.model_dump(mode="json", exclude_none=True),
                        created_by=principal.user_id, result={
                            "solve": result.model_dump(mode="json"), "source": source,
                            "demand": {"source": planned.demand_source,
                                       "history_classes": len(records)},
                            "notes": notes, "names": rows.names(),
                            "baselines": {"manager": planned.manager,
                                          "greedy": planned.greedy},
                            "pins": _pin_indexes(instance, result.classes),
                            "span": {"start": span.start.isoformat(),
                                     "end": span.end.isoformat()},
                            "closures": sorted(d.isoformat() for d in
                                               await closures.closed_dates(db) if d in span),
                            "proposed_by": proposer})
    db.add(row)
    await db.flush()
    if proposer:
        await notify_admins(db, "schedule.proposed", {
            "title": f"{proposer} proposed a timetable: {name}", "schedule_id": row.id,
            "url": f"/trainer/schedules/{row.id}"})
    await db.commit()
    log.info("schedule.generated", id=row.id, status=result.status, gap=result.gap,
             classes=len(result.classes))
    return out(row)


def _pin_indexes(instance: Instance, classes: list[ScheduledClass]) -> list[int]:
    wanted = {(p.class_type, p.room, p.trainer, p.day, p.start) for p in instance.pinned}
    return [i for i, c in enumerate(classes)
            if (c.class_type, c.room, c.trainer, c.day, c.start) in wanted]


async def compare(db: AsyncSession, a: str, b: str) -> CompareOut:
    """Side by side, on one scale: when the weights differ, both timetables are also
    scored under A's weights (raw term values do not depend on the weights)."""
    first, second = out(await get_row(db, a)), out(await get_row(db, b))
    names = {k: {**first.names.get(k, {}), **second.names.get(k, {})}
             for k in ("rooms", "trainers", "class_types")}
    differ = {k: (first.weights.get(k, 0.0), second.weights.get(k, 0.0))
              for k in sorted(set(first.weights) | set(second.weights))
              if first.weights.get(k) != second.weights.get(k)}
    common = sorted(set(first.objective_breakdown) & set(second.objective_breakdown),
                    key=list(first.objective_breakdown).index)
    return CompareOut(
        a=first, b=second, diff=diff_schedules(first.schedule, second.schedule, names),
        same_weights=not differ, weight_differences=differ, common_weights=first.weights,
        a_common=reweigh({k: first.objective_breakdown[k] for k in common}, first.weights),
        b_common=reweigh({k: second.objective_breakdown[k] for k in common}, first.weights),
        common_terms=common)


async def notify_trainers_of(db: AsyncSession, row: ClassSchedule) -> None:
    """Tell every trainer who teaches in the published week (one message each)."""
    trainers = {c["trainer"] for c in row.result.get("solve", {}).get("classes", [])}
    for trainer_id in sorted(trainers):
        await notify_trainer(db, "schedule.published", trainer_id,
                             {"schedule_id": row.id, "url": f"/trainer/schedules/{row.id}"})


async def publish(db: AsyncSession, schedule_id: str) -> PublishOut:
    """Draft → published; the published one (if any) → archived; the week's classes created."""
    row = await get_row(db, schedule_id)
    if row.status != "draft":
        raise ConflictError(f"only drafts can be published; this schedule is {row.status}")
    if row.result.get("solve", {}).get("violations"):
        raise InvalidInput("this draft breaks hard rules (see its violations); repair or "
                           "generate a new one")
    if row.week_start is None:
        raise InvalidInput("this draft has no week_start; generate it for a week")
    current = list(await db.scalars(select(ClassSchedule).where(
        ClassSchedule.status == "published")))
    made = await publishing.materialise(db, row, current,
                                        ZoneInfo(load_settings().studio.timezone),
                                        await closures.closed_dates(db))
    now = datetime.now(UTC)
    for old in current:
        old.status = "archived"
    row.status, row.published_at = "published", now
    row.result = {**row.result, "sessions": made.session_ids,
                  "closures": [d.isoformat() for d in made.skipped]}
    await notify_trainers_of(db, row)
    await db.commit()
    await lookahead.scan(db, now)  # leave recorded before publishing hits the new classes
    log.info("schedule.published", id=row.id, created=made.created, kept=made.kept,
             removed=made.removed, cancelled=made.cancelled)
    return PublishOut(schedule=summary(row), archived=[o.id for o in current],
                      sessions_created=made.created, sessions_kept=made.kept,
                      sessions_removed=made.removed, sessions_cancelled=made.cancelled,
                      skipped_closures=made.skipped_classes)


async def repair(db: AsyncSession, principal: Principal, schedule_id: str, body: RepairIn
                 ) -> RepairOut:
    """A draft that fixes the published week for a change with as few changes as possible."""
    row = await get_row(db, schedule_id)
    if row.status != "published":
        raise ConflictError("repair starts from the published timetable; this one is "
                            f"{row.status}")
    instance = Instance.model_validate(row.instance)
    change = body.change
    known = ({t.id for t in instance.trainers} if change.kind == "trainer_unavailable"
             else {r.id for r in instance.rooms})
    subject = change.trainer if change.kind == "trainer_unavailable" else change.room
    if subject not in known:
        raise InvalidInput(f"{subject!r} is not a {change.kind.split('_')[0]} of this "
                           f"timetable; known: {', '.join(sorted(known))}")
    records, _ = await _history(db, row.result.get("source", "studio"))
    old = [ScheduledClass.model_validate(c) for c in row.result["solve"]["classes"]]
    fixed = await compute.off_loop(partial(
        compute.repair_week, instance, records, old, change, _time_limit(body.time_limit_s), 0))
    if not fixed.result.classes:
        raise NoTimetable(fixed.result.status, fixed.result.explanation)
    changes = [c.model_dump(mode="json") for c in fixed.outcome.changes]
    draft = ClassSchedule(
        name=f"{row.name} — repaired ({change.kind.replace('_', ' ')}: {subject})",
        status="draft", week_start=row.week_start, created_by=principal.user_id,
        instance=fixed.instance.model_dump(mode="json", exclude_none=True), result={
            "solve": fixed.result.model_dump(mode="json"), "source": row.result.get("source"),
            "demand": row.result.get("demand", {}), "names": row.result.get("names", {}),
            "notes": fixed.outcome.notes, "baselines": None,
            "span": row.result.get("span"), "closures": row.result.get("closures", []),
            "pins": _pin_indexes(fixed.instance, fixed.result.classes),
            "repair": {"of": row.id, "change": change.model_dump(mode="json"),
                       "change_cost": fixed.outcome.change_cost, "changes": changes,
                       "substitutes": [s.model_dump(mode="json")
                                       for s in fixed.outcome.substitutes]}})
    db.add(draft)
    await db.commit()
    return RepairOut(draft=out(draft), changes=changes, substitutes=fixed.outcome.substitutes)


async def adjustments(db: AsyncSession, schedule_id: str) -> AdjustmentsOut:
    row = await get_row(db, schedule_id)
    records, _ = await _history(db, row.result.get("source", "studio"))
    instance = Instance.model_validate(row.instance)
    classes = [ScheduledClass.model_validate(c) for c in row.result["solve"]["classes"]]
    settings = load_settings()
    ratings = ([] if row.result.get("source") == "instance" else
               await class_feedback.ratings_for_slots(
                   db, max(settings.feedback.lookback_weeks, settings.adjust.lookback_weeks),
                   ZoneInfo(settings.studio.timezone)))
    found = await compute.off_loop(partial(compute.suggestions, instance, classes, records,
                                           ratings, dict(row.result.get("names", {}))))
    weeks = len({r.week for r in records})
    return AdjustmentsOut(schedule_id=row.id, history_classes=len(records), weeks=weeks,
                          ratings=len(ratings), suggestions=found)


async def pin(db: AsyncSession, schedule_id: str, body: PinIn) -> ScheduleOut:
    """Mark a class as pinned: the next drafts keep it exactly (once this one is published)."""
    row = await get_row(db, schedule_id)
    if row.status == "archived":
        raise ConflictError("archived timetables cannot be changed")
    n = len(row.result["solve"]["classes"])
    if body.index >= n:
        raise InvalidInput(f"index {body.index} is out of range: the schedule has {n} classes")
    pins = set(row.result.get("pins", []))
    (pins.add if body.pinned else pins.discard)(body.index)
    row.result = {**row.result, "pins": sorted(pins)}
    await db.commit()
    return out(row)


async def discard(db: AsyncSession, schedule_id: str, principal: Principal | None = None
                  ) -> None:
    """Admins discard any draft; a trainer only the drafts they proposed."""
    row = await get_row(db, schedule_id)
    if row.status != "draft":
        raise ConflictError(f"only drafts can be discarded; this schedule is {row.status}")
    if principal is not None and not principal.is_admin and row.created_by != principal.user_id:
        raise Forbidden("trainers may discard only the drafts they proposed")
    await db.delete(row)
    await db.commit()


async def timetable(db: AsyncSession) -> TimetableOut:
    row = await published_row(db)
    if row is None:
        raise NotFoundError("no timetable has been published yet")
    full = out(row)
    return TimetableOut(id=full.id, name=full.name, week_start=full.week_start,
                        classes=full.schedule, names=full.names)
