"""Adjustment suggestions from recent attendance, each with evidence."""

from __future__ import annotations

from scheduler.adjust import suggest_adjustments
from scheduler.history import ClassRecord
from scheduler.schemas import ScheduledClass

from .conftest import make_instance

DAY = [{"day": "Mon", "start": "08:00", "end": "12:00"}]


def inst() -> object:
    return make_instance(
        slot_minutes=60, changeover_min=0, opening_hours=DAY,
        rooms=[{"id": "A", "capacity": 10}, {"id": "B", "capacity": 10}],
        class_types=[{"id": "Yoga", "duration_min": 60, "max_sessions": 3},
                     {"id": "HIIT", "duration_min": 60, "max_sessions": 3}],
        trainers=[{"id": "Tara", "availability": DAY}, {"id": "Sam", "availability": DAY}])


def rec(week: int, ctype: str, start: int, booked: int, waitlisted: int, attended: int
        ) -> ClassRecord:
    return ClassRecord(week=week, class_type=ctype, category=ctype, day=0, start=start,
                       duration_min=60, room="A", capacity=10, trainer="Tara", price=10.0,
                       booked=booked, waitlisted=waitlisted, waitlist_cap=-1,
                       attended=attended, late_cancel=0)


SCHEDULE = [
    ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon", start="08:00",
                   end="09:00"),
    ScheduledClass(class_type="HIIT", room="A", trainer="Tara", day="Mon", start="10:00",
                   end="11:00"),
]


def test_under_used_and_sold_out_classes_get_suggestions() -> None:
    history = []
    for week in range(6):
        history.append(rec(week, "Yoga", 480, booked=4, waitlisted=0, attended=3))
        history.append(rec(week, "HIIT", 600, booked=10, waitlisted=4, attended=9))
    out = suggest_adjustments(inst(), SCHEDULE, history, weeks=4)
    kinds = {s.class_type: s for s in out}
    yoga, hiit = kinds["Yoga"], kinds["HIIT"]
    assert yoga.kind == "move_or_reduce"
    assert yoga.evidence.weeks == [2, 3, 4, 5]  # only the last 4 weeks count
    assert yoga.evidence.mean_utilisation == 0.3
    assert "30%" in yoga.message
    assert hiit.kind == "add_session"
    assert hiit.evidence.sold_out_weeks == 4 and hiit.evidence.waitlisted == [4, 4, 4, 4]
    assert hiit.proposed is not None and hiit.proposed.class_type == "HIIT"
    assert (hiit.proposed.day, hiit.proposed.start) != ("Mon", "10:00") or (
        hiit.proposed.room != "A")


def test_healthy_classes_and_no_history_give_nothing() -> None:
    history = [rec(w, "Yoga", 480, booked=7, waitlisted=0, attended=6) for w in range(4)]
    assert suggest_adjustments(inst(), SCHEDULE, history) == []
    assert suggest_adjustments(inst(), SCHEDULE, []) == []
