"""Members' class ratings become adjustment suggestions that carry their numbers."""

from __future__ import annotations

from scheduler.adjust import suggest_adjustments
from scheduler.feedback import Rating
from scheduler.history import ClassRecord
from scheduler.schemas import ScheduledClass

from .conftest import make_instance

TUE = [{"day": "Tue", "start": "06:00", "end": "12:00"}]
NAMES = {"class_types": {"yoga": "Yoga"}, "trainers": {"tara": "Tara Lee"}}


def studio():  # type: ignore[no-untyped-def]
    # Later mornings are more popular (the campus-gym prior): a move should gain.
    return make_instance(
        slot_minutes=15, changeover_min=0, opening_hours=TUE,
        rooms=[{"id": "A", "capacity": 20}],
        class_types=[{"id": "yoga", "duration_min": 60, "max_sessions": 2,
                      "base_demand": 12.0}],
        trainers=[{"id": "tara", "availability": TUE}])


EARLY = ScheduledClass(class_type="yoga", room="A", trainer="tara", day="Tue", start="06:30",
                       end="07:30")


def record(week: int, start: int, booked: int) -> ClassRecord:
    return ClassRecord(week=week, class_type="yoga", category="Yoga", day=1, start=start,
                       duration_min=60, room="A", capacity=20, trainer="tara", price=0.0,
                       booked=booked, waitlisted=0, waitlist_cap=-1, attended=booked - 1,
                       late_cancel=0)


def history() -> list[ClassRecord]:
    """The class ran at 09:15 last term (16 booked) and at 06:30 since (8 booked)."""
    return ([record(w, 555, 16) for w in range(4)]
            + [record(w, 390, 8) for w in range(4, 8)])


def ratings(scores: list[int], unsuitable: int) -> list[Rating]:
    return [Rating("yoga", 1, 390, week=7, rating=r, time_unsuitable=i < unsuitable)
            for i, r in enumerate(scores)]


def test_a_class_rated_low_by_many_for_its_time_gets_a_move_with_the_evidence() -> None:
    scores = [2, 2, 3, 1, 2, 2, 3, 2, 2, 3, 2, 1, 2, 3]  # 14 members, mean 2.14
    found = suggest_adjustments(studio(), [EARLY], history(), ratings=ratings(scores, 9),
                                names=NAMES)
    assert len(found) == 1
    s = found[0]
    assert s.kind == "move_time" and s.feedback is not None
    assert (s.feedback.ratings, s.feedback.mean_rating, s.feedback.time_unsuitable) == (
        14, 2.14, 9)
    assert s.feedback.fill == 0.4 and s.feedback.capacity == 20
    assert s.message.startswith("Tue 06:30 Yoga: rated 2.1 by 14 members, 9 say the time "
                                "doesn't suit; 40 % full -> move to ")
    assert s.proposed is not None and s.proposed.start != "06:30"
    assert s.feedback.predicted_new is not None and s.feedback.predicted_now is not None
    gain = round(s.feedback.predicted_new - s.feedback.predicted_now)
    assert gain > 0 and f"{gain:+d} predicted" in s.message


def test_low_ratings_not_about_the_time_flag_the_class_instead_of_moving_it() -> None:
    found = suggest_adjustments(studio(), [EARLY], history(), ratings=ratings([2] * 8, 1),
                                names=NAMES)
    assert [s.kind for s in found] == ["review_class"]
    assert found[0].proposed is None and "Tara Lee" in found[0].message


def test_few_or_good_ratings_leave_the_attendance_rules_to_decide() -> None:
    plain = suggest_adjustments(studio(), [EARLY], history())
    assert [s.kind for s in plain] == ["move_or_reduce"]  # 35 % attended < 40 %
    assert suggest_adjustments(studio(), [EARLY], history(),
                               ratings=ratings([1, 1], 2)) == plain
    assert suggest_adjustments(studio(), [EARLY], history(),
                               ratings=ratings([4, 5, 4, 5, 4, 4], 6)) == plain
