"""Stand-ins for the Faust parts of the live worker (tables, topics, events) and a
LiveWorker built on them over a real Redis: the handlers' logic, without a broker."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from contract.records import HeartRateSample, RosterEntry
from contract.topics import TOPIC_ROSTER
from streams.agents_live import LiveWorker, Topics
from streams.board_backlog import BufferedBoard
from streams.insight_config import default_alert_rules, default_insight_config
from streams.member_state import MemberState, state_key
from streams.sink import LiveBoard
from streams.state_tables import PartitionedTable
from streams.worker_config import default_worker_config


@dataclass
class Table:
    """What PartitionedTable uses of a Faust table: data and explicit changelog writes."""

    data: dict[str, bytes] = field(default_factory=dict)
    changelog: list[tuple[int, str, bytes | None]] = field(default_factory=list)

    def send_changelog(self, partition: int, key: str, value: bytes | None, **_: Any) -> None:
        self.changelog.append((partition, key, value))


@dataclass
class Topic:
    sent: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def send(self, key: bytes, value: bytes, **_: Any) -> None:
        self.sent.append((key, value))


@dataclass
class Message:
    topic: str
    partition: int
    offset: int


@dataclass
class Event:
    value: bytes | None
    message: Message


def events(topic: str, payloads: list[bytes | None]) -> list[Event]:
    return [Event(p, Message(topic, 0, i)) for i, p in enumerate(payloads)]


async def make_worker(redis_url: str) -> tuple[LiveWorker, Topic, Redis]:
    config, rules = default_insight_config(), default_alert_rules()
    members: PartitionedTable[MemberState] = PartitionedTable(
        Table(), lambda b: MemberState.from_bytes(b, config=config, rules=rules))
    profiles: PartitionedTable[dict[str, Any]] = PartitionedTable(Table(), json.loads)
    members.rebuild({0})
    profiles.rebuild({0})
    redis = Redis.from_url(redis_url)
    dead = Topic()
    live = LiveWorker(members, profiles, BufferedBoard(LiveBoard(redis)), None,
                      Topics(insights=Topic(), alerts=Topic(), dead_letters=dead),
                      config=config, rules=rules, worker=default_worker_config())
    return live, dead, redis


def sample(member: str, seq: int, at: float, hr: int = 130) -> bytes:
    return HeartRateSample(class_session_id="poison-class", member_id=member,
                           strap_id=f"s-{member}", seq=seq, event_time=at,
                           hr_bpm=hr).to_bytes()


def roster(live: LiveWorker, *members: str) -> None:
    entries = [RosterEntry(class_session_id="poison-class", member_id=m, display_name=m.title(),
                           age=40).to_bytes() for m in members]
    live.take_roster(events(TOPIC_ROSTER, entries), time.time())


def taken(live: LiveWorker, member: str) -> int:
    state = live.members.get(0, state_key("poison-class", member))
    assert state is not None and state.session is not None
    return int(state.session.counters["samples"]) + len(state.session.pending)


