"""Held-out evaluation of the demand model against the naive baselines a manager uses.

Baselines: (1) mean attendance per class type; (2) the same slot (class type, day, start)
averaged over the most recent weeks, falling back to (1) when the slot is new. All are
scored on whole held-out weeks, so nothing from the future leaks into training.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from scheduler.config import SchedulerSettings
from scheduler.demand import FittedDemand
from scheduler.history import ClassRecord

RECENT_WEEKS = 4
INTERVAL_Z = 1.2816  # two-sided 80 % normal interval


@dataclass(frozen=True)
class MethodScore:
    method: str
    mae: float
    rmse: float


@dataclass(frozen=True)
class DemandEvalReport:
    train_weeks: int
    test_weeks: int
    test_classes: int
    scores: list[MethodScore]
    interval_coverage_80: float

    def score(self, method: str) -> MethodScore:
        return next(s for s in self.scores if s.method == method)


def _score(method: str, pred: list[float], actual: list[int]) -> MethodScore:
    err = [p - a for p, a in zip(pred, actual, strict=True)]
    return MethodScore(method, sum(abs(e) for e in err) / len(err),
                       math.sqrt(sum(e * e for e in err) / len(err)))


def split_weeks(records: list[ClassRecord], test_weeks: int
                ) -> tuple[list[ClassRecord], list[ClassRecord]]:
    last = max(r.week for r in records)
    cut = last - test_weeks + 1
    return [r for r in records if r.week < cut], [r for r in records if r.week >= cut]


def evaluate_demand(records: list[ClassRecord], test_weeks: int = 4,
                    settings: SchedulerSettings | None = None) -> DemandEvalReport:
    """Fit on all but the last ``test_weeks`` weeks; MAE/RMSE of attendance on the rest."""
    train, test = split_weeks(records, test_weeks)
    if not train or not test:
        raise ValueError("need at least one training week and one held-out week")
    type_sum: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in train:
        type_sum[r.class_type][0] += r.attended
        type_sum[r.class_type][1] += 1
    overall = sum(r.attended for r in train) / len(train)
    type_mean = {c: a / n for c, (a, n) in type_sum.items()}
    newest = max(r.week for r in train)
    recent: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for r in train:
        if r.week > newest - RECENT_WEEKS:
            recent[r.slot].append(r.attended)
    model = FittedDemand(train, settings)
    actual = [r.attended for r in test]
    by_type = [type_mean.get(r.class_type, overall) for r in test]
    by_slot = [sum(recent[r.slot]) / len(recent[r.slot]) if recent.get(r.slot)
               else type_mean.get(r.class_type, overall) for r in test]
    fitted = [model.expected_attended(r) for r in test]
    inside = sum(abs(a - m) <= INTERVAL_Z * sd for a, (m, sd) in zip(actual, fitted, strict=True))
    return DemandEvalReport(
        train_weeks=len({r.week for r in train}),
        test_weeks=len({r.week for r in test}),
        test_classes=len(test),
        scores=[_score("model", [m for m, _ in fitted], actual),
                _score("class_type_mean", by_type, actual),
                _score("same_slot_recent", by_slot, actual)],
        interval_coverage_80=inside / len(test),
    )
