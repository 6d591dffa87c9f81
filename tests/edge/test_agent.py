"""How the edge agent turns strap readings into wire records."""

from __future__ import annotations

from edge.agent import EdgeAgent, pair_simulated
from edge.simulator import SimulatedStraps, make_members
from ingest.source import HeartRateMeasurement, StrapReading
from streams.records import RosterEntry


def reading(strap: str, hr: int = 120, at: float = 1_700_000_000.0) -> StrapReading:
    return StrapReading(strap, HeartRateMeasurement(hr_bpm=hr, rr_intervals_ms=(500.0,)),
                        received_monotonic=1.0, received_wall=at, source="chest")


def agent(roster: list[RosterEntry]) -> EdgeAgent:
    return EdgeAgent("c1", SimulatedStraps(make_members(1)), publisher=None,  # type: ignore[arg-type]
                     roster=roster)


ROSTER = [RosterEntry(class_session_id="c1", member_id="ann", display_name="Ann", strap_id="AA"),
          RosterEntry(class_session_id="c1", member_id="bo", display_name="Bo", strap_id="BB")]


def test_each_strap_numbers_its_own_samples_from_zero() -> None:
    edge = agent(ROSTER)
    seqs = [(s.member_id, s.seq) for s in
            (edge.to_sample(reading(x)) for x in ["AA", "BB", "AA", "AA", "BB"]) if s]
    assert seqs == [("ann", 0), ("bo", 0), ("ann", 1), ("ann", 2), ("bo", 1)]


def test_samples_keep_the_arrival_time_and_measurement() -> None:
    sample = agent(ROSTER).to_sample(reading("AA", hr=151, at=1_700_000_123.25))
    assert sample is not None
    assert (sample.member_id, sample.hr_bpm, sample.event_time) == ("ann", 151, 1_700_000_123.25)
    assert sample.rr_intervals_ms == [500.0] and sample.source == "chest"


def test_unknown_straps_are_reported_not_published() -> None:
    edge = agent(ROSTER)
    assert edge.to_sample(reading("ZZ")) is None
    assert edge.to_sample(reading("ZZ")) is None
    assert edge.unknown_straps == {"ZZ"}
    assert "ZZ" not in edge.sequences


def test_simulated_straps_pair_in_roster_order() -> None:
    paired = pair_simulated(ROSTER, ["sim-01", "sim-02", "sim-03"])
    assert [(e.member_id, e.strap_id) for e in paired] == [("ann", "sim-01"), ("bo", "sim-02")]
