"""The demand report behind ``spotter schedule demand-eval`` and the bench: a synthetic
history around a generated studio's timetable, the held-out comparison with the naive
baselines, and (when the public files are present) the show-up model's cross-validated
score and the slot prior recomputed from the campus-gym data.
"""

from __future__ import annotations

import random
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from scheduler.config import SchedulerSettings, load_settings
from scheduler.datasets import read_campus, read_campus_series, read_goalzone
from scheduler.demand import PriorDemand
from scheduler.demand_eval import evaluate_demand
from scheduler.demand_real import evaluate_real_demand
from scheduler.errors import SchedulerInputError
from scheduler.greedy import greedy_schedule
from scheduler.instances import generate_instance
from scheduler.options import OptionSet, build_options
from scheduler.priors import slot_prior_table
from scheduler.showup import evaluate_show_up
from scheduler.solve import to_classes
from scheduler.studio import Studio
from scheduler.synthetic import generate_history

GOALZONE = "goalzone_fitness_class_2212.csv"
CAMPUS = "campus_gym_crowdedness.csv"


def synthetic_history(size: str, weeks: int, seed: int,
                      settings: SchedulerSettings | None = None) -> tuple[Any, Any, Any]:
    """(instance, records, truth): a generated studio, its greedy timetable's history."""
    settings = settings or load_settings()
    instance = generate_instance(size, seed)
    studio = Studio.build(instance, settings)
    options = build_options(studio, PriorDemand(settings))
    # An existing studio timetable spreads classes over the day (morning, lunch, evening),
    # unlike a demand-greedy one that piles into the evening peak: draw one by running the
    # greedy on random priorities, so the history covers the slots a model must rank.
    rng = random.Random(seed)
    shuffled = OptionSet([replace(o, value=rng.randint(1, 10**6)) for o in options.options])
    shuffled.pinned = options.pinned
    timetable = to_classes(options, greedy_schedule(studio, shuffled))
    records, truth = generate_history(instance, timetable, weeks=weeks, seed=seed,
                                      settings=settings)
    return instance, records, truth


def demand_report(data: Path | None, *, weeks: int = 16, test_weeks: int = 4,
                  size: str = "small", seed: int = 0) -> dict[str, Any]:
    settings = load_settings()
    _, records, _ = synthetic_history(size, weeks, seed, settings)
    report = evaluate_demand(records, test_weeks, settings)
    out: dict[str, Any] = {
        "data": "synthetic", "model_mae": round(report.score("model").mae, 3),
        "baselines": {s.method: round(s.mae, 3) for s in report.scores if s.method != "model"},
        "test_weeks": report.test_weeks, "unit": "attendees per class, mean absolute error",
        "synthetic": {
            "studio": size, "seed": seed, "train_weeks": report.train_weeks,
            "test_weeks": report.test_weeks, "test_classes": report.test_classes,
            "scores": [asdict(s) for s in report.scores],
            "interval_coverage_80": round(report.interval_coverage_80, 3),
        }
    }
    if data is not None and (data / GOALZONE).is_file():
        out["show_up"] = asdict(evaluate_show_up(read_goalzone(data / GOALZONE)))
    if data is not None and (data / CAMPUS).is_file():
        table = slot_prior_table(read_campus(data / CAMPUS))
        shipped = settings.demand.slot_prior.table
        out["slot_prior_max_abs_diff_vs_config"] = round(max(
            abs(a - b) for ra, rb in zip(table, shipped, strict=True)
            for a, b in zip(ra, rb, strict=True)), 4)
    return out


def real_report(data: Path, *, test_weeks: int = 4) -> dict[str, Any]:
    """``demand-eval --data real``: the demand model and the naive baselines on the last
    ``test_weeks`` weeks of the campus-gym series (``scheduler.demand_real``), plus the
    show-up model's cross-validated score on GoalZone, the one place its bookings fit."""
    if not (data / CAMPUS).is_file():
        raise SchedulerInputError(
            [f"{data / CAMPUS} not found"],
            advice="pass --data-dir with the class-attendance folder of the shared data "
                   "(campus_gym_crowdedness.csv, goalzone_fitness_class_2212.csv)")
    report = evaluate_real_demand(read_campus_series(data / CAMPUS), test_weeks)
    out: dict[str, Any] = {
        "model_mae": report.model_mae, "baselines": report.baselines,
        "test_weeks": report.test_weeks, "test_slots": report.test_slots,
        "train_weeks": report.train_weeks, "data": CAMPUS,
        "unit": "people per opening hour (06-22), mean absolute error",
        "method": "rolling one-week-ahead: each held-out week is forecast from the weeks "
                  "before it only",
        "weeks": [{"week_start": w.week_start.isoformat(), "slots": w.slots,
                   "period": w.period, "model_mae": w.model_mae, "baselines": w.baselines}
                  for w in report.weeks],
    }
    if (data / GOALZONE).is_file():
        out["show_up"] = {
            **asdict(evaluate_show_up(read_goalzone(data / GOALZONE))),
            "note": "GoalZone bookings have no dates, so no week can be held out; they "
                    "train and cross-validate the show-up model only"}
    return out
