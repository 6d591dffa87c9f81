"""Synthetic per-class attendance history, calibrated on the public files.

No public data set has per-class bookings with capacity, so the generator builds that
shape from: the campus-gym time-of-day x weekday curve (slot prior), GoalZone show-up
rates by category and AM/PM (centred on the studio level), class-type popularity and a
trainer effect (log-normal, drawn per studio), a persistent per-slot effect, over-dispersed
requests (gamma-Poisson), capacity censoring with a capped waitlist, no-shows and late
cancels. The drawn "truth" is returned so tests can compare what a model recovers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from scheduler.config import SchedulerSettings, load_settings
from scheduler.history import ClassRecord
from scheduler.priors import ShowUpPrior, SlotPrior
from scheduler.schemas import Instance, ScheduledClass
from scheduler.studio import Studio
from scheduler.timegrid import DAY_INDEX, to_minutes

# Spread of the hidden effects (log-normal sigmas) and the gamma shape of requests: chosen
# so week-to-week noise is visible but a class's level is learnable from a season of data.
TYPE_SIGMA = 0.25
TRAINER_SIGMA = 0.25
SLOT_SIGMA = 0.15
GAMMA_SHAPE = 12.0
LATE_CANCEL_SHARE = 0.4  # share of no-shows that cancel late rather than not showing


@dataclass
class SyntheticTruth:
    type_popularity: dict[str, float]
    trainer_effect: dict[str, float]
    slot_effect: dict[tuple[str, int, int], float]
    weekly_trend: float


@dataclass
class _Perturb:
    swap_trainer: float = 0.10
    move: float = 0.06
    skip: float = 0.04


def _weekly_timetable(base: list[ScheduledClass], studio: Studio, rng: random.Random,
                      p: _Perturb) -> list[tuple[str, int, int, str, str]]:
    """The base timetable with this week's trainer swaps, moves and cancellations."""
    week = []
    for c in base:
        if rng.random() < p.skip:
            continue
        start, trainer = to_minutes(c.start), c.trainer
        if rng.random() < p.swap_trainer:
            ctype = studio.class_types[c.class_type]
            pool = [t for t in studio.trainers.values() if studio.qualified(ctype, t)]
            trainer = rng.choice(pool).id
        if rng.random() < p.move:
            start = min(max(start + rng.choice((-120, -60, 60, 120)), 6 * 60), 21 * 60)
        week.append((c.class_type, DAY_INDEX[c.day], start, c.room, trainer))
    return week


def generate_history(
    instance: Instance,
    timetable: list[ScheduledClass],
    *,
    weeks: int,
    seed: int,
    settings: SchedulerSettings | None = None,
    waitlist_cap: int = 8,
    weekly_trend: float = 0.004,
) -> tuple[list[ClassRecord], SyntheticTruth]:
    """``weeks`` weeks of class instances around ``timetable`` and the hidden truth."""
    settings = settings or load_settings()
    studio = Studio.build(instance, settings)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    slot_prior = SlotPrior(settings.demand.slot_prior.table)
    show = ShowUpPrior(settings.demand)
    truth = SyntheticTruth(
        type_popularity={c: float(np.exp(nrng.normal(0, TYPE_SIGMA))) for c in studio.class_types},
        trainer_effect={t: float(np.exp(nrng.normal(0, TRAINER_SIGMA))) for t in studio.trainers},
        slot_effect={},
        weekly_trend=weekly_trend,
    )
    records: list[ClassRecord] = []
    for week in range(weeks):
        for ctype_id, day, start, room_id, trainer in _weekly_timetable(
            timetable, studio, rng, _Perturb()
        ):
            ctype, room = studio.class_types[ctype_id], studio.rooms[room_id]
            key = (ctype_id, day, start)
            if key not in truth.slot_effect:
                truth.slot_effect[key] = float(np.exp(nrng.normal(0, SLOT_SIGMA)))
            p_show = show.rate(ctype.category, start)
            base = ctype.base_demand or settings.defaults.base_demand
            lam = (base / settings.demand.studio_show_rate
                   * truth.type_popularity[ctype_id]
                   * slot_prior.factor(day, start, ctype.duration_min)
                   * truth.trainer_effect[trainer] * truth.slot_effect[key]
                   * (1.0 + weekly_trend * (week - weeks / 2)))
            requests = int(nrng.poisson(nrng.gamma(GAMMA_SHAPE, max(lam, 1e-9) / GAMMA_SHAPE)))
            booked = min(requests, room.capacity)
            waitlisted = min(requests - booked, waitlist_cap)
            attended = int(nrng.binomial(booked, p_show))
            late = int(nrng.binomial(booked - attended, LATE_CANCEL_SHARE))
            records.append(ClassRecord(
                week=week, class_type=ctype_id, category=ctype.category or ctype_id, day=day,
                start=start, duration_min=ctype.duration_min, room=room_id,
                capacity=room.capacity, trainer=trainer, price=ctype.revenue_weight,
                booked=booked, waitlisted=waitlisted, waitlist_cap=waitlist_cap,
                attended=attended, late_cancel=late,
            ))
    return records, truth
