"""Lookahead: a trainer's leave recorded after publishing gives each hit class of the next
days the smallest change (substitute, else move, else cancel), and every proposal passes
the independent validator on its dated week."""

from __future__ import annotations

from datetime import date

from scheduler.dates import date_range, occurrences
from scheduler.lookahead import DatedClass, Leave, lookahead
from scheduler.schemas import Instance, Schedule, ScheduledClass
from scheduler.validation import validate_schedule

from .conftest import make_instance

MONDAY = date(2031, 3, 3)
DAYS = ["Mon", "Tue", "Wed"]
OPEN = [{"day": d, "start": "08:00", "end": "12:00"} for d in DAYS]
NAMES = {"trainers": {"tara": "Tara Lee", "sam": "Sam Coach"},
         "class_types": {"yoga": "Yoga"}, "rooms": {"A": "Studio A"}}


def studio(sam_teaches_yoga: bool = True, sam_days: list[str] | None = None) -> Instance:
    sam_days = sam_days if sam_days is not None else DAYS
    return make_instance(
        slot_minutes=60, changeover_min=0, opening_hours=OPEN,
        rooms=[{"id": "A", "capacity": 12}],
        class_types=[{"id": "yoga", "duration_min": 60, "qualification": "yoga",
                      "min_sessions": 2, "max_sessions": 3}],
        trainers=[{"id": "tara", "qualifications": ["yoga"], "availability": OPEN},
                  {"id": "sam", "qualifications": ["yoga"] if sam_teaches_yoga else [],
                   "availability": [w for w in OPEN if w["day"] in sam_days]}])


WEEK = [ScheduledClass(class_type="yoga", room="A", trainer="tara", day="Mon", start="09:00",
                       end="10:00"),
        ScheduledClass(class_type="yoga", room="A", trainer="tara", day="Wed", start="09:00",
                       end="10:00")]


def dated(weeks: int = 1) -> list[DatedClass]:
    laid = occurrences(WEEK, date_range(MONDAY, weeks=weeks), closures=set())
    return [DatedClass(f"s{k}", o.on, o.cls, booked=6) for k, o in enumerate(laid.occurrences)]


def week_after(inst: Instance, classes: list[DatedClass], proposals: list) -> list:  # type: ignore[type-arg]
    """The dated week with every proposal applied, as the validator sees it."""
    by_id = {p.session_id: p for p in proposals}
    out = []
    for d in classes:
        p = by_id.get(d.session_id)
        if p is None:
            out.append(d.cls)
        elif p.after is not None:
            out.append(p.after)
    return out


def test_leave_after_publishing_gets_a_substitute_that_passes_the_validator() -> None:
    inst, classes = studio(), dated()
    leave = [Leave("tara", date(2031, 3, 5), date(2031, 3, 7), "course")]
    found = lookahead(inst, classes, leave, today=MONDAY, days=14, names=NAMES)
    assert [(p.on, p.kind) for p in found] == [(date(2031, 3, 5), "substitute")]
    p = found[0]
    assert p.after is not None and p.after.trainer == "sam"
    assert (p.after.day, p.after.start, p.after.room) == ("Wed", "09:00", "A")
    assert p.violations == [] and p.booked == 6
    assert "Tara Lee is on leave 05 Mar–07 Mar (course)" in p.reason
    assert "Sam Coach is qualified and free" in p.reason
    # the whole dated week after the change, with Tara's leave cut from Wednesday
    data = inst.model_dump()
    data["trainers"][0]["availability"] = [w for w in OPEN if w["day"] != "Wed"]
    cut = Instance.model_validate(data)
    assert validate_schedule(cut, Schedule(classes=week_after(inst, classes, found))) == []


def test_no_qualified_substitute_moves_the_class_to_when_the_trainer_is_back() -> None:
    found = lookahead(studio(sam_teaches_yoga=False), dated(),
                      [Leave("tara", date(2031, 3, 5), date(2031, 3, 5))],
                      today=MONDAY, days=7, names=NAMES)
    assert [p.kind for p in found] == ["move"]
    p = found[0]
    assert p.after is not None and p.after.trainer == "tara" and p.after_on is not None
    assert p.after_on != date(2031, 3, 5) and p.after_on > MONDAY  # not today, not away
    assert p.violations == []
    assert "6 booked member(s) are told of the move" in p.reason


def test_nobody_and_no_time_left_cancels_with_notice() -> None:
    found = lookahead(studio(sam_teaches_yoga=False), dated(),
                      [Leave("tara", MONDAY, date(2031, 3, 9))], today=MONDAY, days=7)
    assert [p.kind for p in found] == ["cancel", "cancel"]
    assert all(p.after is None and "6 booked member(s) are told" in p.reason for p in found)


def test_only_the_next_days_are_looked_at_and_closures_are_not_move_targets() -> None:
    classes = dated(weeks=2)
    leave = [Leave("tara", date(2031, 3, 5), date(2031, 3, 12))]
    soon = lookahead(studio(), classes, leave, today=MONDAY, days=2)
    assert soon == []  # Wednesday 5 March is outside [3 March, 3 March + 2 days)
    both = lookahead(studio(), classes, leave, today=MONDAY, days=14)
    assert [p.on for p in both] == [date(2031, 3, 5), date(2031, 3, 10), date(2031, 3, 12)]
    moved = lookahead(studio(sam_teaches_yoga=False), classes,
                      [Leave("tara", date(2031, 3, 5), date(2031, 3, 5))], today=MONDAY,
                      days=7, closures={date(2031, 3, 4), date(2031, 3, 6)})
    assert moved[0].after_on not in (date(2031, 3, 4), date(2031, 3, 6))


def test_two_absences_never_share_a_substitute_at_clashing_times() -> None:
    inst = make_instance(
        slot_minutes=60, changeover_min=0, opening_hours=OPEN,
        rooms=[{"id": "A", "capacity": 12}, {"id": "B", "capacity": 12}],
        class_types=[{"id": "yoga", "duration_min": 60, "qualification": "yoga",
                      "max_sessions": 4}],
        trainers=[{"id": t, "qualifications": ["yoga"], "availability": OPEN}
                  for t in ("tara", "una", "sam")])
    week = [ScheduledClass(class_type="yoga", room=r, trainer=t, day="Mon", start="10:00",
                           end="11:00") for r, t in (("A", "tara"), ("B", "una"))]
    classes = [DatedClass(f"s{k}", MONDAY, c) for k, c in enumerate(week)]
    found = lookahead(inst, classes, [Leave("tara", MONDAY, MONDAY), Leave("una", MONDAY,
                                                                            MONDAY)],
                      today=MONDAY, days=1)
    first, second = found
    assert first.kind == "substitute" and first.after is not None
    assert first.after.trainer == "sam"
    # Sam is taken at 10:00: the second class moves to a later day instead
    assert second.kind == "move" and second.after_on is not None and second.after_on > MONDAY
    assert second.violations == []
