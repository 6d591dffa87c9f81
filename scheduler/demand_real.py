"""The demand model against naive baselines on real attendance, held out by week.

No public data set has per-class bookings (``../shared/data/class-attendance/README.md``),
so the real test is the one dated series of people per hour there is: the campus-gym
occupancy counts. Each (date, opening hour) becomes one class record of a single class type
in a single room with no capacity limit: its request count is the hour's mean head count.
The scheduler's own ``FittedDemand`` is fitted on those records exactly as on a studio's
class history; nothing in it is specific to this file.

The last ``test_weeks`` weeks are held out and forecast one week ahead each (a rolling
origin, as a studio plans next week): for every held-out week the model and both baselines
see only the weeks before it. The slot prior the model uses as a feature is recomputed
from those weeks too (the shipped table was derived from the whole file, so using it would
leak the held-out weeks). The calendar of the held-out week (term or break) is known in
advance and may be used; its head counts are not.

Baselines, the two a manager would use:
- ``same_slot_last_week``: the same weekday and hour in the newest earlier week that has it
  (the file has gaps, so "last week" may be older);
- ``slot_mean``: the mean of that weekday and hour over every earlier week.

GoalZone's bookings carry no dates, so they cannot be held out by week; they fit the
show-up model, whose cross-validated score ``demand_report`` reports beside this.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from scheduler.config import SchedulerSettings, SlotPrior, load_settings
from scheduler.demand import FittedDemand
from scheduler.history import NO_WAITLIST_CAP, ClassRecord, OccupancySample
from scheduler.priors import slot_prior_table

OPEN_HOURS = (6, 22)  # hours a studio is usually open (the slot prior's window too)
GYM = "gym"
UNLIMITED = 10**6  # the gym floor has no booking cap: no capacity censoring
TERM, BREAK = "term", "break"


def week_of(day: date) -> int:
    """Week number of the Monday on or before ``day`` (0001-01-01 was a Monday)."""
    return (day.toordinal() - 1) // 7


@dataclass(frozen=True)
class WeekScore:
    week_start: date
    slots: int
    period: str
    model_mae: float
    baselines: dict[str, float]


@dataclass(frozen=True)
class RealDemandReport:
    model_mae: float
    baselines: dict[str, float]
    test_weeks: int
    test_slots: int
    train_weeks: int
    weeks: list[WeekScore] = field(default_factory=list)


def hourly_records(samples: list[OccupancySample]) -> list[ClassRecord]:
    """One record per (date, opening hour): the hour's mean head count, rounded."""
    people: dict[tuple[date, int], list[float]] = defaultdict(list)
    term: dict[date, bool] = {}
    for s in samples:
        term[s.day] = s.term
        if OPEN_HOURS[0] <= s.hour < OPEN_HOURS[1]:
            people[(s.day, s.hour)].append(s.people)
    records = []
    for (day, hour), counts in sorted(people.items()):
        n = round(sum(counts) / len(counts))
        records.append(ClassRecord(
            week=week_of(day), class_type=GYM, category=GYM, day=day.weekday(),
            start=hour * 60, duration_min=60, room=GYM, capacity=UNLIMITED, trainer=GYM,
            price=0.0, booked=n, waitlisted=0, waitlist_cap=NO_WAITLIST_CAP, attended=n,
            late_cancel=0, period=TERM if term[day] else BREAK))
    return records


def _mae(pred: list[float], actual: list[int]) -> float:
    return sum(abs(p - a) for p, a in zip(pred, actual, strict=True)) / len(actual)


def _baselines(train: list[ClassRecord], test: list[ClassRecord]) -> dict[str, list[float]]:
    by_slot: dict[tuple[int, int], list[ClassRecord]] = defaultdict(list)
    for r in train:
        by_slot[(r.day, r.start)].append(r)
    overall = sum(r.requests for r in train) / len(train)
    last, mean = [], []
    for r in test:
        seen = by_slot.get((r.day, r.start))
        if not seen:
            last.append(overall)
            mean.append(overall)
            continue
        newest = max(x.week for x in seen)
        latest = [x.requests for x in seen if x.week == newest]
        last.append(sum(latest) / len(latest))
        mean.append(sum(x.requests for x in seen) / len(seen))
    return {"same_slot_last_week": last, "slot_mean": mean}


def _train_settings(samples: list[OccupancySample], before: date,
                    settings: SchedulerSettings) -> SchedulerSettings:
    """``settings`` with the slot prior recomputed from the samples before ``before``."""
    table = slot_prior_table((s.day.weekday(), s.hour, s.people) for s in samples
                             if s.day < before)
    demand = settings.demand.model_copy(update={"slot_prior": SlotPrior(table=table)})
    return settings.model_copy(update={"demand": demand})


def evaluate_real_demand(samples: list[OccupancySample], test_weeks: int = 4,
                         settings: SchedulerSettings | None = None) -> RealDemandReport:
    """Rolling one-week-ahead MAE (people per opening hour) over the last ``test_weeks``."""
    settings = settings or load_settings()
    records = hourly_records(samples)
    weeks = sorted({r.week for r in records})
    if test_weeks < 1 or len(weeks) <= test_weeks:
        raise ValueError(f"need more than {test_weeks} weeks of data; the series has "
                         f"{len(weeks)}")
    held = weeks[-test_weeks:]
    scores: list[WeekScore] = []
    actual_all: list[int] = []
    pred_all: dict[str, list[float]] = defaultdict(list)
    for week in held:
        train = [r for r in records if r.week < week]
        test = [r for r in records if r.week == week]
        monday = date.fromordinal(week * 7 + 1)
        model = FittedDemand(train, _train_settings(samples, monday, settings))
        period = Counter(r.period for r in test).most_common(1)[0][0]
        model.level = 1.0
        model.level = model.level_for(period)
        predicted = [model.requests(GYM, r.day, r.start, r.duration_min, GYM) for r in test]
        actual = [r.requests for r in test]
        naive = _baselines(train, test)
        scores.append(WeekScore(
            week_start=monday, slots=len(test), period=period,
            model_mae=round(_mae(predicted, actual), 3),
            baselines={k: round(_mae(v, actual), 3) for k, v in naive.items()}))
        actual_all += actual
        pred_all["model"] += predicted
        for k, v in naive.items():
            pred_all[k] += v
    return RealDemandReport(
        model_mae=round(_mae(pred_all.pop("model"), actual_all), 3),
        baselines={k: round(_mae(v, actual_all), 3) for k, v in pred_all.items()},
        test_weeks=len(held), test_slots=len(actual_all),
        train_weeks=len([w for w in weeks if w < held[0]]), weeks=scores)
