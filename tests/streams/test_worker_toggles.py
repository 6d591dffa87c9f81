"""The admin's toggles gate the worker for real: live alerts off raises no alert (tiles
still update); vision off for a room drops that room's form events. And an ended class
takes nothing more: its records are dead-lettered with the reason."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from configs.features import AiFeatures
from contract.records import FormEvent
from contract.signing import Signer
from contract.topics import TOPIC_FORM_EVENTS, TOPIC_HR_SAMPLES
from streams.member_state import state_key
from streams.sink import alerts_key, snapshot
from tests.streams.doubles import events, make_worker, roster, sample


@pytest.fixture
async def worker(own_redis: Any) -> Any:
    live, dead, redis = await make_worker(own_redis.url)
    yield live, dead, redis
    await redis.aclose()


def spike(member: str, now: float) -> list[bytes]:
    """Steady 100 bpm, then a 40+ bpm jump within 5 s: the spike rule's pattern."""
    hrs = [100] * 8 + [150] + [150] * 5
    return [sample(member, i, now - 30 + i, hr) for i, hr in enumerate(hrs)]


async def run_spike(live: Any, member: str) -> None:
    roster(live, member)
    now = time.time()
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, spike(member, now)), now))
    await live.flush(live.tick(now + 10, {"poison-class": {"live": True}}))


async def test_with_live_alerts_off_no_alert_is_raised_and_tiles_still_update(worker) -> None:
    live, _, redis = worker
    live.features = AiFeatures(live_alerts=False)
    await run_spike(live, "ann")
    assert await redis.hlen(alerts_key("poison-class")) == 0
    assert "ann" in await snapshot(redis, "poison-class")
    assert live.ignored["alerts_off"] >= 1


async def test_with_live_alerts_on_the_same_class_raises_its_alert(worker) -> None:
    live, _, redis = worker  # the counterfactual: the pattern does fire
    await run_spike(live, "bo")
    assert await redis.hlen(alerts_key("poison-class")) >= 1


def form(member: str, room: str | None, rep: int) -> bytes:
    record = FormEvent(class_session_id="poison-class", member_id=member, station_id="st-1",
                       exercise="squat", event_time=time.time() - 5, rep_index=rep,
                       faults=["knees_caving"])
    if room is not None:
        record = Signer("dev", room, "poison-class", b"k" * 32).sign(record)
    return record.to_bytes()


async def test_vision_off_for_a_room_drops_its_form_events(worker) -> None:
    live, _, redis = worker
    live.features = AiFeatures(vision_default=True, vision_rooms={"room-off": False})
    roster(live, "cy", "dee")
    now = time.time()
    out = live.take_form(events(TOPIC_FORM_EVENTS, [form("cy", "room-off", 1),
                                                    form("dee", "room-on", 1)]), now)
    await live.flush(out)
    assert live.members.get(0, state_key("poison-class", "cy")) is None
    dee = live.members.get(0, state_key("poison-class", "dee"))
    assert dee is not None and dee.form is not None
    assert live.ignored == {"vision_off": 1}


async def test_an_ended_class_takes_nothing_more(worker) -> None:
    live, dead, redis = worker
    roster(live, "eve")
    now = time.time()
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, [
        sample("eve", i, now - 60 + i) for i in range(20)]), now))
    state = live.members.get(0, state_key("poison-class", "eve"))
    assert state is not None and state.session is not None
    state.session.finalize()
    state.ended_at = now - 30
    late = [sample("eve", 20 + i, now - 35 + i) for i in range(2)]
    await live.flush(live.take_samples(events(TOPIC_HR_SAMPLES, late), now))
    letters = [json.loads(v) for _, v in dead.sent]
    assert [x["reason_code"] for x in letters] == ["class_ended", "class_ended"]
    assert "ended" in letters[0]["reason"]
