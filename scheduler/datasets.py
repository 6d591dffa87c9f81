"""Thin readers of the public attendance files and of class-history CSVs.

This is the scheduler's only file I/O; everything it returns is plain rows, handed to the
pure model code. Paths are always passed in: the shared data is never copied into the repo.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path

from scheduler.errors import SchedulerInputError
from scheduler.history import Booking, ClassRecord, OccupancySample

_DAY_FIX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _day(raw: str) -> int | None:
    """GoalZone's day column has dirty variants ('Wednesday', 'Fri.', 'Monday')."""
    return _DAY_FIX.get(raw.strip().lower().rstrip(".")[:3])


def read_goalzone(path: Path) -> list[Booking]:
    """Bookings of goalzone_fitness_class_2212.csv; rows with unknown day/category skipped."""
    out = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                day = _day(row["day_of_week"])
                category = row["category"].strip()
                if day is None or category in ("", "-"):
                    continue
                out.append(Booking(
                    category=category, day=day, pm=row["time"].strip().upper() == "PM",
                    lead_days=int(row["day_before"].split()[0]),
                    months_member=int(row["months_as_member"]),
                    attended=row["attended"].strip() == "1",
                ))
    except (OSError, KeyError, ValueError) as exc:
        raise SchedulerInputError([f"{path}: {exc}"],
                                  advice="pass the GoalZone bookings CSV") from exc
    return out


def read_campus(path: Path) -> list[tuple[int, int, float]]:
    """(day_of_week, hour, number_people) rows of campus_gym_crowdedness.csv."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return [(int(r["day_of_week"]), int(r["hour"]), float(r["number_people"]))
                    for r in csv.DictReader(fh)]
    except (OSError, KeyError, ValueError) as exc:
        raise SchedulerInputError([f"{path}: {exc}"],
                                  advice="pass the campus gym occupancy CSV") from exc


def read_campus_series(path: Path) -> list[OccupancySample]:
    """Dated occupancy samples of campus_gym_crowdedness.csv, in local (gym) time."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return [OccupancySample(
                day=datetime.fromisoformat(r["date"]).date(), hour=int(r["hour"]),
                people=float(r["number_people"]), term=r["is_during_semester"].strip() == "1",
                holiday=r["is_holiday"].strip() == "1") for r in csv.DictReader(fh)]
    except (OSError, KeyError, ValueError) as exc:
        raise SchedulerInputError([f"{path}: {exc}"],
                                  advice="pass the campus gym occupancy CSV") from exc


def read_history(path: Path) -> list[ClassRecord]:
    """Class-level history rows (the shape ``write_history`` writes)."""
    names = [f.name for f in fields(ClassRecord)]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return [ClassRecord.from_row({k: r.get(k, "") for k in names}) for r in rows]
    except (OSError, KeyError, ValueError) as exc:
        raise SchedulerInputError(
            [f"{path}: {exc}"], advice=f"history CSV needs the columns {', '.join(names)}"
        ) from exc


def write_history(path: Path, records: list[ClassRecord]) -> None:
    names = [f.name for f in fields(ClassRecord)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        for rec in records:
            writer.writerow(asdict(rec))
