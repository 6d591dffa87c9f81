"""What the worker does with heart-rate samples, roster entries, form events and time.

Each handler has two phases. First, without any ``await``: decode, update the members'
cached state and write it to its table partition (``streams.state_tables``). Then the
I/O: tiles and alerts to Redis, records to Kafka, alerts to the database queue. A
rebalance can only interleave at an ``await``, so it always sees whole changes, and a
crash after the write but before the I/O repeats idempotent messages (tiles are latest
wins; alert ids are stable per episode) instead of losing or doubling numbers.

The 1 s timer (:meth:`LiveWorker.tick`) runs outside any Faust event. It reads the
cached states, drives ``streams.alert_rules.tick`` (quiet straps' windows, dropout and other
rules) and writes a state back only when the tick did something that cannot be derived
again from the stored state: an alert fired, a waiting member started, or a silent strap's
last samples were accounted. Everything else the tick did is redone identically after a
takeover, and persists with the member's next sample batch.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import structlog

from configs.features import AiFeatures
from contract.records import (
    DEAD_PAYLOAD_BYTES,
    Alert,
    DeadLetter,
    FormEvent,
    HeartRateSample,
    RecordError,
    RecordT,
    RosterEntry,
    parse_record,
)
from streams import alert_rules
from streams.alerts import AlertData
from streams.arrival import ArrivalWindow
from streams.board_backlog import BufferedBoard
from streams.form import FormFact, FormInsight
from streams.insight_config import AlertRules, InsightConfig
from streams.live import bucket_insight
from streams.member_state import Bucket, MemberState, sample_in, state_key
from streams.metrics import SampleIn
from streams.origin import FROM_API, FROM_ROOM, RecordGate
from streams.physiology import MemberProfile
from streams.pseudonyms import Pseudonyms
from streams.state_tables import PartitionedTable, encode
from streams.store import WorkerStore
from streams.worker_config import WorkerConfig

log = structlog.get_logger(__name__)


@dataclass
class Outbox:
    """The I/O a handler's state changes call for, done after the state is written."""

    tiles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    buckets: dict[str, list[tuple[MemberState, Bucket]]] = field(default_factory=dict)
    dead: list[tuple[str, bytes | None, str, str]] = field(default_factory=list)
    frozen: frozenset[str] = frozenset()  # ended classes: no more tiles
    rows: list[dict[str, Any]] = field(default_factory=list)  # real-time insight records
    pseudonyms: Pseudonyms = field(default_factory=lambda: Pseudonyms(None))

    def valid(self, events: list[Any], model: type[RecordT], now: float,
              window: ArrivalWindow | None = None, gate: RecordGate | None = None,
              writers: frozenset[str] = FROM_ROOM) -> Iterator[tuple[Any, RecordT]]:
        """The events whose value parses as ``model``, written by one of ``writers``
        (checked when ``gate`` enforces signatures) and, for timed records, whose event
        time is near the arrival time, with the record (member ids in place of wire ids);
        the others are dead-lettered with the reason, so one bad record never stops a
        batch or reaches state."""
        for event in events:
            try:
                record = parse_record(model, event.value)
                if gate is not None:
                    gate.check(record, writers, event.value)
                if window is not None:
                    window.check(record, now)
                record = self.pseudonyms.read(record)
            except RecordError as exc:
                self.reject(event, str(exc), exc.code)
            except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the agent
                self.reject(event, f"unreadable: {type(exc).__name__}: {exc}"[:300],
                            "unreadable")
            else:
                yield event, record

    def reject(self, event: Any, reason: str, code: str) -> None:
        self.dead.append((event.message.topic, event.value, reason, code))

    def tile(self, state: MemberState) -> None:
        if (state.session is None or not state.session.live) and state.form is None:
            return  # waiting for the roster, or no heart rate yet: nothing worth a tile
        if state.class_session_id in self.frozen:
            return  # the class ended: its board stays as it was at the end
        tile = state.tile()
        tile["at"] = time.time()  # when the worker built it: latency is measurable per hop
        self.tiles.setdefault(state.class_session_id, []).append(tile)


@dataclass
class Topics:
    insights: Any
    alerts: Any
    dead_letters: Any


class LiveWorker:
    def __init__(self, members: PartitionedTable[MemberState],
                 profiles: PartitionedTable[dict[str, Any]], board: BufferedBoard,
                 store: WorkerStore | None, topics: Topics, *, config: InsightConfig,
                 rules: AlertRules, worker: WorkerConfig,
                 gate: RecordGate | None = None) -> None:
        self.members, self.profiles, self.board, self.store = members, profiles, board, store
        self.topics, self.config, self.rules, self.worker = topics, config, rules, worker
        # resting members are not nagged for under-working (the trainer decided)
        self.rules_resting = rules.model_copy(update={
            "under_working": rules.under_working.model_copy(update={"enabled": False})})
        self.processed: dict[int, int] = {}  # partition -> newest sample offset handled
        self.dead_lettered: dict[str, int] = {}  # reason code -> records (metrics)
        self.frozen: set[str] = set()  # classes ended (from the board's class status)
        self.features = AiFeatures.default()  # the admin's toggles, refreshed by the worker
        self.ignored: dict[str, int] = {}  # records dropped by a toggle, by reason
        self.gate = gate or RecordGate(None)
        self.arrival = ArrivalWindow(worker.arrival.max_ahead_s, worker.arrival.max_behind_s)
        # wire ids <-> member ids (contract.pseudonyms), from the bookings in the database
        self.pseudonyms = Pseudonyms(store.bookings if store is not None else None)

    def outbox(self) -> Outbox:
        return Outbox(frozen=frozenset(self.frozen), pseudonyms=self.pseudonyms)

    # -- samples ---------------------------------------------------------------------

    def take_samples(self, events: list[Any], now: float) -> Outbox:
        out = self.outbox()
        groups: dict[tuple[int, str, str], list[tuple[Any, SampleIn]]] = {}
        for event in events:  # a dead-lettered sample is handled too
            message = event.message
            if message.offset > self.processed.get(message.partition, -1):
                self.processed[message.partition] = message.offset
        for event, s in out.valid(events, HeartRateSample, now, self.arrival, self.gate):
            partition = event.message.partition
            groups.setdefault((partition, s.class_session_id, s.member_id), []).append(
                (event, sample_in(s.strap_id, s.seq, s.event_time, s.hr_bpm, s.rr_intervals_ms,
                                  s.sensor_contact, s.source)))
        for (partition, class_id, member_id), items in groups.items():
            if not self.members.owns(partition):
                log.info("samples of a partition no longer ours skipped", partition=partition)
                continue
            state = self.members.get(partition, state_key(class_id, member_id))
            if state is not None and state.finalized:
                for event, _ in items:  # an ended class takes nothing more
                    out.reject(event, ended_reason(state), "class_ended")
                continue
            if not self.allows(partition, member_id, class_id, "hr_tracking"):
                self.withdrawn(member_id, class_id, "hr_sample", len(items))
                continue
            try:
                self._take_member(partition, class_id, member_id, [i[1] for i in items],
                                  now, out)
            except Exception:  # noqa: BLE001 - isolate the record that breaks us
                self._take_one_by_one(partition, class_id, member_id, items, now, out)
        return out

    def _take_member(self, partition: int, class_id: str, member_id: str,
                     samples: list[SampleIn], now: float, out: Outbox) -> None:
        state = self._state(partition, class_id, member_id)
        self._feed(state, samples, now, out)
        self.save(state)
        out.tile(state)

    def _take_one_by_one(self, partition: int, class_id: str, member_id: str,
                         items: list[tuple[Any, SampleIn]], now: float, out: Outbox) -> None:
        """A member's batch raised: forget its half-made changes, then take its samples
        one at a time, so only the records that raise are dead-lettered (with the error)
        and the agent goes on; a poison record can never crash-loop it."""
        key = state_key(class_id, member_id)
        for event, sample in items:
            self.members.reload(partition, key)
            try:
                self._take_member(partition, class_id, member_id, [sample], now, out)
            except Exception as exc:  # noqa: BLE001
                log.exception("a sample broke its member's state; dead-lettered",
                              member_id=member_id, class_session_id=class_id)
                self.members.reload(partition, key)
                out.reject(event, f"handling failed: {type(exc).__name__}: {exc}"[:300],
                           "handler_error")

    def _state(self, partition: int, class_id: str, member_id: str) -> MemberState:
        state = self.members.get(partition, state_key(class_id, member_id))
        if state is None:
            entry = self.profile_entry(partition, member_id)
            state = MemberState(class_id, member_id, partition,
                                name=entry["display_name"] if entry else None)
        return state

    def profile_entry(self, partition: int, member_id: str,
                       class_id: str | None = None) -> dict[str, Any] | None:
        """The member's roster entry; with ``class_id``, only one for that class."""
        found = self.profiles.get(partition, member_id)
        if found is None or (class_id is not None
                             and found["entry"]["class_session_id"] != class_id):
            return None
        return found["entry"]  # type: ignore[no-any-return]

    def _profile(self, partition: int, member_id: str, class_id: str) -> dict[str, Any] | None:
        """The stored profile value of the member's roster entry for ``class_id``: a
        member's entry for another class must not set this class's physiology."""
        found = self.profiles.get(partition, member_id)
        if found is None or found["entry"]["class_session_id"] != class_id:
            return None
        return found

    def _feed(self, state: MemberState, samples: list[SampleIn], now: float,
              out: Outbox) -> None:
        found = self._profile(state.partition, state.member_id, state.class_session_id)
        profile = member_profile(found["entry"]) if found else None
        closed = state.take(samples, profile, now, config=self.config, rules=self.rules,
                            max_waiting=self.worker.profiles.max_waiting_samples,
                            learned_hr_rest=found.get("learned_hr_rest") if found else None)
        self.collect_buckets(state, state.add_windows(closed, self.worker.series.bucket_s), out)
        state.status = state.strap_status(now, self.worker.tiles.stale_after_s,
                                          self.rules.dropout.silence_s)

    def collect_buckets(self, state: MemberState, buckets: list[Bucket], out: Outbox) -> None:
        if buckets:
            out.buckets.setdefault(state.class_session_id, []).extend(
                (state, b) for b in buckets)
        if state.rows:  # minutes closed: real-time insights to store
            out.rows.extend({"class_session_id": state.class_session_id,
                             "member_id": state.member_id, **row} for row in state.rows)
            state.rows = []

    def save(self, state: MemberState) -> None:
        state.dirty = False
        self.members.put(state.partition, state.key, state, state.to_bytes())

    def raise_alerts(self, state: MemberState, alerts: list[AlertData], out: Outbox) -> None:
        """Alerts go into the state's outbox (written with it) and out to the sinks; with
        live alerts switched off by an admin, none is raised (tiles still update)."""
        if alerts and not self.features.live_alerts:
            self.ignored["alerts_off"] = self.ignored.get("alerts_off", 0) + len(alerts)
            return
        state.outbox.extend(a.to_dict() for a in alerts)
        out.alerts.extend(a.to_dict() for a in alerts)

    def alerts_stored(self, alert_ids: set[str]) -> None:
        """The database has these alerts: clear them from outboxes (written lazily)."""
        for _, _, state in self.members.items():
            if state.outbox:
                kept = [a for a in state.outbox if a["alert_id"] not in alert_ids]
                if len(kept) != len(state.outbox):
                    state.outbox, state.dirty = kept, True

    def unconfirmed_alerts(self) -> list[dict[str, Any]]:
        """Alerts a previous owner raised but never confirmed stored (after a takeover)."""
        return [a for _, _, state in self.members.items() for a in state.outbox]

    # -- roster ----------------------------------------------------------------------

    def take_roster(self, events: list[Any], now: float) -> Outbox:
        out = self.outbox()
        for event, entry in out.valid(events, RosterEntry, now, gate=self.gate,
                                      writers=FROM_API):
            partition = event.message.partition
            if not self.profiles.owns(partition):
                continue
            try:
                self._take_entry(partition, entry, now, out)
            except Exception as exc:  # noqa: BLE001 - one entry must not stop the roster
                self.profiles.reload(partition, entry.member_id)
                for p, key, state in list(self.members.items()):
                    if p == partition and state.member_id == entry.member_id:
                        self.members.reload(p, key)
                self._handler_failed(event, exc, out)
        return out

    def _take_entry(self, partition: int, entry: RosterEntry, now: float, out: Outbox) -> None:
        known = self.profiles.get(partition, entry.member_id) or {}
        value = {"p": partition, "entry": entry.model_dump(mode="json"),
                 "learned_hr_rest": known.get("learned_hr_rest")}
        self.profiles.put(partition, entry.member_id, value, encode(value))
        for _, _, state in list(self.members.items()):
            if state.partition == partition and state.member_id == entry.member_id:
                self._profile_arrived(state, entry, value, now, out)

    @staticmethod
    def _handler_failed(event: Any, exc: Exception, out: Outbox) -> None:
        log.exception("a record broke its handler; dead-lettered", topic=event.message.topic)
        out.reject(event, f"handling failed: {type(exc).__name__}: {exc}"[:300],
                   "handler_error")

    def _profile_arrived(self, state: MemberState, entry: RosterEntry, value: dict[str, Any],
                         now: float, out: Outbox) -> None:
        """A late profile: start a waiting member with it; a member already started on
        default physiology keeps it (tiles and summary must agree) and is flagged."""
        if state.class_session_id == entry.class_session_id:
            state.name = entry.display_name
        if state.finalized:  # the class ended: the profile changes nothing any more
            return
        if state.class_session_id != entry.class_session_id:
            return  # the member's entry for another class
        if not entry.hr_tracking and state.session is None:
            self.drop_waiting(state)
            if state.form is None:
                return
        if state.session is None and state.waiting:
            closed = state.start(member_profile(value["entry"]), config=self.config,
                                 rules=self.rules, learned_hr_rest=value["learned_hr_rest"])
            self.collect_buckets(state, state.add_windows(closed, self.worker.series.bucket_s), out)
        elif state.session is not None and not state.finalized and not state.profile_late:
            state.profile_late = state.session.table.physiology.hr_max_source == "default"
            if state.profile_late:
                log.warning("roster entry arrived after the member started on default "
                            "physiology; kept for this class", member_id=state.member_id,
                            class_session_id=state.class_session_id)
        self.save(state)
        out.tile(state)

    # -- form ------------------------------------------------------------------------

    def take_form(self, events: list[Any], now: float) -> Outbox:
        out = self.outbox()
        for event, form in out.valid(events, FormEvent, now, self.arrival, self.gate):
            partition = event.message.partition
            if not self.members.owns(partition):
                continue
            key = state_key(form.class_session_id, form.member_id)
            room = form.auth.room_id if form.auth is not None else None
            if not self.features.vision_for(room):  # cameras switched off for the room
                self.ignored["vision_off"] = self.ignored.get("vision_off", 0) + 1
                continue
            if not self.allows(partition, form.member_id, form.class_session_id,
                               "camera_form"):
                self.withdrawn(form.member_id, form.class_session_id, "form_event", 1)
                continue
            try:
                self._take_form_event(partition, form, out)
            except ClassEnded as exc:
                out.reject(event, str(exc), "class_ended")
            except Exception as exc:  # noqa: BLE001 - one event must not stop the station
                self.members.reload(partition, key)
                self._handler_failed(event, exc, out)
        return out

    def _take_form_event(self, partition: int, form: FormEvent, out: Outbox) -> None:
        state = self._state(partition, form.class_session_id, form.member_id)
        if state.finalized:
            raise ClassEnded(ended_reason(state))
        if state.form is None:
            state.form = FormInsight()
        if form.rep_index is not None:
            state.minutes.rep(form.event_time, bool(form.faults))
        self.raise_alerts(state, state.form.observe(FormFact(
            station_id=form.station_id, exercise=form.exercise,
            event_time=form.event_time, rep_index=form.rep_index,
            faults=tuple(form.faults), duration_s=form.tempo_s),
            form.class_session_id, form.member_id, self.rules.repeated_form_fault), out)
        self.save(state)
        out.tile(state)

    # -- the 1 s timer ---------------------------------------------------------------

    def live_classes(self) -> set[str]:
        return {s.class_session_id for _, _, s in self.members.items() if not s.finalized}

    def tick(self, now: float, info: dict[str, dict[str, Any]]) -> Outbox:
        self.frozen |= {cid for cid, i in info.items() if i.get("status") == "ended"}
        out = self.outbox()
        grace, keep = self.config.coverage.grace_s, self.worker.class_end.keep_finished_s
        for partition, key, state in self.members.items():
            if state.finished_at is not None or state.finalized:
                if state.finished_at and now - state.finished_at > keep:
                    self.members.delete(partition, key)
                continue
            changed = False
            if state.session is not None and not self.allows(
                    partition, state.member_id, state.class_session_id, "hr_tracking"):
                continue  # withdrawn during the class: no more rules (no dropout alert)
            if state.session is None:
                if not state.wait_expired(now, self.worker.profiles.wait_s):
                    continue
                entry = self.profile_entry(partition, state.member_id,
                                            state.class_session_id)
                if entry is None and self.gate.enforced:
                    self.not_on_roster(partition, key, state)
                    continue
                if entry is not None and not entry.get("hr_tracking", True):
                    self.drop_waiting(state)
                    continue
                self.collect_buckets(state, state.add_windows(state.start(
                    member_profile(entry) if entry else None, config=self.config,
                    rules=self.rules), self.worker.series.bucket_s), out)
                changed = True
            session = state.session
            assert session is not None
            klass = info.get(state.class_session_id) or {}
            rules = self.rules_resting if state.member_id in klass.get("resting", ()) \
                else self.rules
            silent = session.watermark is not None and now - session.watermark > grace
            closed, fired = alert_rules.tick(session, now, class_live=klass.get("live", False),
                                             class_started_at=klass.get("started_at"),
                                             rules=rules)
            self.collect_buckets(state, state.add_windows(closed, self.worker.series.bucket_s), out)
            self.raise_alerts(state, fired, out)
            changed = changed or bool(fired) or (silent and bool(closed)) or state.dirty
            status = state.strap_status(now, self.worker.tiles.stale_after_s,
                                        self.rules.dropout.silence_s)
            if status != state.status:
                state.status = status
                out.tile(state)
            if changed:
                self.save(state)
        return out

    def not_on_roster(self, partition: int, key: str, state: MemberState) -> None:
        """Samples of someone the class's roster (from the API) does not list: with
        signed records on, they never make a tile, an alert or a summary line."""
        count = len(state.waiting)
        self.dead_lettered["not_on_roster"] = self.dead_lettered.get("not_on_roster", 0) + count
        log.warning("samples of a member not on the class roster dropped",
                    member_id=state.member_id, class_session_id=state.class_session_id,
                    samples=count)
        self.members.delete(partition, key)

    # -- members' choices (issue 20) -------------------------------------------------

    def allows(self, partition: int, member_id: str, class_id: str, choice: str) -> bool:
        """Whether the member's roster entry for the class allows ``choice``
        (``hr_tracking`` or ``camera_form``). No entry yet: allowed for now; samples wait
        for the entry anyway, and are dropped when it says no."""
        entry = self.profile_entry(partition, member_id, class_id)
        return entry is None or bool(entry.get(choice, True))

    def withdrawn(self, member_id: str, class_id: str, kind: str, count: int) -> None:
        """Records of a member who opted out: dropped, never dead-lettered (a copy of
        them on the dead-letter topic would keep what the member said no to), counted
        in ``spotter_worker_dropped{reason="consent_withdrawn"}``."""
        self.ignored["consent_withdrawn"] = self.ignored.get("consent_withdrawn", 0) + count
        log.info("records of a member who opted out dropped", member_id=member_id,
                 class_session_id=class_id, kind=kind, records=count)

    def drop_waiting(self, state: MemberState) -> None:
        """Samples that came before the roster entry saying the member opted out of heart
        rate: dropped and counted; a state with nothing else is deleted (no tile, no
        summary line). Keyed by the state's own partition."""
        if state.waiting:
            self.withdrawn(state.member_id, state.class_session_id, "hr_sample",
                           len(state.waiting))
        state.waiting, state.waiting_since = [], None
        if state.form is None and state.session is None:
            self.members.delete(state.partition, state.key)
        else:
            self.save(state)

    # -- I/O -------------------------------------------------------------------------

    async def flush(self, out: Outbox) -> None:
        """Tiles, chart buckets and alerts out to Kafka, the database queue and Redis.

        Kafka and the database queue first: they are where alerts and insights are kept.
        The board (Redis) is written through :class:`~streams.board_backlog.BufferedBoard`,
        which never raises: during an outage its writes wait and are sent on recovery."""
        if out.dead:
            await self.dead_letters(out.dead)
        bucket_s = self.worker.series.bucket_s
        await self.pseudonyms.ensure(list(out.buckets) + [a["class_session_id"]
                                                         for a in out.alerts])
        for class_id, items in out.buckets.items():
            for state, b in items:
                table = state.session.table if state.session else None
                if table is None:
                    continue
                insight = self.pseudonyms.write(bucket_insight(
                    class_id, state.member_id, b.start, bucket_s, b.fraction, b.seconds,
                    b.hr_avg, b.hr_last, table.physiology.hr_max, table.zone[round(b.hr_avg)]))
                if insight is None:  # bookings unknown: the topic gets no copy
                    continue
                await self.topics.insights.send(key=insight.member_id.encode(),
                                                value=insight.to_bytes())
            await self.board.write("put_buckets", class_id, [
                (s.member_id, b.start, b.fraction, b.seconds) for s, b in items])
        if out.alerts:
            await self.emit_alerts(out.alerts)
        if out.rows and self.store is not None:
            self.store.queue_insights(out.rows)
        await self.board.put_tiles(out.tiles)

    async def emit_alerts(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            record = self.pseudonyms.write(Alert(**item))
            if record is None:  # bookings unknown: the topic gets no copy
                continue
            await self.topics.alerts.send(key=record.class_session_id.encode(),
                                          value=record.to_bytes())
        if self.store is not None:
            self.store.queue_alerts(items)
            self.store.queue_insights([{
                "class_session_id": a["class_session_id"], "member_id": a.get("member_id"),
                "at": a["event_time"], "kind": "alert", "data": a} for a in items])
        await self.board.write("put_alerts", items)
        log.info("alerts raised", alerts=[(a["rule"], a["member_id"]) for a in items])

    async def dead_letters(self, items: list[tuple[str, bytes | None, str, str]]) -> None:
        """Each bad record to the dead-letter topic with its reason: the first
        ``DEAD_PAYLOAD_BYTES`` verbatim, its length and hash. A record that cannot even
        be dead-lettered is logged (with its reason) and skipped, never raised."""
        for topic, payload, reason, code in items:
            log.warning("dead-lettered a bad record", topic=topic, reason=reason, code=code)
            self.dead_lettered[code] = self.dead_lettered.get(code, 0) + 1
            try:
                record = dead_letter(topic, payload, reason, code, time.time())
                await self.topics.dead_letters.send(key=topic.encode()[:249],
                                                    value=record.to_bytes())
            except Exception as exc:  # noqa: BLE001 - logged above with its reason
                log.error("dead letter not written; the record is skipped", topic=topic,
                          code=code, error=f"{type(exc).__name__}: {exc}"[:300])
                continue
            await self.board.write("count", f"deadletter:{topic}")


def dead_letter(topic: str, payload: bytes | None, reason: str, code: str,
                received_at: float) -> DeadLetter:
    """The dead-letter record of one bad payload; a tombstone keeps an empty payload."""
    raw = payload if isinstance(payload, bytes) else (payload or "").encode()
    return DeadLetter(source_topic=topic[:249], reason=reason[:1_000], reason_code=code[:40],
                      payload_b64=base64.b64encode(raw[:DEAD_PAYLOAD_BYTES]).decode(),
                      payload_bytes=len(raw), payload_sha256=hashlib.sha256(raw).hexdigest(),
                      received_at=received_at)


def member_profile(entry: dict[str, Any]) -> MemberProfile:
    return MemberProfile(age=entry.get("age"), sex=entry.get("sex"),
                         weight_kg=entry.get("weight_kg"), hr_max=entry.get("hr_max"),
                         hr_rest=entry.get("hr_rest"))


class ClassEnded(Exception):
    """A record for a class whose members were already finalized."""


def ended_reason(state: MemberState) -> str:
    return (f"class {state.class_session_id} ended (finalized at event time "
            f"{state.ended_at}); records after its grace period are not counted")
