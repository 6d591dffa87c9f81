"""A class's life in the worker: start, end, and the post-class summary.

Members of one class live on every partition (keyed by member), so a class end has to
reach all of them. The class-events agent (partition of the class id) records the end
and sends one :class:`~contract.records.ClassControl` to *each* partition of the control
topic. Each partition's owner finalizes the class's members it holds (after catching up
with samples already in that partition: the end event travels on another topic and may
overtake them) and sends a :class:`~contract.records.PartitionReport` keyed by the class.
The reports agent collects them in a table; once every partition has reported it adds
the alerts and member history from the database and the chart from Redis, builds the
summary (``streams.class_summary``) and stores it. Every step is idempotent, so a
redelivered end or report stores the same summary again.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, TypeVar

import structlog
from faust.types import TP
from tenacity import AsyncRetrying, RetryCallState, stop_after_delay, wait_exponential

from contract.pseudonyms import is_wire_id
from contract.records import (
    ClassControl,
    ClassEvent,
    MemberReport,
    PartitionReport,
    Record,
    RecordError,
    parse_record,
)
from contract.signing import WORKER, sign_as
from contract.topics import TOPIC_HR_SAMPLES
from streams.agents_live import LiveWorker, Outbox, member_profile
from streams.board_backlog import BufferedBoard
from streams.class_alerts import check
from streams.class_summary import build_summary
from streams.member_state import MemberState
from streams.origin import DEVICE, FROM_ROOM, FROM_WORKER, principal
from streams.state_tables import encode, get_raw, put_raw
from streams.store import WorkerStore

log = structlog.get_logger(__name__)
R = TypeVar("R", bound=Record)
# A summary waits out a database or Redis outage: retried with backoff up to every
# SUMMARY_RETRY_MAX_S, for at most SUMMARY_GIVE_UP_S (then a repeated class end redoes it).
SUMMARY_RETRY_MAX_S = 30.0
SUMMARY_GIVE_UP_S = 6 * 3600.0


def _log_summary_retry(cid: str) -> Any:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning("post-class summary not stored yet; retrying", class_session_id=cid,
                    attempt=state.attempt_number, error=f"{type(error).__name__}: {error}"[:200])
    return before_sleep


class ClassLifecycle:
    def __init__(self, app: Any, live: LiveWorker, *, classes: Any, reports: Any,
                 control_topic: Any, reports_topic: Any, board: BufferedBoard,
                 store: WorkerStore, partitions: int) -> None:
        self.app, self.live, self.classes, self.reports = app, live, classes, reports
        self.control_topic, self.reports_topic = control_topic, reports_topic
        self.board, self.store, self.partitions = board, store, partitions
        self.pending: dict[str, asyncio.Task[None]] = {}  # class -> summary being stored
        self.background: set[asyncio.Task[None]] = set()  # class statuses being stored

    # -- start / end -----------------------------------------------------------------

    async def on_class_event(self, event: Any) -> None:
        """Start and end. Each class session is one occurrence: it starts once and ends
        once (a start after its end is refused). An end freezes the board at once; the
        class is finalized when its room's box confirms the end (a box sends its end after
        its last sample) or, for an end from the API, when the grace period runs out, so
        a box's late samples still count and the summary is computed once."""
        try:
            record = parse_record(ClassEvent, event.value)
            writer = self.live.gate.check(record, FROM_ROOM)
        except RecordError as exc:
            await self.live.dead_letters([(event.message.topic, event.value, str(exc),
                                           exc.code)])
            return
        cid, partition = record.class_session_id, event.message.partition
        known = get_raw(self.classes, cid) or {}
        status = known.get("status")
        if record.event == "start":
            if status in ("ending", "ended"):
                await self.live.dead_letters([(event.message.topic, event.value,
                                               f"class {cid} already ended; each occurrence "
                                               "is its own class session", "class_ended")])
                return
            known.update(status="live", ended_at=None,
                         started_at=known.get("started_at") or record.event_time)
        elif status != "ended":
            known["ended_at"] = known.get("ended_at") or record.event_time
            known["ended_wall"] = known.get("ended_wall") or time.time()
            box_confirmed = writer is None or principal(writer) == DEVICE
            known["status"] = "ended" if box_confirmed else "ending"
        known["p"] = partition
        put_raw(self.classes, partition, cid, encode(known))
        if status not in ("ending", "ended") or record.event == "start":
            board_status = "live" if record.event == "start" else "ended"
            await self.board.write("set_class", cid, board_status, record.event_time,
                                   record.event)
        log.info("class event", class_session_id=cid, class_event=record.event,
                 status=known["status"])
        if known["status"] in ("live", "ended") and status != known["status"]:
            self._in_background(self._store_status(cid, known["status"]))
        if record.event == "end" and known["status"] == "ended" and status != "ended":
            await self.finalize(cid, known)

    def _in_background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _store_status(self, cid: str, status: str) -> None:
        """The class's status in the database (never raises: the board has it already)."""
        try:
            if await self.store.class_status(cid, status):
                log.info("class status stored", class_session_id=cid, status=status)
        except Exception as exc:  # noqa: BLE001 - the page then offers a start it refuses
            log.warning("class status not stored", class_session_id=cid, status=status,
                        error=f"{type(exc).__name__}: {exc}"[:200])

    async def finalize(self, cid: str, known: dict[str, Any]) -> None:
        """Every partition finalizes the class's members it holds (then reports)."""
        for target in range(self.partitions):
            control = ClassControl(class_session_id=cid, ended_at=known["ended_at"],
                                   started_at=known.get("started_at"),
                                   partition=target, partitions=self.partitions)
            await self.control_topic.send(key=cid.encode(),
                                          value=self.signed(control).to_bytes(),
                                          partition=target)

    async def check_intensity(self, now: float) -> None:
        """Every few seconds: the class-level intensity alert of each live class whose
        start/end this worker owns (streams.class_alerts)."""
        rule = self.live.rules.class_intensity
        if not rule.enabled:
            return
        for cid, blob in list(self.classes.data.items()):
            known = json.loads(blob) if blob else None
            if not known or known.get("status") != "live":
                continue
            tracker = dict(known.get("intensity") or {})
            alert = check(tracker, cid, await self.board.tiles(cid), now, rule)
            if tracker != (known.get("intensity") or {}):
                current = get_raw(self.classes, cid) or known
                current["intensity"] = tracker
                put_raw(self.classes, int(current.get("p", 0)), cid, encode(current))
            if alert is not None and self.live.features.live_alerts:
                await self.live.emit_alerts([alert.to_dict()])

    async def close_after_grace(self, now: float) -> None:
        """The 1 s timer: classes ended from the API whose grace period is over."""
        grace = self.live.worker.class_end.grace_s
        for cid, blob in list(self.classes.data.items()):
            known = json.loads(blob) if blob else None
            if not known or known.get("status") != "ending":
                continue
            if now - float(known.get("ended_wall") or now) < grace:
                continue
            known["status"] = "ended"
            put_raw(self.classes, int(known.get("p", 0)), cid, encode(known))
            log.info("class grace period over; finalizing", class_session_id=cid)
            await self.finalize(cid, known)

    def signed(self, record: R) -> R:
        """Worker-to-worker records carry the workers' signature (contract.signing)."""
        secret = self.live.gate.secret
        return sign_as(secret, WORKER, record) if secret is not None else record

    # -- one partition's members -----------------------------------------------------

    async def on_control(self, event: Any) -> None:
        try:
            control = parse_record(ClassControl, event.value)
            self.live.gate.check(control, FROM_WORKER)
        except RecordError as exc:
            await self.live.dead_letters([(event.message.topic, event.value, str(exc),
                                           exc.code)])
            return
        partition = event.message.partition
        clock = time.perf_counter()
        await self._catch_up(partition)
        caught_up = time.perf_counter()
        if not self.live.members.owns(partition):
            log.warning("class end for a partition no longer ours", partition=partition)
            return
        await self.live.pseudonyms.ensure([control.class_session_id])
        out = self.live.outbox()
        members = [self._finalize(state, control, out) for state in self._class_states(
            partition, control)]
        finalized = time.perf_counter()
        await self.live.flush(out)
        report = PartitionReport(class_session_id=control.class_session_id,
                                 partition=partition, partitions=control.partitions,
                                 started_at=control.started_at, ended_at=control.ended_at,
                                 members=members)
        # in wire form; with the bookings unreadable it goes with member ids (the summary
        # must not wait), which erasure finds on the topic by the member's id
        report = self.live.pseudonyms.write(report) or report
        await self.reports_topic.send(key=control.class_session_id.encode(),
                                      value=self.signed(report).to_bytes())
        log.info("partition finalized a class", class_session_id=control.class_session_id,
                 partition=partition, members=len(members),
                 catch_up_s=round(caught_up - clock, 3),
                 finalize_s=round(finalized - caught_up, 3),
                 flush_s=round(time.perf_counter() - finalized, 3))

    async def _catch_up(self, partition: int) -> None:
        """Wait (bounded) until samples already in this partition have been handled.

        The end record travels on another topic and may overtake the last samples. The
        partition's end offset comes from the consumer's own fetches (refreshed every
        fetch wait, ~100 ms), so a class end costs no broker round trip; when the
        consumer has not fetched the partition yet, the broker is asked."""
        tp = TP(TOPIC_HR_SAMPLES, partition)
        consumer = self.app.consumer
        deadline = time.monotonic() + self.live.worker.class_end.catch_up_s
        while time.monotonic() < deadline:
            target = _cached_highwater(consumer, tp)
            if target is None:
                try:
                    target = (await consumer.highwaters(tp)).get(tp)
                except Exception as exc:  # noqa: BLE001 - any broker hiccup: finalize as we are
                    log.warning("could not read the partition's end offset", error=str(exc))
                    return
                if target is None:
                    return
            committed = getattr(consumer, "_committed_offset", {})
            done = max(self.live.processed.get(partition, -1), (committed.get(tp) or 0) - 1)
            if done + 1 >= target:
                return
            await asyncio.sleep(0.05)
        log.warning("class end: samples still unhandled after the catch-up wait; they "
                    "will count as late", partition=partition)

    def _class_states(self, partition: int, control: ClassControl) -> list[MemberState]:
        """The class's members held here, plus roster members who sent no data (except
        those who switched heart-rate tracking off: nothing of them is summarised)."""
        class_id = control.class_session_id
        states: dict[str, MemberState] = {}
        for p, key, state in list(self.live.members.items()):
            if p != partition or state.class_session_id != class_id:
                continue
            if self.live.gate.enforced and state.session is None and \
                    self.live.profile_entry(partition, state.member_id, class_id) is None:
                self.live.not_on_roster(partition, key, state)  # its entry never came
                continue
            states[state.member_id] = state
        for p, member_id, value in self.live.profiles.items():
            entry = value["entry"]
            if p == partition and entry["class_session_id"] == class_id \
                    and member_id not in states and entry.get("hr_tracking", True):
                # a member who opted out of heart rate gets no "no data" line either
                states[member_id] = MemberState(class_id, member_id, partition,
                                                name=entry["display_name"])
        return sorted(states.values(), key=lambda s: s.member_id)

    def _finalize(self, state: MemberState, control: ClassControl, out: Outbox
                  ) -> MemberReport:
        live, bucket_s = self.live, self.live.worker.series.bucket_s
        profile = live.profiles.get(state.partition, state.member_id)
        if state.session is None:
            closed = state.start(member_profile(profile["entry"]) if profile else None,
                                 config=live.config, rules=live.rules,
                                 learned_hr_rest=profile.get("learned_hr_rest")
                                 if profile else None)
            live.collect_buckets(state, state.add_windows(closed, bucket_s), out)
        session = state.session
        assert session is not None
        buckets = state.add_windows(session.finalize(), bucket_s) + state.flush_bucket()
        state.close_minutes()
        live.collect_buckets(state, buckets, out)
        state.finished_at = state.finished_at or time.time()
        state.ended_at = state.ended_at or control.ended_at
        state.status = "finished"
        live.save(state)
        out.tile(state)
        totals = session.totals()
        if profile is not None and totals.learned_hr_rest is not None:
            profile = {**profile, "learned_hr_rest": totals.learned_hr_rest}
            live.profiles.put(state.partition, state.member_id, profile, encode(profile))
        return MemberReport(member_id=state.member_id, display_name=state.name,
                            totals=totals.model_dump(mode="json"),
                            form=state.form.summary() if state.form else None)

    # -- the summary -----------------------------------------------------------------

    async def on_report(self, event: Any) -> None:
        try:
            report = parse_record(PartitionReport, event.value)
            self.live.gate.check(report, FROM_WORKER)
        except RecordError as exc:
            await self.live.dead_letters([(event.message.topic, event.value, str(exc),
                                           exc.code)])
            return
        cid, partition = report.class_session_id, event.message.partition
        entry = get_raw(self.reports, cid) or {"reports": {}, "done": False}
        entry["reports"][str(report.partition)] = report.model_dump(mode="json")
        entry["p"] = partition
        put_raw(self.reports, partition, cid, encode(entry))
        if len(entry["reports"]) < report.partitions:
            return
        self.summarize_until_stored(cid, partition, entry)

    def summarize_until_stored(self, cid: str, partition: int, entry: dict[str, Any]) -> None:
        """Build and store the summary in the background, retrying with backoff while the
        database or Redis is away, so an outage delays a summary instead of losing it."""
        if cid in self.pending:
            return
        task = asyncio.get_running_loop().create_task(self._store_summary(cid, partition, entry))
        self.pending[cid] = task
        task.add_done_callback(lambda _: self.pending.pop(cid, None))

    async def _store_summary(self, cid: str, partition: int, entry: dict[str, Any]) -> None:
        retrying = AsyncRetrying(wait=wait_exponential(multiplier=0.5, max=SUMMARY_RETRY_MAX_S),
                                 stop=stop_after_delay(SUMMARY_GIVE_UP_S), reraise=True,
                                 before_sleep=_log_summary_retry(cid))
        try:
            async for attempt in retrying:
                with attempt:
                    await self.summarize(cid, list(entry["reports"].values()))
        except Exception:  # noqa: BLE001 - logged; a repeated class end retries it
            log.exception("post-class summary failed for good", class_session_id=cid)
            return
        entry["done"] = True
        if self.live.members.owns(partition) or partition in self.live.profiles.partitions:
            put_raw(self.reports, partition, cid, encode(entry))

    def resume_pending(self) -> int:
        """After a (re)start: summaries whose reports are all in but never stored."""
        resumed = 0
        for cid, blob in list(self.reports.data.items()):
            entry = json.loads(blob) if blob else None
            if not entry or entry.get("done") or not entry.get("reports"):
                continue
            wanted = max(r.get("partitions", 0) for r in entry["reports"].values())
            if len(entry["reports"]) >= wanted:
                self.summarize_until_stored(cid, int(entry.get("p", 0)), entry)
                resumed += 1
        return resumed

    async def summarize(self, class_id: str, reports: list[dict[str, Any]]) -> None:
        reports = await self.with_member_ids(class_id, reports)
        started = [r["started_at"] for r in reports if r.get("started_at") is not None]
        started_at = min(started) if started else None
        ended_at = max(r["ended_at"] for r in reports)
        took: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            took[step] = round(now - clock, 3)
            clock = now

        if not await self.store.drain_alerts():
            raise ConnectionError("alerts still wait for the database; the summary waits too")
        alerts = await self.store.class_alerts(class_id)
        lap("alerts_s")
        member_ids = sorted({m["member_id"] for r in reports for m in r["members"]})
        history = await self.store.history(member_ids, class_id, before=ended_at)
        lap("history_s")
        series = await self.board.series(class_id)
        lap("chart_s")
        document, parts = build_summary(
            class_id, reports, alerts=alerts, history=history, series=series,
            started_at=started_at, ended_at=ended_at,
            bucket_s=self.live.worker.series.bucket_s, config=self.live.config)
        lap("build_s")
        await self.store.save_summary(class_id, document, parts, ended_at)
        lap("store_s")
        await self.board.write("summary_ready", class_id)
        log.info("post-class summary stored", class_session_id=class_id,
                 members=len(member_ids), **took)


    async def with_member_ids(self, class_id: str, reports: list[dict[str, Any]]
                              ) -> list[dict[str, Any]]:
        """The partition reports with member ids and names for wire ids; raises while
        the class's bookings cannot be read (the summary retries). A wire id no booking
        explains any more (a booking deleted since) keeps its line under the wire id."""
        pseudonyms = self.live.pseudonyms
        if not any(is_wire_id(m["member_id"]) for r in reports for m in r["members"]):
            return reports
        if not await pseudonyms.ensure([class_id], reload=True):
            raise ConnectionError("the class's bookings cannot be read; the summary waits")
        out = []
        for report in reports:
            record = pseudonyms.read(PartitionReport.model_validate(report), strict=False)
            out.append(record.model_dump(mode="json"))
        return out


def _cached_highwater(consumer: Any, tp: TP) -> int | None:
    """The partition's end offset as the consumer's last fetch reported it, if any."""
    try:
        value = consumer.highwater(tp)
    except Exception:  # noqa: BLE001 - not started, not assigned: ask the broker instead
        return None
    return int(value) if value is not None else None
