"""Predicted attendance per (class type, weekday, start, trainer): prior, given or learned.

The optimiser only asks a ``DemandPredictor`` for the *uncapped* expected attendance of a
candidate class; it caps that by the room's capacity itself. Three predictors exist:
``PriorDemand`` (configs only: works with no data at all), ``GivenDemand`` (numbers in the
instance) and ``FittedDemand`` (learned from class history, see ``fit_demand``).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import structlog
from scipy.stats import poisson
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from threadpoolctl import threadpool_limits

from scheduler.config import SchedulerSettings, load_settings
from scheduler.history import ClassRecord
from scheduler.priors import ShowUpPrior, SlotPrior
from scheduler.schemas import ClassType, Instance, Trainer
from scheduler.timegrid import DAY_INDEX, to_minutes

log = structlog.get_logger(__name__)

PRIOR_RELATIVE_SD = 0.3  # prior demand is a guess: +-30 % (1 sd) on top of Poisson noise
SHOW_RATE_PRIOR_WEIGHT = 50.0  # bookings' worth of weight given to the prior show rate
EM_ROUNDS = 4  # censored-row imputation rounds; the fit stops moving after ~3


@dataclass(frozen=True)
class DemandEstimate:
    mean: float
    std: float


class DemandPredictor(Protocol):
    def predict(self, ctype: ClassType, day: int, start: int, trainer: Trainer | None
                ) -> DemandEstimate: ...


class PriorDemand:
    """Base demand of the class type x slot attractiveness x trainer popularity."""

    def __init__(self, settings: SchedulerSettings | None = None) -> None:
        self.settings = settings or load_settings()
        self.slot_prior = SlotPrior(self.settings.demand.slot_prior.table)

    def predict(self, ctype: ClassType, day: int, start: int, trainer: Trainer | None
                ) -> DemandEstimate:
        base = ctype.base_demand if ctype.base_demand is not None else (
            self.settings.defaults.base_demand)
        mean = base * self.slot_prior.factor(day, start, ctype.duration_min)
        mean *= trainer.popularity if trainer is not None else 1.0
        return DemandEstimate(mean, math.sqrt(mean + (PRIOR_RELATIVE_SD * mean) ** 2))


class GivenDemand:
    """The instance's demand table; starts it does not list fall back to ``fallback``."""

    def __init__(self, instance: Instance, fallback: DemandPredictor) -> None:
        self.table = {(e.class_type, DAY_INDEX[e.day], to_minutes(e.start)): e
                      for e in instance.demand or []}
        self.fallback = fallback

    def predict(self, ctype: ClassType, day: int, start: int, trainer: Trainer | None
                ) -> DemandEstimate:
        entry = self.table.get((ctype.id, day, start))
        if entry is None:
            return self.fallback.predict(ctype, day, start, trainer)
        mean = entry.expected * (trainer.popularity if trainer is not None else 1.0)
        std = entry.std if entry.std is not None else math.sqrt(mean)
        return DemandEstimate(mean, std)


def _time_bin(start: int) -> int:
    return min(start // 180, 7)  # 3-hour bins: night, early, morning, midday, ...


class _Design:
    """One-hot class type, weekday, 3-h bin and trainer, plus the log slot prior."""

    def __init__(self, records: list[ClassRecord], slot_prior: SlotPrior) -> None:
        self.types = sorted({r.class_type for r in records})
        self.trainers = sorted({r.trainer for r in records})
        self.slot_prior = slot_prior
        self.width = len(self.types) + 7 + 8 + len(self.trainers) + 1

    def row(self, ctype: str, day: int, start: int, duration: int, trainer: str | None
            ) -> npt.NDArray[np.float64]:
        x = np.zeros(self.width)
        if ctype in self.types:
            x[self.types.index(ctype)] = 1.0
        off = len(self.types)
        x[off + day] = 1.0
        x[off + 7 + _time_bin(start)] = 1.0
        if trainer in self.trainers:
            x[off + 15 + self.trainers.index(trainer)] = 1.0
        x[-1] = math.log(self.slot_prior.factor(day, start, duration))
        return x


class FittedDemand:
    """Poisson GLM of booking requests with capacity-censoring EM, an empirical-Bayes
    per-slot effect and per-class-type show rates; attendance = requests x show rate."""

    def __init__(self, records: list[ClassRecord], settings: SchedulerSettings | None = None,
                 fallback: DemandPredictor | None = None) -> None:
        if not records:
            raise ValueError("no class history to fit demand on")
        self.settings = settings or load_settings()
        self.fallback = fallback or PriorDemand(self.settings)
        self.design = _Design(records, SlotPrior(self.settings.demand.slot_prior.table))
        x = np.array([self.design.row(r.class_type, r.day, r.start, r.duration_min, r.trainer)
                      for r in records])
        # Constant columns (one class type, one day...) duplicate the intercept and stall
        # the Newton solver: fit only on columns that vary.
        self.keep = x.std(axis=0) > 0
        self.keep[-1] = True  # the sklearn GLM needs one column; the L2 term keeps it harmless
        x = x[:, self.keep]
        y = np.array([r.requests for r in records], dtype=float)
        censored = np.array([r.censored for r in records])
        self.glm = PoissonRegressor(alpha=self.settings.demand.glm_alpha,
                                    solver="newton-cholesky", max_iter=100)
        target = y.copy()
        for _ in range(EM_ROUNDS if censored.any() else 1):
            # One BLAS thread: tiny matrices, and a shared box's thread pool is 10x slower.
            with warnings.catch_warnings(record=True) as caught, threadpool_limits(1, "blas"):
                # On tiny, collinear designs Newton's line search may give up and sklearn
                # finishes with lbfgs itself; that is expected, not a user-facing problem.
                warnings.simplefilter("always", ConvergenceWarning)
                self.glm.fit(x, target)
            if caught:
                log.debug("scheduler.demand.glm_fallback", messages=len(caught))
            mu = self.glm.predict(x)
            # E[R | R >= k] for Poisson(mu) = mu * P(R >= k-1) / P(R >= k)
            k = y[censored]
            tail = poisson.sf(k - 1, mu[censored])
            target[censored] = np.maximum(k, mu[censored] * poisson.sf(k - 2, mu[censored])
                                          / np.maximum(tail, 1e-12))
        mu = self.glm.predict(x)
        free = ~censored
        dof = max(int(free.sum()) - x.shape[1], 1)
        self.dispersion = max(float(((y[free] - mu[free]) ** 2 / mu[free]).sum() / dof), 1.0)
        alpha = self.settings.demand.slot_effect_prior
        sums: dict[tuple[str, int, int], list[float]] = {}
        for r, t, m in zip(records, target, mu, strict=True):
            acc = sums.setdefault(r.slot, [0.0, 0.0])
            acc[0] += t
            acc[1] += m
        self.slot_effect = {k: (alpha + a) / (alpha + b) for k, (a, b) in sums.items()}
        prior = ShowUpPrior(self.settings.demand)
        shows: dict[str, list[float]] = {}
        for r in records:
            acc = shows.setdefault(r.class_type, [0.0, 0.0, prior.rate(r.category, r.start)])
            acc[0] += r.attended
            acc[1] += r.booked
        w = SHOW_RATE_PRIOR_WEIGHT
        self.show_rate = {c: (a + w * p0) / (b + w) for c, (a, b, p0) in shows.items()}
        self.weeks = _week_sums(records, target, [
            m * self.slot_effect.get(r.slot, 1.0) for r, m in zip(records, mu, strict=True)])
        self.level = 1.0
        self.level = self.level_for(None)

    def level_for(self, period: str | None) -> float:
        """Demand level now against the fitted shape: observed / fitted requests of the
        newest ``level_weeks`` weeks (of ``period`` when some weeks carry it), shrunk
        towards 1 by ``level_prior`` requests' worth of weight (empirical Bayes)."""
        cfg = self.settings.demand
        newest = sorted(self.weeks.values(), key=lambda w: -w.week)
        if period and any(w.period == period for w in newest):
            newest = [w for w in newest if w.period == period]
        recent = newest[:cfg.level_weeks]
        observed = sum(w.observed for w in recent)
        fitted = sum(w.fitted for w in recent)
        return (observed + cfg.level_prior) / (fitted + cfg.level_prior)

    def requests(self, ctype: str, day: int, start: int, duration: int, trainer: str | None
                 ) -> float:
        x = self.design.row(ctype, day, start, duration, trainer)[self.keep]
        mu = float(self.glm.predict(x[None, :])[0])
        return mu * self.slot_effect.get((ctype, day, start), 1.0) * self.level

    def predict(self, ctype: ClassType, day: int, start: int, trainer: Trainer | None
                ) -> DemandEstimate:
        if ctype.id not in self.design.types:
            return self.fallback.predict(ctype, day, start, trainer)
        tid = trainer.id if trainer is not None else None
        mu = self.requests(ctype.id, day, start, ctype.duration_min, tid)
        if trainer is not None and tid not in self.design.trainers:
            mu *= trainer.popularity
        show = self.show_rate[ctype.id]
        var = show * show * self.dispersion * mu + mu * show * (1 - show)
        return DemandEstimate(mu * show, math.sqrt(var))

    def expected_attended(self, rec: ClassRecord) -> tuple[float, float]:
        """Mean and sd of attendance of a class with known capacity: E[min(R, cap)] x show."""
        mu = self.requests(rec.class_type, rec.day, rec.start, rec.duration_min, rec.trainer)
        show = self.show_rate.get(rec.class_type, self.settings.demand.studio_show_rate)
        ks = np.arange(rec.capacity)
        tail = poisson.sf(ks, mu)  # P(R > k)
        booked = float(tail.sum())  # E[min(R, c)] = sum_{k<c} P(R > k)
        second = float(((2 * ks + 1) * tail).sum())  # E[min(R, c)^2]
        var_booked = self.dispersion * max(second - booked * booked, 0.0)
        sd = math.sqrt(show * show * var_booked + booked * show * (1 - show))
        return booked * show, sd


@dataclass
class _WeekSums:
    week: int
    observed: float = 0.0
    fitted: float = 0.0
    period: str = ""


def _week_sums(records: list[ClassRecord], observed: npt.NDArray[np.float64],
               fitted: list[float]) -> dict[int, _WeekSums]:
    """Observed and fitted requests per week, and the week's most common period tag."""
    weeks: dict[int, _WeekSums] = {}
    periods: dict[int, Counter[str]] = {}
    for r, y, f in zip(records, observed, fitted, strict=True):
        acc = weeks.setdefault(r.week, _WeekSums(r.week))
        acc.observed += float(y)
        acc.fitted += f
        periods.setdefault(r.week, Counter())[r.period] += 1
    for week, acc in weeks.items():
        acc.period = periods[week].most_common(1)[0][0]
    return weeks


def demand_for(instance: Instance, records: list[ClassRecord] | None = None,
               settings: SchedulerSettings | None = None) -> DemandPredictor:
    """The predictor the optimiser uses: instance table > fitted history > priors."""
    base: DemandPredictor = PriorDemand(settings)
    if records:
        base = FittedDemand(records, settings, fallback=base)
    if instance.demand:
        return GivenDemand(instance, base)
    return base
