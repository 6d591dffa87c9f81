"""Demand: priors without data, the synthetic history's invariants, censoring, the
held-out comparison with naive baselines, and (with the shared data) the fitted priors."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import load_settings
from scheduler.datasets import read_campus, read_goalzone
from scheduler.demand import FittedDemand, GivenDemand, PriorDemand
from scheduler.demand_eval import evaluate_demand
from scheduler.evaluation import synthetic_history
from scheduler.history import ClassRecord
from scheduler.priors import ShowUpPrior, slot_prior_table
from scheduler.showup import ShowUpModel, evaluate_show_up
from scheduler.synthetic import generate_history

from .conftest import make_instance

MON = 0


def test_prior_demand_follows_the_day_curve_and_trainer() -> None:
    inst = make_instance()
    yoga, tara = inst.class_types[0], inst.trainers[0]
    prior = PriorDemand()
    early = prior.predict(yoga, MON, 6 * 60, None).mean
    evening = prior.predict(yoga, MON, 18 * 60, None).mean
    assert evening > 2 * early
    star = tara.model_copy(update={"popularity": 1.5})
    assert prior.predict(yoga, MON, 18 * 60, star).mean == pytest.approx(1.5 * evening)
    assert prior.predict(yoga, MON, 18 * 60, None).std > 0


def test_given_demand_overrides_and_falls_back() -> None:
    inst = make_instance(demand=[{"class_type": "Yoga", "day": "Mon", "start": "08:00",
                                  "expected": 17.0, "std": 2.0}])
    given = GivenDemand(inst, PriorDemand())
    yoga = inst.class_types[0]
    assert given.predict(yoga, MON, 8 * 60, None).mean == 17.0
    assert given.predict(yoga, MON, 9 * 60, None) == PriorDemand().predict(yoga, MON, 9 * 60,
                                                                         None)


def test_show_up_prior_keeps_goalzone_order_at_studio_level() -> None:
    prior = ShowUpPrior(load_settings().demand, level=0.85)
    assert prior.rate("HIIT", 9 * 60) > prior.rate("Strength", 9 * 60)
    assert prior.rate("HIIT", 9 * 60) > prior.rate("HIIT", 18 * 60)  # AM beats PM
    assert 0.8 < prior.rate(None, 11 * 60) < 0.9


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_history_invariants(seed: int) -> None:
    _, records, truth = synthetic_history("tiny", weeks=6, seed=seed)
    assert records and {r.week for r in records} == set(range(6))
    for r in records:
        assert 0 <= r.attended <= r.booked <= r.capacity
        assert r.late_cancel <= r.booked - r.attended
        assert r.waitlisted <= r.waitlist_cap
        if r.waitlisted:
            assert r.booked == r.capacity  # only full classes have a waitlist
    assert all(v > 0 for v in truth.trainer_effect.values())


def test_censoring_is_undone_by_the_em_fit() -> None:
    """No waitlist at all and demand far above capacity: bookings sit at capacity, yet the
    fitted request level must exceed it (the censored tail is imputed)."""
    inst = make_instance(rooms=[{"id": "A", "capacity": 6, "features": ["mats"]}],
                         class_types=[{"id": "Yoga", "duration_min": 60, "max_sessions": 3,
                                       "required_features": ["mats"], "base_demand": 25.0}])
    from scheduler.schemas import ScheduledClass

    week = [ScheduledClass(class_type="Yoga", room="A", trainer="Tara", day="Mon",
                           start=s, end=e) for s, e in (("08:00", "09:00"), ("10:00", "11:00"))]
    records, _ = generate_history(inst, week, weeks=10, seed=3, waitlist_cap=0)
    assert all(r.booked == 6 and r.censored for r in records)
    model = FittedDemand(records)
    assert model.requests("Yoga", MON, 10 * 60, 60, "Tara") > 6 * 1.5


@pytest.mark.parametrize("seed", [0, 1])
def test_model_beats_naive_baselines_on_held_out_weeks(seed: int) -> None:
    _, records, _ = synthetic_history("small", weeks=16, seed=seed)
    report = evaluate_demand(records, test_weeks=4)
    model = report.score("model").mae
    assert model < report.score("class_type_mean").mae
    assert model < report.score("same_slot_recent").mae
    assert 0.6 < report.interval_coverage_80 < 0.95  # the stated 80 % band is roughly honest
    assert report.test_weeks == 4 and report.train_weeks == 12


def test_history_rows_round_trip_through_csv(tmp_path: Path) -> None:
    from scheduler.datasets import read_history, write_history

    _, records, _ = synthetic_history("tiny", weeks=2, seed=0)
    write_history(tmp_path / "h.csv", records)
    assert read_history(tmp_path / "h.csv") == records
    assert isinstance(records[0], ClassRecord)


def test_shipped_slot_prior_matches_the_campus_data(shared_data: Path) -> None:
    table = slot_prior_table(read_campus(shared_data / "class-attendance" /
                                         "campus_gym_crowdedness.csv"))
    shipped = load_settings().demand.slot_prior.table
    assert max(abs(a - b) for ra, rb in zip(table, shipped, strict=True)
               for a, b in zip(ra, rb, strict=True)) < 0.002


def test_show_up_model_on_goalzone(shared_data: Path) -> None:
    bookings = read_goalzone(shared_data / "class-attendance" /
                             "goalzone_fitness_class_2212.csv")
    assert len(bookings) > 1400  # a few rows with unknown category are skipped
    report = evaluate_show_up(bookings)
    assert report.cv_log_loss < report.base_rate_log_loss
    assert report.cv_auc > 0.6
    rates = ShowUpModel(sorted({b.category for b in bookings})).fit(bookings).to_rates(bookings)
    shipped = load_settings().demand.show_up_prior
    for key in ("overall", "HIIT", "Cycling", "Strength", "Yoga", "Aqua", "AM", "PM"):
        assert rates[key] == pytest.approx(shipped[key], abs=0.01)
