"""How the edge agent turns strap readings into wire records."""

from __future__ import annotations

import asyncio
from typing import Any

from contract.records import RosterEntry
from edge.agent import EdgeAgent, pair_simulated
from edge.simulator import SimulatedStraps, make_members
from ingest.source import HeartRateMeasurement, StrapReading


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


class Recorder:
    """Collects what the agent publishes (the agent's side of the Publisher interface)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, Any]] = []

    async def publish(self, topic: str, key: str, record: object,
                      produced_at: float | None = None) -> None:
        self.records.append((topic, key, record))


def test_strap_spellings_are_one_strap() -> None:
    edge = agent([RosterEntry(class_session_id="c1", member_id="ann", display_name="Ann",
                              strap_id="c0:ff:ee:00:00:01")])
    first = edge.to_sample(reading("C0-FF-EE-00-00-01"))
    second = edge.to_sample(reading("c0:ff:ee:00:00:01"))
    assert first is not None and second is not None
    assert (first.strap_id, first.seq, second.seq) == ("C0:FF:EE:00:00:01", 0, 1)


async def test_a_run_announces_the_class_then_samples_then_the_end() -> None:
    recorder = Recorder()
    source = SimulatedStraps(make_members(2), speed=1000.0, duration_s=3)
    edge = EdgeAgent("c1", source, recorder, pair_simulated(ROSTER, ["sim-01", "sim-02"]))
    await edge.run(end_when_exhausted=True)
    kinds = [r.kind for _, _, r in recorder.records]
    assert kinds == ["roster_entry"] * 2 + ["class_event"] + ["hr_sample"] * 6 + ["class_event"]
    assert [r.event for _, _, r in recorder.records if r.kind == "class_event"] \
        == ["start", "end"]
    assert {key for topic, key, _ in recorder.records if topic == "spotter.hr.samples"} \
        == {"ann", "bo"}
    assert edge.published == 6 and edge.ended


async def test_end_class_stops_reading_and_sends_the_end_after_the_last_sample() -> None:
    recorder = Recorder()
    source = SimulatedStraps(make_members(2), speed=50.0)  # endless
    edge = EdgeAgent("c1", source, recorder, pair_simulated(ROSTER, ["sim-01", "sim-02"]))
    run = asyncio.create_task(edge.run())
    await asyncio.sleep(0.2)
    await edge.end_class()
    await asyncio.wait_for(run, 5)
    last = recorder.records[-1][2]
    assert last.kind == "class_event" and last.event == "end"
    assert edge.published > 0 and edge.ended


def test_sequences_are_checkpointed_as_next_numbers_only_when_they_move() -> None:
    saved: list[dict[str, int]] = []
    edge = agent(ROSTER)
    edge.checkpoint = saved.append
    edge.to_sample(reading("AA"))
    edge.to_sample(reading("AA"))
    edge.save_sequences()
    edge.save_sequences()  # nothing moved
    edge.to_sample(reading("BB"))
    edge.save_sequences()
    assert saved == [{"AA": 2}, {"BB": 1}]


def test_an_agent_resumes_sequences_where_the_buffer_left_them() -> None:
    edge = EdgeAgent("c1", SimulatedStraps(make_members(1)), publisher=None,  # type: ignore[arg-type]
                     roster=ROSTER, sequences={"AA": 41})
    sample = edge.to_sample(reading("AA"))
    assert sample is not None and sample.seq == 42
