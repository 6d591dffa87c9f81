"""One bad record never stops the worker: it is dead-lettered with its reason, and every
other record of the batch still counts.

The worker's handlers run here on the real insight code with a table double (Faust
tables only exist inside a running app; the e2e tests cover them) and the real live
board on a Redis server of the test's own.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from contract.records import RosterEntry
from contract.topics import TOPIC_HR_SAMPLES, TOPIC_ROSTER
from streams.member_state import MemberState, state_key
from streams.sink import snapshot
from tests.streams.doubles import (
    Topic,
    events,
    make_worker,
    roster,
    sample,
    taken,
)


@pytest.fixture
async def worker(own_redis: Any) -> Any:
    live, dead, redis = await make_worker(own_redis.url)
    yield live, dead, redis
    await redis.aclose()


def letters(dead: Topic) -> list[dict[str, Any]]:
    return [json.loads(value) for _, value in dead.sent]


async def test_bad_records_are_dead_lettered_with_a_reason_and_the_rest_count(worker) -> None:
    live, dead, redis = worker
    roster(live, "ann")
    now = time.time()
    good = [sample("ann", i, now - 10 + i) for i in range(8)]
    bad = {
        "not_json": b"\x00 not json",
        "tombstone": None,
        "newer_version": sample("ann", 99, now).replace(b'"schema_version":1',
                                                         b'"schema_version":99'),
        "invalid": sample("ann", 98, now).replace(b'"event_time":', b'"event_time":1e12,"x":')
        .replace(b',"x":' + str(now).encode(), b""),
        "from_future": sample("ann", 97, now + 3600),
        "too_old": sample("ann", 96, now - 40 * 86400),
        "too_large": b'{"member_id":"' + b"m" * 500_000 + b'"}',
    }
    out = live.take_samples(events(TOPIC_HR_SAMPLES, [*good[:4], *bad.values(), *good[4:]]),
                            now)
    await live.flush(out)
    codes = [letter["reason_code"] for letter in letters(dead)]
    assert sorted(codes) == sorted(bad)
    assert all(letter["reason"] for letter in letters(dead))
    big = next(x for x in letters(dead) if x["reason_code"] == "too_large")
    assert big["payload_bytes"] > 500_000 and len(big["payload_b64"]) < 8_000
    assert taken(live, "ann") == len(good)  # every valid sample counts
    state = live.members.get(0, state_key("poison-class", "ann"))
    assert state is not None and state.session is not None
    assert state.session.seqs.missing == 0 and state.session.counters["late"] == 0
    assert "ann" in await snapshot(redis, "poison-class")


async def test_a_record_that_breaks_its_handler_is_isolated_not_crash_looped(
        worker, monkeypatch: pytest.MonkeyPatch) -> None:
    live, dead, _ = worker
    real_take = MemberState.take

    def take(self: MemberState, samples: list[Any], *args: Any, **kwargs: Any) -> Any:
        if any(s[3] == 199 for s in samples):  # a latent bug that only this value hits
            raise OverflowError("cannot convert float infinity to integer")
        return real_take(self, samples, *args, **kwargs)

    monkeypatch.setattr(MemberState, "take", take)
    roster(live, "bo", "cy")
    now = time.time()
    batch = [sample("bo", 0, now - 5), sample("bo", 1, now - 4, hr=199),
             sample("bo", 2, now - 3), sample("cy", 0, now - 5)]
    out = live.take_samples(events(TOPIC_HR_SAMPLES, batch), now)
    await live.flush(out)
    (letter,) = letters(dead)
    assert letter["reason_code"] == "handler_error" and "OverflowError" in letter["reason"]
    assert taken(live, "bo") == 2  # seq 1 was refused, 0 and 2 counted
    assert taken(live, "cy") == 1


async def test_a_roster_entry_with_markup_never_becomes_a_tile(worker) -> None:
    live, dead, redis = worker
    entry = RosterEntry(class_session_id="poison-class", member_id="dee",
                        display_name="Dee").to_bytes()
    forged = entry.replace(b'"dee"', b'"<img src=x onerror=alert(1)>"')
    out = live.take_roster(events(TOPIC_ROSTER, [forged, entry]), time.time())
    await live.flush(out)
    assert [x["reason_code"] for x in letters(dead)] == ["invalid"]
    assert live.profiles.get(0, "dee") is not None
    assert not [k for k in await snapshot(redis, "poison-class") if "<" in k]
