"""The timetable after publishing, through the API on the demo studio: date ranges and
closures become dated classes, a trainer's leave becomes validated cover proposals that an
admin applies in one call, and members' class ratings reach the suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import Booking, ClassSession, Member
from scheduler.lookahead import Proposal
from scheduler.repair import TrainerUnavailable, apply_change
from scheduler.schemas import Instance, Schedule, ScheduledClass
from scheduler.timegrid import DAYS
from scheduler.validation import validate_schedule

from .test_schedules_api import add_trainer, db_session, generate, world  # noqa: F401

pytestmark = pytest.mark.timeout(180)
AVA = "demo-member-01"


def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


def sessions_between(world, start: date, end: date) -> list[ClassSession]:  # noqa: F811
    with db_session(world) as db:
        rows = db.scalars(select(ClassSession).where(
            ClassSession.starts_at >= datetime.combine(start, datetime.min.time(), tzinfo=UTC),
            ClassSession.starts_at < datetime.combine(end, datetime.min.time(), tzinfo=UTC),
            ClassSession.status == "scheduled")).all()
        return list(rows)


def test_a_two_week_range_publishes_one_class_per_date_and_skips_closures(world) -> None:  # noqa: F811
    client = world.client
    monday = next_monday()
    draft = generate(world, week_start=monday.isoformat(), weeks=2)
    days = sorted({DAYS.index(c["day"]) for c in draft["schedule"]})
    closed = monday + timedelta(days=7 + days[0])  # a day with classes, in the second week
    saved = client.put("/api/schedules/closures", headers=world.admin,
                       json={"dates": [closed.isoformat()], "labels": {closed.isoformat():
                                                                        "Holiday"}})
    assert saved.status_code == 200
    assert client.put("/api/schedules/closures", headers=world.trainer,
                      json={"dates": []}).status_code == 403
    assert client.get("/api/schedules/closures", headers=world.trainer).json()["dates"] == [
        closed.isoformat()]
    assert draft["span"] == {"start": monday.isoformat(),
                             "end": (monday + timedelta(days=13)).isoformat(), "weeks": 2,
                             "closures": []}
    on_closed = sum(1 for c in draft["schedule"] if DAYS.index(c["day"]) == days[0])
    published = client.post(f"/api/schedules/{draft['id']}/publish", headers=world.admin)
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["skipped_closures"] == on_closed
    assert body["sessions_created"] == 2 * draft["classes"] - on_closed
    rows = sessions_between(world, monday, monday + timedelta(days=14))
    assert len(rows) == body["sessions_created"]
    assert not [r for r in rows if r.starts_at.date() == closed]
    assert len({r.id for r in rows}) == len(rows)  # one row per dated occurrence
    shown = client.get(f"/api/schedules/{draft['id']}", headers=world.admin).json()
    assert shown["span"]["closures"] == [closed.isoformat()]


def test_a_range_that_is_not_whole_weeks_from_a_monday_is_refused(world) -> None:  # noqa: F811
    monday = next_monday()
    for body, words in (({"week_start": monday.isoformat(), "weeks": 30}, "less than or equal"),
                        ({"week_start": monday.isoformat(),
                          "end_date": (monday - timedelta(days=1)).isoformat()}, "before start")):
        response = world.client.post("/api/schedules/generate", headers=world.admin,
                                     json={"time_limit_s": 3, **body})
        assert response.status_code == 422 and words in response.text, response.text


def test_leave_after_publishing_gives_validated_cover_applied_in_one_action(world) -> None:  # noqa: F811
    client = world.client
    add_trainer(world)  # "Sub Coach", qualified for HIIT and free all week
    monday = next_monday()
    draft = generate(world, week_start=monday.isoformat())
    assert client.post(f"/api/schedules/{draft['id']}/publish",
                       headers=world.admin).status_code == 200
    recorded = client.post("/api/schedules/leave", headers=world.trainer, json={
        "starts_on": monday.isoformat(), "ends_on": (monday + timedelta(days=2)).isoformat(),
        "reason": "course"})
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["trainer"] == "Sam Coach" and recorded.json()["proposals"] >= 1
    assert client.post("/api/schedules/leave", headers=world.trainer, json={
        "trainer_id": "sub-trainer", "starts_on": monday.isoformat(),
        "ends_on": monday.isoformat()}).status_code == 403  # not their own
    assert client.get("/api/schedules/proposals", headers=world.member).status_code == 403

    proposals = client.get("/api/schedules/proposals", headers=world.admin).json()
    hit = [s for s in sessions_between(world, monday, monday + timedelta(days=3))
           if s.trainer_id == "demo-trainer"]
    assert {p["class_session_id"] for p in proposals} == {s.id for s in hit}
    # the validator passes the week with every proposal applied and the leave cut out
    published = client.get(f"/api/schedules/{draft['id']}", headers=world.admin).json()
    instance = Instance.model_validate({**published_instance(world, draft["id"])})
    for k in range(3):
        instance = apply_change(instance, TrainerUnavailable(trainer="demo-trainer",
                                                             day=DAYS[(monday + timedelta(
                                                                 days=k)).weekday()]))
    by_session = {p["class_session_id"]: Proposal.model_validate(p["detail"])
                  for p in proposals}
    week = []
    for s in sessions_between(world, monday, monday + timedelta(days=7)):
        plan = by_session.get(s.id)
        if plan is None:
            week.append(as_class(s))
        elif plan.after is not None:
            week.append(plan.after)
    assert all(p["detail"]["violations"] == [] for p in proposals)
    # Sub Coach takes what they are free for; a class right after one of theirs (15 min
    # changeover) moves a little instead
    assert {p["kind"] for p in proposals} <= {"substitute", "move"}
    assert "substitute" in {p["kind"] for p in proposals}
    assert validate_schedule(instance, Schedule(classes=week)) == []
    assert published["status"] == "published"

    told = client.get("/api/notifications", headers=world.admin).json()
    assert any(n["event"] == "schedule.cover_needed" for n in told)
    mine = next(p for p in proposals if p["kind"] == "substitute")
    assert "Sam Coach is on leave" in mine["reason"] and "Sub Coach" in mine["reason"]
    with db_session(world) as db, db.begin():
        db.add(Booking(class_session_id=mine["class_session_id"], member_id=AVA,
                       status="booked"))
    assert client.post(f"/api/schedules/proposals/{mine['id']}/apply",
                       headers=world.trainer).status_code == 403
    applied = client.post(f"/api/schedules/proposals/{mine['id']}/apply", headers=world.admin)
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    with db_session(world) as db:
        assert db.get(ClassSession, mine["class_session_id"]).trainer_id == "sub-trainer"
    assert client.post(f"/api/schedules/proposals/{mine['id']}/apply",
                       headers=world.admin).status_code == 409
    member_news = client.get("/api/notifications", headers=world.auth("member")).json()
    assert any(n["event"] == "class.changed" and "now with Sub Coach" in n["title"]
               for n in member_news), member_news
    # a second scan does not duplicate the open proposals
    assert client.post("/api/schedules/lookahead", headers=world.admin).json() == []


def published_instance(world, schedule_id: str) -> dict:  # noqa: F811
    from db.platform import ClassSchedule

    with db_session(world) as db:
        return dict(db.get(ClassSchedule, schedule_id).instance)


def as_class(s: ClassSession) -> ScheduledClass:
    starts = s.starts_at.replace(tzinfo=UTC)
    ends = s.ends_at.replace(tzinfo=UTC)
    return ScheduledClass(class_type=s.class_type_id, room=s.room_id, trainer=s.trainer_id,
                          day=DAYS[starts.weekday()], start=f"{starts:%H:%M}",
                          end=f"{ends:%H:%M}")


def past_class(world, ended_ago: timedelta, members: list[str],  # noqa: F811
               starts_at: datetime | None = None) -> str:
    with db_session(world) as db, db.begin():
        ends = starts_at + timedelta(minutes=45) if starts_at else datetime.now(UTC) - ended_ago
        session = ClassSession(class_type_id="demo-hiit", room_id="demo-room",
                               trainer_id="demo-trainer", starts_at=ends - timedelta(minutes=45),
                               ends_at=ends, status="ended")
        db.add(session)
        db.flush()
        for m in members:
            if db.get(Member, m) is None:
                db.add(Member(id=m, display_name=m))
                db.flush()
            db.add(Booking(class_session_id=session.id, member_id=m, status="attended"))
        return session.id


def test_members_rate_attended_classes_within_48_hours(world) -> None:  # noqa: F811
    client, member = world.client, world.auth("member")
    recent = past_class(world, timedelta(hours=2), [AVA])
    old = past_class(world, timedelta(hours=60), [AVA])
    other = past_class(world, timedelta(hours=2), ["someone-else"])
    pending = client.get("/api/feedback/classes/pending", headers=member).json()
    assert [p["class_session_id"] for p in pending] == [recent]
    rated = client.put(f"/api/feedback/classes/{recent}", headers=member, json={
        "rating": 2, "time_unsuitable": True, "comment": "too early for me"})
    assert rated.status_code == 200 and rated.json()["rating"] == 2
    again = client.put(f"/api/feedback/classes/{recent}", headers=member,
                       json={"rating": 3, "time_unsuitable": True})
    assert again.json()["rating"] == 3  # changed, not duplicated
    for session_id, body, status, words in (
            (recent, {"rating": 6}, 422, "less than or equal to 5"),
            (old, {"rating": 4}, 422, "ratings close 48 h after"),
            (other, {"rating": 4}, 403, "only classes you attended"),
            ("nope", {"rating": 4}, 404, "does not exist")):
        response = client.put(f"/api/feedback/classes/{session_id}", headers=member, json=body)
        assert response.status_code == status and words in response.text, response.text
    assert client.put(f"/api/feedback/classes/{recent}", headers=world.trainer,
                      json={"rating": 5}).status_code == 403
    seen = client.get("/api/feedback/classes", headers=world.trainer).json()
    row = next(r for r in seen if r["class_session_id"] == recent)
    assert (row["ratings"], row["mean_rating"], row["time_unsuitable"]) == (1, 3.0, 1)
    assert row["comments"] == [] and AVA not in str(seen)  # comment cleared on re-rating
    assert client.get("/api/feedback/classes", headers=member).status_code == 403


def test_a_class_rated_low_by_many_gets_a_suggestion_with_that_evidence(world) -> None:  # noqa: F811
    client = world.client
    draft = generate(world)
    slot = draft["schedule"][0]
    today = datetime.now(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    h, m = (int(x) for x in slot["start"].split(":"))
    raters = [f"rater-{k:02d}" for k in range(14)]
    for weeks_ago in (1, 2):
        starts = datetime.combine(this_monday - timedelta(weeks=weeks_ago) + timedelta(
            days=DAYS.index(slot["day"])), datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=h, minutes=m)
        sid = past_class(world, timedelta(0), raters[:12], starts_at=starts)
        with db_session(world) as db, db.begin():
            from db.timetable import ClassFeedback

            for k, who in enumerate(raters[:7]):
                db.add(ClassFeedback(class_session_id=sid, member_id=who, rating=2,
                                     time_unsuitable=k < 5))
    found = client.get(f"/api/schedules/{draft['id']}/adjustments", headers=world.trainer)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["ratings"] == 14
    mine = [s for s in body["suggestions"] if (s["day"], s["start"]) == (slot["day"],
                                                                         slot["start"])]
    assert mine and mine[0]["kind"] == "move_time", body
    fb = mine[0]["feedback"]
    assert (fb["ratings"], fb["mean_rating"], fb["time_unsuitable"]) == (14, 2.0, 10)
    assert fb["fill"] == pytest.approx(12 / 30, abs=0.001)
    assert mine[0]["message"].startswith(f"{slot['day']} {slot['start']} HIIT 45: rated 2.0 "
                                         "by 14 members, 10 say the time doesn't suit; "
                                         "40 % full -> move to")
