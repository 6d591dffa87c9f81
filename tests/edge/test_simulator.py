"""The simulated class behaves like a room of people, not a random number generator."""

from __future__ import annotations

import random

import pytest

from edge.simulator import SimulatedStraps, default_class_plan, make_members
from ingest.source import HeartRateSource


def run_member_trace(fitness: float, seconds: int = 1800) -> tuple[list[float], list[bool]]:
    members = make_members(1, seed=3)
    member = members[0]
    member.fitness, member.effort = fitness, 1.0
    straps = SimulatedStraps([member])
    rng = random.Random(5)
    trace, work = [], []
    for t in range(seconds):
        phase = straps.phase_at(t)
        trace.append(member.step(phase, t, 1.0, rng))
        work.append(phase.is_work)
    return trace, work


def test_the_simulator_is_a_heart_rate_source() -> None:
    assert isinstance(SimulatedStraps(make_members(2)), HeartRateSource)


def test_heart_rate_stays_between_rest_and_max() -> None:
    for member in make_members(20, seed=1):
        straps = SimulatedStraps([member])
        rng = random.Random(2)
        for t in range(0, 2700):
            hr = member.step(straps.phase_at(t), t, 1.0, rng)
            assert member.hr_rest - 5 <= hr <= member.hr_max + 3


def test_work_intervals_are_harder_than_recoveries() -> None:
    trace, work = run_member_trace(fitness=0.5)
    warm = 240  # skip the warm-up
    work_hr = [hr for hr, w in zip(trace[warm:], work[warm:], strict=True) if w]
    rest_hr = [hr for hr, w in zip(trace[warm:], work[warm:], strict=True) if not w]
    assert sum(work_hr) / len(work_hr) > sum(rest_hr) / len(rest_hr) + 10


@pytest.mark.parametrize("seconds_after_work", [30, 60])
def test_fitter_members_recover_faster(seconds_after_work: int) -> None:
    plan = default_class_plan()
    end_of_first_work = plan[0].duration_s + plan[1].duration_s
    drops = {}
    for fitness in (0.1, 0.9):
        trace, _ = run_member_trace(fitness)
        t = int(end_of_first_work)
        drops[fitness] = trace[t - 1] - trace[t - 1 + seconds_after_work]
    assert drops[0.9] > drops[0.1]


async def test_readings_carry_rr_intervals_consistent_with_the_rate() -> None:
    straps = SimulatedStraps(make_members(3), speed=1000.0, duration_s=5)
    readings = [r async for r in straps.readings()]
    assert len(readings) == 15
    for reading in readings:
        m = reading.measurement
        mean_rr = sum(m.rr_intervals_ms) / len(m.rr_intervals_ms)
        assert abs(60_000 / mean_rr - m.hr_bpm) < 0.15 * m.hr_bpm
        assert reading.source == "sim"
