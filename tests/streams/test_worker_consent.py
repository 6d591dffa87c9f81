"""The worker honours members' choices (issue 20): heart-rate samples of a member who
switched heart-rate tracking off, and form events of one who switched camera form off,
make no state, tile, alert or insight; they are dropped with the counted reason
``consent_withdrawn`` and never copied to the dead-letter topic."""

from __future__ import annotations

import time
from typing import Any

import pytest

from contract.records import FormEvent, RosterEntry
from contract.topics import TOPIC_FORM_EVENTS, TOPIC_HR_SAMPLES, TOPIC_ROSTER
from streams.member_state import state_key
from streams.sink import alerts_key, snapshot
from tests.streams.doubles import events, make_worker, sample

CLASS = "poison-class"


@pytest.fixture
async def worker(own_redis: Any) -> Any:
    live, dead, redis = await make_worker(own_redis.url)
    yield live, dead, redis
    await redis.aclose()


def entry(member: str, *, hr: bool = True, camera: bool = True) -> bytes:
    return RosterEntry(class_session_id=CLASS, member_id=member, display_name=member.title(),
                       age=40, hr_tracking=hr, camera_form=camera).to_bytes()


def spike(member: str, now: float) -> list[bytes]:
    """Steady 100 bpm, then a 50 bpm jump: enough for a tile, insights and the spike
    alert of a member who allows heart rate."""
    hrs = [100] * 8 + [150] * 6
    return [sample(member, i, now - 30 + i, hr) for i, hr in enumerate(hrs)]


def form(member: str, rep: int) -> bytes:
    return FormEvent(class_session_id=CLASS, member_id=member, station_id=f"st-{member}",
                     exercise="squat", event_time=time.time() - 5, rep_index=rep,
                     faults=["knees_caving"]).to_bytes()


async def run_class(live: Any, now: float, members: list[str]) -> None:
    samples = [s for m in members for s in spike(m, now)]
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, samples), now))
    await live.flush(live.take_form(events(TOPIC_FORM_EVENTS, [
        form(m, r) for m in members for r in range(1, 4)]), now))
    for step in range(0, 70, 5):  # a minute of ticks closes windows and insight minutes
        await live.flush(live.tick(now + step, {CLASS: {"live": True}}))


async def test_an_opted_out_member_makes_no_tile_alert_or_insight(worker) -> None:
    live, dead, redis = worker
    live.take_roster(events(TOPIC_ROSTER, [entry("ann", hr=False, camera=False),
                                           entry("bo")]), time.time())
    now = time.time()
    await run_class(live, now, ["ann", "bo"])
    tiles = await snapshot(redis, CLASS)
    assert "bo" in tiles and "ann" not in tiles  # the counterfactual has a tile
    assert live.members.get(0, state_key(CLASS, "ann")) is None
    alerts = [a for a in (await redis.hvals(alerts_key(CLASS)))]
    assert not any(b"ann" in a for a in alerts)
    assert any(b"bo" in a for a in alerts)
    assert not any(key == b"ann" for key, _ in live.topics.insights.sent)
    assert live.ignored["consent_withdrawn"] == len(spike("ann", now)) + 3
    assert dead.sent == []  # what the member said no to is not copied anywhere


async def test_samples_before_the_roster_entry_are_dropped_when_it_says_no(worker) -> None:
    live, dead, redis = worker
    now = time.time()
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, spike("cy", now)), now))
    assert live.members.get(0, state_key(CLASS, "cy")) is not None  # waiting for its entry
    await live.flush(live.take_roster(events(TOPIC_ROSTER, [entry("cy", hr=False)]), now))
    assert live.members.get(0, state_key(CLASS, "cy")) is None
    assert live.ignored["consent_withdrawn"] == len(spike("cy", now))
    assert "cy" not in await snapshot(redis, CLASS)


async def test_camera_off_keeps_heart_rate_and_drops_form(worker) -> None:
    live, _, redis = worker
    live.take_roster(events(TOPIC_ROSTER, [entry("dee", camera=False)]), time.time())
    now = time.time()
    await run_class(live, now, ["dee"])
    state = live.members.get(0, state_key(CLASS, "dee"))
    assert state is not None and state.session is not None and state.form is None
    assert "dee" in await snapshot(redis, CLASS)
    assert live.ignored["consent_withdrawn"] == 3


async def test_a_withdrawal_during_class_stops_samples_and_alerts_from_then_on(
        worker) -> None:
    live, dead, redis = worker
    live.take_roster(events(TOPIC_ROSTER, [entry("eve"), entry("fay")]), time.time())
    now = time.time()
    steady = [sample(m, i, now - 40 + i, 100) for m in ("eve", "fay") for i in range(20)]
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, steady), now))
    state = live.members.get(0, state_key(CLASS, "eve"))
    assert state is not None and state.session is not None
    taken = int(state.session.counters["samples"]) + len(state.session.pending)
    # the member switches heart rate off: the API sends their entry again
    await live.flush(live.take_roster(events(TOPIC_ROSTER, [entry("eve", hr=False)]), now))
    later = [sample("eve", 20 + i, now - 20 + i, 150) for i in range(15)]
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, later), now))
    for step in range(0, 90, 5):  # long enough for a silent strap's dropout alert
        await live.flush(live.tick(now + step, {CLASS: {"live": True}}))
    state = live.members.get(0, state_key(CLASS, "eve"))
    assert state is not None and state.session is not None
    assert int(state.session.counters["samples"]) + len(state.session.pending) == taken
    assert live.ignored["consent_withdrawn"] == len(later)
    raised = [a for a in await redis.hvals(alerts_key(CLASS))]
    assert not any(b'"eve"' in a for a in raised)
    assert any(b'"fay"' in a for a in raised)  # the same silence alerts for fay
    assert dead.sent == []
